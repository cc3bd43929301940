/* nn~ in C — model API on IRCAM's own model files (effects.ts, demo_attributes.ts, demo_mc.ts).
 * SPDX-License-Identifier: MIT
 *
 * These files come from the original project, so they exercise the contract
 * as real exports write it: old float32 params and a "none" attribute in
 * effects.ts, getters returning a scalar, a list or a tuple, custom setters
 * that refuse values, 3-channel methods with ratio 2048. Expected values were
 * checked with Python torch (see the reference, sections 1.9 and 11).
 */
#include "model_test.h"

#include <math.h>

static nn_model *load_fixture(const char *name)
{
    return test_load(test_path("NN_TEST_FIXTURES", name));
}

static void check_method(const nn_model *model, int index, const char *name, int in_ch, int in_r, int out_ch, int out_r)
{
    const nn_method_info *m = nn_model_method(model, index);
    assert_non_null(m);
    assert_string_equal(m->name, name);
    assert_int_equal(m->in_channels, in_ch);
    assert_int_equal(m->in_ratio, in_r);
    assert_int_equal(m->out_channels, out_ch);
    assert_int_equal(m->out_ratio, out_r);
    assert_int_equal(nn_model_method_find(model, name), index);
}

static void check_types(const nn_model *model, const char *name, int count, const nn_type *types)
{
    int index = nn_model_attribute_find(model, name);
    assert_true(index >= 0);
    const nn_attribute_info *a = nn_model_attribute(model, index);
    assert_string_equal(a->name, name);
    assert_int_equal(a->count, count);
    for (int i = 0; i < count; i++)
        assert_int_equal(a->types[i], types[i]);
}

static char *get_text(nn_model *model, const char *name)
{
    static char text[512];
    nn_value_list list = {0, NULL};
    nn_error err;
    TEST_OK(nn_model_attribute_get(model, nn_model_attribute_find(model, name), &list, &err), err);
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < list.count; i++) {
        if (i)
            text[used++] = ' ';
        used += (size_t)nn_value_format(&list.values[i], text + used, sizeof text - used);
    }
    nn_value_list_clear(&list);
    return text;
}

static void effects_metadata(void **state)
{
    (void)state;
    nn_model *model = load_fixture("effects.ts");
    assert_int_equal(nn_model_method_count(model), 8);
    check_method(model, 0, "thru", 1, 1, 1, 1);
    check_method(model, 1, "invert", 1, 1, 1, 1);
    check_method(model, 2, "add", 2, 1, 1, 1);
    check_method(model, 3, "saturate", 1, 1, 1, 1);
    check_method(model, 4, "midside", 2, 1, 2, 1);
    check_method(model, 5, "rms", 1, 1, 1, 1024);
    check_method(model, 6, "polynomial", 1, 1, 1, 1);
    check_method(model, 7, "fractalize", 1, 512, 1, 512);
    assert_int_equal(nn_model_max_ratio(model), 1024);
    assert_int_equal(nn_model_method_find(model, "nope"), -1);
    const nn_method_info *midside = nn_model_method(model, 4);
    assert_string_equal(midside->input_labels[1], "(signal) R channel");
    assert_string_equal(midside->output_labels[0], "(signal) Mid channel");

    /* "none" is dropped; params are float32 in this old export. */
    assert_int_equal(nn_model_attribute_count(model), 5);
    assert_string_equal(nn_model_attribute(model, 0)->name, "gain_factor");
    check_types(model, "gain_factor", 1, (nn_type[]){NN_TYPE_FLOAT});
    check_types(model, "polynomial_factors", 4,
                (nn_type[]){NN_TYPE_FLOAT, NN_TYPE_FLOAT, NN_TYPE_FLOAT, NN_TYPE_FLOAT});
    check_types(model, "saturate_mode", 1, (nn_type[]){NN_TYPE_STRING});
    check_types(model, "invert_signal", 1, (nn_type[]){NN_TYPE_BOOL});
    check_types(model, "fractal", 2, (nn_type[]){NN_TYPE_INT, NN_TYPE_FLOAT});
    assert_int_equal(nn_model_buffer_count(model), 0);
    assert_true(nn_model_has_sample_rate(model));
    assert_int_equal(nn_model_device(model), NN_DEVICE_CPU);
    assert_string_equal(nn_model_path(model), test_path("NN_TEST_FIXTURES", "effects.ts"));

    /* Scalar, list and tuple getters. */
    assert_string_equal(get_text(model, "gain_factor"), "1");
    assert_string_equal(get_text(model, "polynomial_factors"), "1 0 0 0");
    assert_string_equal(get_text(model, "saturate_mode"), "tanh");
    assert_string_equal(get_text(model, "invert_signal"), "false");
    assert_string_equal(get_text(model, "fractal"), "2 0");
    nn_model_free(model);
}

static void effects_run(void **state)
{
    (void)state;
    nn_model *model = load_fixture("effects.ts");
    enum { B = 4096 };
    static float in[2 * B], out[2 * B];
    nn_error err;
    for (int i = 0; i < B; i++)
        in[i] = (float)i;

    TEST_OK(nn_model_run(model, nn_model_method_find(model, "thru"), 1, B, in, out, &err), err);
    assert_memory_equal(in, out, B * sizeof(float));

    /* Decimation keeps the last sample of each group; the hold repeats it. */
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "fractalize"), 1, B, in, out, &err), err);
    for (int i = 0; i < B; i++)
        assert_float_equal(out[i], (float)(i / 512 * 512 + 511), 0.0);

    for (int i = 0; i < B; i++)
        in[i] = 1.0f;
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "rms"), 1, B, in, out, &err), err);
    for (int i = 0; i < B; i++)
        assert_float_equal(out[i], 8.0, 1e-5);

    for (int i = 0; i < B; i++) {
        in[i] = 0.5f;
        in[B + i] = 0.25f;
    }
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "midside"), 1, B, in, out, &err), err);
    assert_float_equal(out[0], 0.375, 1e-7);
    assert_float_equal(out[B + B - 1], 0.125, 1e-7);

    /* Batch 2 of a 1-in method: [batch][channel][frames]. */
    for (int i = 0; i < B; i++)
        in[B + i] = -0.5f;
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "saturate"), 2, B, in, out, &err), err);
    assert_float_equal(out[7], tanhf(0.5f), 1e-6);
    assert_float_equal(out[B + 7], tanhf(-0.5f), 1e-6);
    nn_model_free(model);
}

static void effects_attributes(void **state)
{
    (void)state;
    nn_model *model = load_fixture("effects.ts");
    nn_error err;
    int gain = nn_model_attribute_find(model, "gain_factor");
    nn_value two = {.type = NN_TYPE_INT, .i = 2};
    TEST_OK(nn_model_attribute_set(model, gain, &two, 1, &err), err);
    assert_string_equal(get_text(model, "gain_factor"), "2");

    int mode = nn_model_attribute_find(model, "saturate_mode");
    nn_value foo = {.type = NN_TYPE_STRING, .s = "foo"};
    assert_int_equal(nn_model_attribute_set(model, mode, &foo, 1, &err), NN_ERR_REFUSED);
    assert_non_null(strstr(err.message, "saturate_mode"));
    assert_string_equal(get_text(model, "saturate_mode"), "tanh");
    nn_value clip = {.type = NN_TYPE_STRING, .s = "clip"};
    TEST_OK(nn_model_attribute_set(model, mode, &clip, 1, &err), err);
    assert_string_equal(get_text(model, "saturate_mode"), "clip");

    int fractal = nn_model_attribute_find(model, "fractal");
    nn_value odd[2] = {{.type = NN_TYPE_INT, .i = 3}, {.type = NN_TYPE_FLOAT, .f = 0.5}};
    assert_int_equal(nn_model_attribute_set(model, fractal, odd, 2, &err), NN_ERR_REFUSED);
    assert_non_null(strstr(err.message, "fractal"));
    nn_value even[2] = {{.type = NN_TYPE_FLOAT, .f = 4.0}, {.type = NN_TYPE_INT, .i = 1}};
    TEST_OK(nn_model_attribute_set(model, fractal, even, 2, &err), err);
    assert_string_equal(get_text(model, "fractal"), "4 1");

    int invert = nn_model_attribute_find(model, "invert_signal");
    nn_value one = {.type = NN_TYPE_FLOAT, .f = 1.0};
    TEST_OK(nn_model_attribute_set(model, invert, &one, 1, &err), err);
    assert_string_equal(get_text(model, "invert_signal"), "true");

    /* The attributes drive the audio: clip mode with gain 2. */
    enum { B = 64 };
    float in[B], out[B];
    for (int i = 0; i < B; i++)
        in[i] = 0.75f;
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "saturate"), 1, B, in, out, &err), err);
    assert_float_equal(out[0], 1.0, 0.0);
    nn_model_free(model);
}

static void demo_attributes(void **state)
{
    (void)state;
    nn_model *model = load_fixture("demo_attributes.ts");
    nn_error err;
    check_method(model, 0, "forward", 1, 1, 2, 1);
    assert_string_equal(nn_model_method(model, 0)->output_labels[1], "(signal) model output 1");
    check_types(model, "attr_list", 4, (nn_type[]){NN_TYPE_INT, NN_TYPE_STRING, NN_TYPE_FLOAT, NN_TYPE_BOOL});
    assert_string_equal(get_text(model, "attr_list"), "0 christophe 1 true");
    assert_string_equal(get_text(model, "attr_enum"), "horse");

    nn_value lion = {.type = NN_TYPE_STRING, .s = "lion"};
    assert_int_equal(nn_model_attribute_set(model, nn_model_attribute_find(model, "attr_enum"), &lion, 1, &err),
                     NN_ERR_REFUSED);
    assert_non_null(strstr(err.message, "attr_enum"));
    nn_value pig = {.type = NN_TYPE_STRING, .s = "pig"};
    TEST_OK(nn_model_attribute_set(model, nn_model_attribute_find(model, "attr_enum"), &pig, 1, &err), err);
    assert_string_equal(get_text(model, "attr_enum"), "pig");

    nn_value list[4] = {{.type = NN_TYPE_INT, .i = 7},
                        {.type = NN_TYPE_STRING, .s = "x"},
                        {.type = NN_TYPE_FLOAT, .f = 0.25},
                        {.type = NN_TYPE_INT, .i = 0}};
    TEST_OK(nn_model_attribute_set(model, nn_model_attribute_find(model, "attr_list"), list, 4, &err), err);
    assert_string_equal(get_text(model, "attr_list"), "7 x 0.25 false");

    nn_value i5 = {.type = NN_TYPE_INT, .i = 5};
    nn_value f = {.type = NN_TYPE_FLOAT, .f = -0.125};
    TEST_OK(nn_model_attribute_set(model, nn_model_attribute_find(model, "attr_int"), &i5, 1, &err), err);
    TEST_OK(nn_model_attribute_set(model, nn_model_attribute_find(model, "attr_float"), &f, 1, &err), err);
    float in[256] = {0}, out[512];
    TEST_OK(nn_model_run(model, 0, 1, 256, in, out, &err), err);
    assert_float_equal(out[0], 5.0, 0.0);
    assert_float_equal(out[256 + 255], -0.125, 0.0);
    nn_model_free(model);
}

static void demo_mc_batches(void **state)
{
    (void)state;
    nn_model *model = load_fixture("demo_mc.ts");
    assert_int_equal(nn_model_method_count(model), 3);
    check_method(model, 0, "batch", 3, 2048, 3, 2048);
    assert_int_equal(nn_model_attribute_count(model), 0);
    assert_int_equal(nn_model_sample_rate(model), -1);
    enum { B = 4096, CH = 3, BATCH = 2 };
    static float in[BATCH * CH * B], out[BATCH * CH * B];
    for (int b = 0; b < BATCH; b++)
        for (int c = 0; c < CH; c++)
            for (int t = 0; t < B; t++)
                in[(b * CH + c) * B + t] = (float)(10 * c + b) + (float)t / B;
    nn_error err;
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "batch"), BATCH, B, in, out, &err), err);
    for (int b = 0; b < BATCH; b++)
        for (int c = 0; c < CH; c++)
            assert_float_equal(out[(b * CH + c) * B + 100], (float)b, 0.0);
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "channel"), BATCH, B, in, out, &err), err);
    for (int b = 0; b < BATCH; b++)
        for (int c = 0; c < CH; c++)
            assert_float_equal(out[(b * CH + c) * B + B - 1], (float)c, 0.0);
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "identity"), BATCH, B, in, out, &err), err);
    for (int b = 0; b < BATCH; b++)
        for (int c = 0; c < CH; c++) {
            const float *o = &out[(b * CH + c) * B];
            const float *i = &in[(b * CH + c) * B];
            assert_float_equal(o[0], i[2047], 0.0);
            assert_float_equal(o[2047], i[2047], 0.0);
            assert_float_equal(o[2048], i[4095], 0.0);
        }
    nn_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(effects_metadata), cmocka_unit_test(effects_run),     cmocka_unit_test(effects_attributes),
        cmocka_unit_test(demo_attributes),  cmocka_unit_test(demo_mc_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
