/* nn~ in C — every way a model file or a model call can go wrong, and API misuse.
 * SPDX-License-Identifier: MIT
 *
 * Each unreadable file gets its own status and a message naming the file;
 * each wrong model output gives NN_ERR_BAD_OUTPUT with the method and both
 * shapes, and a zero-filled output (never what was there before); a model
 * that throws gives NN_ERR_MODEL_FAILED with the model's own message; NULL
 * handles and bad indices give NN_ERR_INVALID_ARGUMENT and never crash.
 */
#include "model_test.h"

static void expect_load_error(const char *path, nn_status want, const char *fragment)
{
    nn_model *model = (nn_model *)&model; /* must be reset to NULL on failure */
    nn_error err;
    nn_error_clear(&err);
    nn_status got = nn_model_load(path, NULL, &model, &err);
    print_message("%s -> %s: %s\n", path, nn_strerror(got), err.message);
    if (got != want)
        fail_msg("%s: expected '%s', got '%s' (%s)", path, nn_strerror(want), nn_strerror(got), err.message);
    assert_int_equal(err.status, want);
    assert_null(model);
    assert_non_null(strstr(err.message, path));
    if (fragment && !strstr(err.message, fragment))
        fail_msg("%s: message '%s' lacks '%s'", path, err.message, fragment);
}

static void bad_files(void **state)
{
    (void)state;
    const char *dir_path = test_path("NN_TEST_MODELS", "bad/a_directory.ts");
    test_require_file(dir_path);
    expect_load_error(test_path("NN_TEST_MODELS", "bad/does_not_exist.ts"), NN_ERR_FILE_NOT_FOUND, "no such file");
    expect_load_error(dir_path, NN_ERR_NOT_A_FILE, "directory");
    expect_load_error(test_path("NN_TEST_MODELS", "bad/empty.ts"), NN_ERR_EMPTY_FILE, "empty");
    expect_load_error(test_path("NN_TEST_MODELS", "bad/random.ts"), NN_ERR_BAD_FILE, "TorchScript");
    expect_load_error(test_path("NN_TEST_MODELS", "bad/truncated.ts"), NN_ERR_BAD_FILE, "TorchScript");
    expect_load_error(test_path("NN_TEST_MODELS", "bad/not_nn.ts"), NN_ERR_NOT_NN_MODEL, "not an nn~ model");
    expect_load_error(test_path("NN_TEST_MODELS", "bad/no_params.ts"), NN_ERR_BAD_METADATA, "forward_params");
    expect_load_error("/dev/null", NN_ERR_NOT_A_FILE, "regular");
}

static void bad_outputs(void **state)
{
    (void)state;
    nn_model *model = test_load(test_path("NN_TEST_MODELS", "bad_outputs.ts"));
    enum { B = 1024 };
    static float in[2 * B], out[2 * B];
    for (int i = 0; i < 2 * B; i++)
        in[i] = 0.25f;
    static const struct {
        const char *method;
        const char *fragments[2];
    } cases[] = {
        {"wrong_length", {"[1, 1, 512]", "[1, 1, 1024]"}},
        {"wrong_dtype", {"Double", "float32"}},
        {"wrong_channels", {"[1, 2, 1024]", "[1, 1, 1024]"}},
        {"wrong_ndim", {"[1, 1024]", "[1, 1, 1024]"}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        for (int i = 0; i < 2 * B; i++)
            out[i] = 7.0f; /* stale data that must not survive */
        int index = nn_model_method_find(model, cases[c].method);
        assert_true(index >= 0);
        nn_error err;
        nn_status status = nn_model_run(model, index, 2, B, in, out, &err);
        print_message("%s -> %s: %s\n", cases[c].method, nn_strerror(status), err.message);
        assert_int_equal(status, NN_ERR_BAD_OUTPUT);
        assert_non_null(strstr(err.message, cases[c].method));
        for (int i = 0; i < 2 * B; i++)
            assert_float_equal(out[i], 0.0, 0.0);
    }
    /* Batch 1: the shapes in the message are exactly these. */
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        nn_error err;
        assert_int_equal(nn_model_run(model, nn_model_method_find(model, cases[c].method), 1, B, in, out, &err),
                         NN_ERR_BAD_OUTPUT);
        for (int k = 0; k < 2; k++)
            if (!strstr(err.message, cases[c].fragments[k]))
                fail_msg("%s: message '%s' lacks '%s'", cases[c].method, err.message, cases[c].fragments[k]);
    }
    nn_error err;
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "good"), 2, B, in, out, &err), err);
    assert_memory_equal(in, out, sizeof in);
    nn_model_free(model);
}

static void model_throws(void **state)
{
    (void)state;
    nn_model *model = test_load(test_path("NN_TEST_MODELS", "throws.ts"));
    enum { B = 256 };
    float in[B], out[B];
    for (int i = 0; i < B; i++) {
        in[i] = 0.5f;
        out[i] = 3.0f;
    }
    nn_error err;
    TEST_OK(nn_model_run(model, 0, 1, B, in, out, &err), err);
    assert_float_equal(out[B - 1], 0.5, 0.0);

    nn_value yes = {.type = NN_TYPE_BOOL, .b = true};
    TEST_OK(nn_model_attribute_set(model, nn_model_attribute_find(model, "fail"), &yes, 1, &err), err);
    nn_status status = nn_model_run(model, 0, 1, B, in, out, &err);
    print_message("forward -> %s: %s\n", nn_strerror(status), err.message);
    assert_int_equal(status, NN_ERR_MODEL_FAILED);
    assert_non_null(strstr(err.message, "forward"));
    assert_non_null(strstr(err.message, "fail is set"));
    for (int i = 0; i < B; i++)
        assert_float_equal(out[i], 0.0, 0.0);

    /* A setter that raises is a refusal naming the attribute. */
    nn_value one = {.type = NN_TYPE_INT, .i = 1};
    status = nn_model_attribute_set(model, nn_model_attribute_find(model, "explode"), &one, 1, &err);
    print_message("set explode -> %s: %s\n", nn_strerror(status), err.message);
    assert_int_equal(status, NN_ERR_REFUSED);
    assert_non_null(strstr(err.message, "explode"));
    assert_non_null(strstr(err.message, "always raises"));

    /* The model still works once fail is cleared. */
    nn_value no = {.type = NN_TYPE_BOOL, .b = false};
    TEST_OK(nn_model_attribute_set(model, nn_model_attribute_find(model, "fail"), &no, 1, &err), err);
    TEST_OK(nn_model_run(model, 0, 1, B, in, out, &err), err);
    assert_float_equal(out[0], 0.5, 0.0);
    nn_model_free(model);
}

static void misuse(void **state)
{
    (void)state;
    nn_error err;
    nn_model *out = NULL;
    nn_model_free(NULL);
    assert_int_equal(nn_model_load(NULL, NULL, &out, &err), NN_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(nn_model_load(test_path("NN_TEST_MODELS", "gain.ts"), NULL, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_load(NULL, NULL, NULL, NULL), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_reload(NULL, &out, &err), NN_ERR_INVALID_ARGUMENT);

    /* Queries on NULL are harmless. */
    assert_null(nn_model_path(NULL));
    assert_int_equal(nn_model_method_count(NULL), 0);
    assert_null(nn_model_method(NULL, 0));
    assert_int_equal(nn_model_method_find(NULL, "forward"), -1);
    assert_int_equal(nn_model_max_ratio(NULL), 1);
    assert_int_equal(nn_model_attribute_count(NULL), 0);
    assert_null(nn_model_attribute(NULL, 0));
    assert_int_equal(nn_model_attribute_find(NULL, "gain"), -1);
    assert_int_equal(nn_model_buffer_count(NULL), 0);
    assert_null(nn_model_buffer_name(NULL, 0));
    assert_false(nn_model_has_sample_rate(NULL));
    assert_int_equal(nn_model_sample_rate(NULL), -1);

    float in[64] = {0}, outbuf[64];
    nn_value v = {.type = NN_TYPE_FLOAT, .f = 1.0};
    nn_value_list list = {0, NULL};
    assert_int_equal(nn_model_run(NULL, 0, 1, 64, in, outbuf, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_attribute_get(NULL, 0, &list, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_attribute_set(NULL, 0, &v, 1, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_buffer_clear(NULL, 0, 0, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_set_sample_rate(NULL, 48000, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_set_device(NULL, NN_DEVICE_CPU, &err), NN_ERR_INVALID_ARGUMENT);

    nn_model *model = test_load(test_path("NN_TEST_MODELS", "gain.ts"));
    assert_null(nn_model_method(model, -1));
    assert_null(nn_model_method(model, 1));
    assert_null(nn_model_attribute(model, 1));
    assert_null(nn_model_buffer_name(model, 0));
    assert_int_equal(nn_model_method_find(model, NULL), -1);
    assert_int_equal(nn_model_run(model, 1, 1, 64, in, outbuf, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_run(model, -1, 1, 64, in, outbuf, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_run(model, 0, 0, 64, in, outbuf, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_run(model, 0, 1, 0, in, outbuf, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_run(model, 0, 1, 64, NULL, outbuf, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_run(model, 0, 1, 64, in, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_attribute_get(model, 5, &list, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_attribute_get(model, 0, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_attribute_set(model, -1, &v, 1, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_attribute_set(model, 0, NULL, 1, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_buffer_clear(model, 0, 0, &err), NN_ERR_WRONG_TYPE);
    assert_int_equal(nn_model_buffer_clear(model, 0, 3, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_set_sample_rate(model, 0, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_set_device(model, (nn_device)7, &err), NN_ERR_INVALID_ARGUMENT);
    /* A NULL error report is allowed everywhere. */
    assert_int_equal(nn_model_run(model, 3, 1, 64, in, outbuf, NULL), NN_ERR_INVALID_ARGUMENT);

    /* frames must be a multiple of the ratios; the output is still silenced. */
    nn_model *ratios = test_load(test_path("NN_TEST_MODELS", "ratios.ts"));
    for (int i = 0; i < 64; i++)
        outbuf[i] = 1.0f;
    assert_int_equal(nn_model_run(ratios, nn_model_method_find(ratios, "encode"), 1, 48, in, outbuf, &err),
                     NN_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "encode"));
    for (int i = 0; i < 48; i++)
        assert_float_equal(outbuf[i], 0.0, 0.0);
    nn_model_free(ratios);
    nn_model_free(model);
}

static void device_and_runtime(void **state)
{
    (void)state;
    nn_model *model = test_load(test_path("NN_TEST_MODELS", "gain.ts"));
    nn_error err;
    TEST_OK(nn_model_set_device(model, NN_DEVICE_CPU, &err), err);
    nn_status status = nn_model_set_device(model, NN_DEVICE_CUDA, &err);
    if (nn_backend_has_cuda()) {
        TEST_OK(status, err);
        assert_int_equal(nn_model_device(model), NN_DEVICE_CUDA);
        TEST_OK(nn_model_set_device(model, NN_DEVICE_CPU, &err), err);
    } else {
        print_message("CUDA -> %s: %s\n", nn_strerror(status), err.message);
        assert_int_equal(status, NN_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.message, "CUDA"));
        assert_int_equal(nn_model_device(model), NN_DEVICE_CPU);
    }
    /* The same from the config at load. */
    nn_model_config config = nn_model_config_default();
    config.device = NN_DEVICE_CUDA;
    nn_model *cuda = NULL;
    status = nn_model_load(nn_model_path(model), &config, &cuda, &err);
    assert_int_equal(status, nn_backend_has_cuda() ? NN_OK : NN_ERR_UNSUPPORTED);
    nn_model_free(cuda);

    assert_int_equal(nn_backend_threads(), 1);
    nn_backend_set_threads(2);
    assert_int_equal(nn_backend_threads(), 2);
    nn_backend_set_threads(1);
    assert_int_equal(nn_backend_threads(), 1);
    print_message("libtorch %s, BLAS %s\n", nn_backend_version(), nn_backend_blas());
    assert_non_null(strstr(nn_backend_version(), "1."));
    assert_string_not_equal(nn_backend_blas(), "unknown");
    assert_non_null(strstr(nn_backend_blas(), "blas"));
    nn_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_files), cmocka_unit_test(bad_outputs),        cmocka_unit_test(model_throws),
        cmocka_unit_test(misuse),    cmocka_unit_test(device_and_runtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
