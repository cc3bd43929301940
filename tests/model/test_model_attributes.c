/* nn~ in C — typed attribute set/get, refusals, buffers, tensors, sample rate and reload.
 * SPDX-License-Identifier: MIT
 *
 * attrs.ts has one attribute of every type code plus a two-element one, and
 * its forward outputs constants that reveal the current values (flag, count,
 * level, table sum + buffer frames), so each accepted value is checked both
 * through its getter and through the audio it produces.
 */
#include "model_test.h"

static nn_model *load_attrs(void)
{
    return test_load(test_path("NN_TEST_MODELS", "attrs.ts"));
}

static int find(const nn_model *model, const char *name)
{
    int index = nn_model_attribute_find(model, name);
    if (index < 0)
        fail_msg("attrs.ts has no attribute '%s'", name);
    return index;
}

static const char *get_text(nn_model *model, const char *name)
{
    static char text[512];
    nn_value_list list = {0, NULL};
    nn_error err;
    TEST_OK(nn_model_attribute_get(model, find(model, name), &list, &err), err);
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < list.count && used + 1 < sizeof text; i++) {
        if (i)
            text[used++] = ' ';
        used += (size_t)nn_value_format(&list.values[i], text + used, sizeof text - used);
    }
    nn_value_list_clear(&list);
    return text;
}

/* forward's 4 constant outputs: flag, count, level, table sum + frames. */
static void outputs(nn_model *model, float values[4])
{
    enum { B = 64 };
    float in[B] = {0}, out[4 * B];
    nn_error err;
    TEST_OK(nn_model_run(model, 0, 1, B, in, out, &err), err);
    for (int c = 0; c < 4; c++)
        values[c] = out[c * B + B - 1];
}

static void set_ok(nn_model *model, const char *name, const nn_value *values, int count)
{
    nn_error err;
    TEST_OK(nn_model_attribute_set(model, find(model, name), values, count, &err), err);
}

static void set_fails(nn_model *model, const char *name, const nn_value *values, int count, nn_status want,
                      const char *const *fragments)
{
    nn_error err;
    nn_status got = nn_model_attribute_set(model, find(model, name), values, count, &err);
    print_message("set %s -> %s: %s\n", name, nn_strerror(got), err.message);
    if (got != want)
        fail_msg("set %s: expected '%s', got '%s' (%s)", name, nn_strerror(want), nn_strerror(got), err.message);
    assert_non_null(strstr(err.message, name));
    for (; fragments && *fragments; fragments++)
        if (!strstr(err.message, *fragments))
            fail_msg("set %s: message '%s' lacks '%s'", name, err.message, *fragments);
}

#define V_BOOL(x) ((nn_value){.type = NN_TYPE_BOOL, .b = (x)})
#define V_INT(x) ((nn_value){.type = NN_TYPE_INT, .i = (x)})
#define V_FLOAT(x) ((nn_value){.type = NN_TYPE_FLOAT, .f = (x)})
#define V_STR(x) ((nn_value){.type = NN_TYPE_STRING, .s = (x)})
#define FRAGMENTS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void scalars(void **state)
{
    (void)state;
    nn_model *model = load_attrs();
    float out[4];

    set_ok(model, "flag", &V_BOOL(true), 1);
    assert_string_equal(get_text(model, "flag"), "true");
    set_ok(model, "flag", &V_FLOAT(0.0), 1);
    assert_string_equal(get_text(model, "flag"), "false");
    set_ok(model, "flag", &V_INT(1), 1);
    set_fails(model, "flag", &V_INT(2), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("bool", "int 2"));
    set_fails(model, "flag", &V_STR("yes"), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("bool", "string \"yes\""));
    assert_string_equal(get_text(model, "flag"), "true");

    set_ok(model, "count", &V_INT(-3), 1);
    assert_string_equal(get_text(model, "count"), "-3");
    set_ok(model, "count", &V_FLOAT(12.0), 1);
    assert_string_equal(get_text(model, "count"), "12");
    set_fails(model, "count", &V_FLOAT(2.5), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("int", "float 2.5"));
    set_fails(model, "count", &V_STR("7"), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("int", "string"));
    assert_string_equal(get_text(model, "count"), "12");

    set_ok(model, "level", &V_FLOAT(0.125), 1);
    assert_string_equal(get_text(model, "level"), "0.125");
    set_ok(model, "level", &V_INT(2), 1);
    assert_string_equal(get_text(model, "level"), "2");
    set_fails(model, "level", &V_BOOL(true), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("float", "bool true"));

    set_ok(model, "mode", &V_STR("c"), 1);
    assert_string_equal(get_text(model, "mode"), "c");
    set_fails(model, "mode", &V_STR("z"), 1, NN_ERR_REFUSED, FRAGMENTS("set_mode", "-1"));
    set_fails(model, "mode", &V_INT(1), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("string", "int 1"));
    assert_string_equal(get_text(model, "mode"), "c");

    outputs(model, out);
    assert_float_equal(out[0], 1.0, 0.0);
    assert_float_equal(out[1], 12.0, 0.0);
    assert_float_equal(out[2], 2.0, 0.0);
    nn_model_free(model);
}

static void counts_and_pairs(void **state)
{
    (void)state;
    nn_model *model = load_attrs();
    nn_value pair[3] = {V_INT(4), V_FLOAT(0.25), V_FLOAT(1.0)};
    set_fails(model, "pair", pair, 1, NN_ERR_WRONG_COUNT, FRAGMENTS("2 values", "int, float", "1 given"));
    set_fails(model, "pair", pair, 3, NN_ERR_WRONG_COUNT, FRAGMENTS("int, float", "3 given"));
    set_fails(model, "pair", pair, 0, NN_ERR_WRONG_COUNT, FRAGMENTS("0 given"));
    set_fails(model, "level", pair, 2, NN_ERR_WRONG_COUNT, FRAGMENTS("1 value", "float", "2 given"));
    nn_value odd[2] = {V_INT(3), V_FLOAT(0.75)};
    set_fails(model, "pair", odd, 2, NN_ERR_REFUSED, FRAGMENTS("set_pair"));
    nn_value swapped[2] = {V_FLOAT(0.5), V_STR("x")};
    set_fails(model, "pair", swapped, 2, NN_ERR_WRONG_TYPE, FRAGMENTS("value 1", "int, float", "float 0.5"));
    assert_string_equal(get_text(model, "pair"), "2 0.5");
    set_ok(model, "pair", pair, 2);
    assert_string_equal(get_text(model, "pair"), "4 0.25");
    nn_model_free(model);
}

static void tensor_and_buffer(void **state)
{
    (void)state;
    nn_model *model = load_attrs();
    nn_error err;
    float out[4];

    float table[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    set_ok(model, "table", &(nn_value){.type = NN_TYPE_TENSOR, .data = table, .frames = 8}, 1);
    assert_string_equal(get_text(model, "table"), "Tensor(dim: 8)");
    outputs(model, out);
    assert_float_equal(out[3], 4.0, 1e-6);
    set_fails(model, "table", &V_FLOAT(1.0), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("tensor", "float 1"));
    set_fails(model, "table", &(nn_value){.type = NN_TYPE_TENSOR, .data = NULL, .frames = 8}, 1, NN_ERR_WRONG_TYPE,
              FRAGMENTS("tensor"));
    /* The tensor was copied: changing the caller's array changes nothing. */
    table[0] = 100.0f;
    outputs(model, out);
    assert_float_equal(out[3], 4.0, 1e-6);

    int sample = find(model, "sample");
    static float data[2 * 5000];
    for (int i = 0; i < 2 * 5000; i++)
        data[i] = (float)(i % 7) / 8.0f - 0.25f;
    nn_value short_buffer = {.type = NN_TYPE_BUFFER, .data = data, .channels = 1, .frames = 8, .sample_rate = 48000};
    set_fails(model, "sample", &short_buffer, 1, NN_ERR_REFUSED, FRAGMENTS("sample#0", "8 frames", "bounds"));
    nn_value long_buffer = {.type = NN_TYPE_BUFFER, .data = data, .channels = 2, .frames = 5000, .sample_rate = 48000};
    set_fails(model, "sample", &long_buffer, 1, NN_ERR_REFUSED, FRAGMENTS("sample#0", "5000 frames"));
    set_fails(model, "sample", &V_STR("array1"), 1, NN_ERR_WRONG_TYPE, FRAGMENTS("buffer", "string \"array1\""));
    assert_string_equal(get_text(model, "sample"), "Buffer(empty)");

    nn_value good = {.type = NN_TYPE_BUFFER, .data = data, .channels = 2, .frames = 32, .sample_rate = 44100};
    set_ok(model, "sample", &good, 1);
    const char *text = get_text(model, "sample");
    print_message("sample = %s\n", text);
    assert_non_null(strstr(text, "sr=44100"));
    assert_non_null(strstr(text, "shape=[2, 32]"));
    assert_non_null(strstr(text, "min=-0.25"));
    outputs(model, out);
    assert_float_equal(out[3], 4.0 + 32.0, 1e-6);

    /* Without its own rate a buffer takes the model's. */
    TEST_OK(nn_model_set_sample_rate(model, 22050, &err), err);
    good.sample_rate = 0;
    good.frames = 16;
    set_ok(model, "sample", &good, 1);
    assert_non_null(strstr(get_text(model, "sample"), "sr=22050"));

    TEST_OK(nn_model_buffer_clear(model, sample, 0, &err), err);
    assert_string_equal(get_text(model, "sample"), "Buffer(empty)");
    outputs(model, out);
    assert_float_equal(out[3], 4.0, 1e-6);
    assert_int_equal(nn_model_buffer_clear(model, find(model, "table"), 0, &err), NN_ERR_WRONG_TYPE);
    assert_int_equal(nn_model_buffer_clear(model, sample, 1, &err), NN_ERR_INVALID_ARGUMENT);
    nn_model_free(model);
}

static void sample_rate(void **state)
{
    (void)state;
    nn_error err;
    nn_model_config config = nn_model_config_default();
    config.sample_rate = 48000;
    nn_model *model = NULL;
    const char *path = test_path("NN_TEST_MODELS", "attrs.ts");
    test_require_file(path);
    TEST_OK(nn_model_load(path, &config, &model, &err), err);
    assert_true(nn_model_has_sample_rate(model));
    assert_int_equal(nn_model_sample_rate(model), 48000);
    TEST_OK(nn_model_set_sample_rate(model, 44100, &err), err);
    assert_int_equal(nn_model_sample_rate(model), 44100);
    nn_model_free(model);

    model = load_attrs();
    assert_int_equal(nn_model_sample_rate(model), -1);
    nn_model_free(model);
}

static void reload_reapplies(void **state)
{
    (void)state;
    nn_model *model = load_attrs();
    nn_error err;
    set_ok(model, "count", &V_INT(5), 1);
    set_ok(model, "count", &V_INT(6), 1);
    set_ok(model, "mode", &V_STR("b"), 1);
    set_fails(model, "mode", &V_STR("q"), 1, NN_ERR_REFUSED, NULL);
    nn_value pair[2] = {V_INT(8), V_FLOAT(-1.5)};
    set_ok(model, "pair", pair, 2);
    float *table = malloc(8 * sizeof *table);
    for (int i = 0; i < 8; i++)
        table[i] = 0.25f;
    set_ok(model, "table", &(nn_value){.type = NN_TYPE_TENSOR, .data = table, .frames = 8}, 1);
    float *data = malloc(3 * 100 * sizeof *data);
    for (int i = 0; i < 300; i++)
        data[i] = 0.5f;
    set_ok(model, "sample",
           &(nn_value){.type = NN_TYPE_BUFFER, .data = data, .channels = 3, .frames = 100, .sample_rate = 96000}, 1);
    /* The record holds its own copies. */
    memset(table, 0, 8 * sizeof *table);
    memset(data, 0, 300 * sizeof *data);
    free(table);
    free(data);
    TEST_OK(nn_model_set_sample_rate(model, 32000, &err), err);

    nn_model *fresh = (nn_model *)&fresh;
    TEST_OK(nn_model_reload(model, &fresh, &err), err);
    assert_non_null(fresh);
    assert_ptr_not_equal(fresh, model);
    assert_string_equal(get_text(fresh, "count"), "6");
    assert_string_equal(get_text(fresh, "mode"), "b");
    assert_string_equal(get_text(fresh, "pair"), "8 -1.5");
    assert_string_equal(get_text(fresh, "flag"), "false");
    const char *text = get_text(fresh, "sample");
    assert_non_null(strstr(text, "shape=[3, 100]"));
    assert_non_null(strstr(text, "sr=96000"));
    assert_non_null(strstr(text, "max=0.5"));
    assert_int_equal(nn_model_sample_rate(fresh), 32000);
    float out[4];
    outputs(fresh, out);
    assert_float_equal(out[1], 6.0, 0.0);
    assert_float_equal(out[3], 2.0 + 100.0, 1e-6);
    /* The original is untouched and still usable. */
    assert_string_equal(get_text(model, "count"), "6");

    /* A cleared buffer stays cleared after reload; reloading a reload works. */
    TEST_OK(nn_model_buffer_clear(fresh, find(fresh, "sample"), 0, &err), err);
    nn_model *again = NULL;
    TEST_OK(nn_model_reload(fresh, &again, &err), err);
    assert_string_equal(get_text(again, "sample"), "Buffer(empty)");
    assert_string_equal(get_text(again, "pair"), "8 -1.5");
    outputs(again, out);
    assert_float_equal(out[3], 2.0, 1e-6);

    /* Setting the buffer again after a clear wins over the clear. */
    float fill[20] = {0};
    set_ok(again, "sample",
           &(nn_value){.type = NN_TYPE_BUFFER, .data = fill, .channels = 1, .frames = 20, .sample_rate = 48000}, 1);
    nn_model *third = NULL;
    TEST_OK(nn_model_reload(again, &third, &err), err);
    assert_non_null(strstr(get_text(third, "sample"), "shape=[1, 20]"));

    nn_model_free(third);
    nn_model_free(again);
    nn_model_free(fresh);
    nn_model_free(model);
}

static void fixture_scalar_getters(void **state)
{
    (void)state;
    /* effects.ts: a float setter given an int, a list getter, and reload. */
    nn_model *model = test_load(test_path("NN_TEST_FIXTURES", "effects.ts"));
    nn_value poly[4] = {V_FLOAT(0.5), V_INT(0), V_FLOAT(0.25), V_FLOAT(0.0)};
    set_ok(model, "polynomial_factors", poly, 4);
    assert_string_equal(get_text(model, "polynomial_factors"), "0.5 0 0.25 0");
    nn_error err;
    nn_model *fresh = NULL;
    TEST_OK(nn_model_reload(model, &fresh, &err), err);
    assert_string_equal(get_text(fresh, "polynomial_factors"), "0.5 0 0.25 0");
    nn_model_free(fresh);
    nn_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars),     cmocka_unit_test(counts_and_pairs), cmocka_unit_test(tensor_and_buffer),
        cmocka_unit_test(sample_rate), cmocka_unit_test(reload_reapplies), cmocka_unit_test(fixture_scalar_getters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
