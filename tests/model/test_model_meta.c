/* nn~ in C — metadata read by the C API against what Python torch reports.
 * SPDX-License-Identifier: MIT
 *
 * For every model in $NN_TEST_MODELS/meta/ (the generated models and the
 * IRCAM fixtures), the generator wrote what torch.jit.load sees: methods in
 * get_methods() order with params and labels, attributes with type codes and
 * current values, buffer attribute names, set_sample_rate. The library must
 * report exactly the same through nn_model_*.
 */
#include "model_test.h"

#include <dirent.h>
#include <math.h>

/* Every model the generator promises; a missing one fails the test. */
static const char *const expected[] = {
    "gain",
    "attrs",
    "multi",
    "ratios",
    "stateful",
    "rave",
    "slow",
    "throws",
    "bad_outputs",
    "batch",
    "fixture_effects",
    "fixture_demo_attributes",
    "fixture_demo_mc",
};

static void check_labels(const cJSON *json, const char *const *labels, int count, const char *what)
{
    assert_int_equal(cJSON_GetArraySize(json), count);
    for (int i = 0; i < count; i++) {
        const char *want = cJSON_GetArrayItem(json, i)->valuestring;
        if (strcmp(want, labels[i]) != 0)
            fail_msg("%s label %d: expected '%s', got '%s'", what, i, want, labels[i]);
    }
}

static void check_value(const nn_value *got, const cJSON *want, const char *attribute, int i)
{
    switch (got->type) {
    case NN_TYPE_BOOL:
        if (!cJSON_IsBool(want) || cJSON_IsTrue(want) != got->b)
            fail_msg("attribute %s value %d: bool mismatch", attribute, i);
        return;
    case NN_TYPE_INT:
        if (!cJSON_IsNumber(want) || want->valuedouble != (double)got->i)
            fail_msg("attribute %s value %d: expected %g, got %lld", attribute, i, want->valuedouble,
                     (long long)got->i);
        return;
    case NN_TYPE_FLOAT:
        if (!cJSON_IsNumber(want) || fabs(want->valuedouble - got->f) > 1e-12)
            fail_msg("attribute %s value %d: expected %.17g, got %.17g", attribute, i, want->valuedouble, got->f);
        return;
    case NN_TYPE_STRING:
    case NN_TYPE_TENSOR:
    case NN_TYPE_BUFFER:
        if (!cJSON_IsString(want) || strcmp(want->valuestring, got->s) != 0)
            fail_msg("attribute %s value %d: expected '%s', got '%s'", attribute, i,
                     cJSON_IsString(want) ? want->valuestring : "(not a string)", got->s);
        return;
    }
    fail_msg("attribute %s value %d: unknown type %d", attribute, i, (int)got->type);
}

static void check_model(const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "meta/%s.json", name);
    cJSON *meta = test_read_json(test_path("NN_TEST_MODELS", file));
    const char *path = cJSON_GetObjectItem(meta, "file")->valuestring;
    nn_model *model = test_load(path);
    nn_error err;
    print_message("%s: %s\n", name, path);

    const cJSON *methods = cJSON_GetObjectItem(meta, "methods");
    assert_int_equal(nn_model_method_count(model), cJSON_GetArraySize(methods));
    int max_ratio = 1;
    for (int m = 0; m < cJSON_GetArraySize(methods); m++) {
        const cJSON *jm = cJSON_GetArrayItem(methods, m);
        const nn_method_info *info = nn_model_method(model, m);
        assert_non_null(info);
        assert_string_equal(info->name, cJSON_GetObjectItem(jm, "name")->valuestring);
        const cJSON *p = cJSON_GetObjectItem(jm, "params");
        int params[4] = {info->in_channels, info->in_ratio, info->out_channels, info->out_ratio};
        for (int k = 0; k < 4; k++)
            assert_int_equal(params[k], cJSON_GetArrayItem(p, k)->valueint);
        max_ratio = params[1] > max_ratio ? params[1] : max_ratio;
        max_ratio = params[3] > max_ratio ? params[3] : max_ratio;
        check_labels(cJSON_GetObjectItem(jm, "input_labels"), info->input_labels, info->in_channels, info->name);
        check_labels(cJSON_GetObjectItem(jm, "output_labels"), info->output_labels, info->out_channels, info->name);
        assert_int_equal(nn_model_method_find(model, info->name), m);
    }
    assert_int_equal(nn_model_max_ratio(model), max_ratio);

    const cJSON *attributes = cJSON_GetObjectItem(meta, "attributes");
    assert_int_equal(nn_model_attribute_count(model), cJSON_GetArraySize(attributes));
    for (int a = 0; a < cJSON_GetArraySize(attributes); a++) {
        const cJSON *ja = cJSON_GetArrayItem(attributes, a);
        const nn_attribute_info *info = nn_model_attribute(model, a);
        assert_string_equal(info->name, cJSON_GetObjectItem(ja, "name")->valuestring);
        const cJSON *types = cJSON_GetObjectItem(ja, "types");
        assert_int_equal(info->count, cJSON_GetArraySize(types));
        for (int i = 0; i < info->count; i++)
            assert_int_equal(info->types[i], cJSON_GetArrayItem(types, i)->valueint);
        nn_value_list values = {0, NULL};
        TEST_OK(nn_model_attribute_get(model, a, &values, &err), err);
        const cJSON *jv = cJSON_GetObjectItem(ja, "values");
        assert_int_equal(values.count, cJSON_GetArraySize(jv));
        for (int i = 0; i < values.count; i++) {
            assert_int_equal(values.values[i].type, info->types[i]);
            check_value(&values.values[i], cJSON_GetArrayItem(jv, i), info->name, i);
        }
        nn_value_list_clear(&values);
        assert_int_equal(nn_model_attribute_find(model, info->name), a);
    }

    const cJSON *buffers = cJSON_GetObjectItem(meta, "buffer_attributes");
    assert_int_equal(nn_model_buffer_count(model), cJSON_GetArraySize(buffers));
    for (int b = 0; b < nn_model_buffer_count(model); b++)
        assert_string_equal(nn_model_buffer_name(model, b), cJSON_GetArrayItem(buffers, b)->valuestring);
    assert_int_equal(nn_model_has_sample_rate(model), cJSON_IsTrue(cJSON_GetObjectItem(meta, "has_set_sample_rate")));
    assert_string_equal(nn_model_path(model), path);
    nn_model_free(model);
    cJSON_Delete(meta);
}

static void every_expected_model(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
        check_model(expected[i]);
}

/* Models added to the generator later are checked too. */
static void every_meta_file(void **state)
{
    (void)state;
    const char *dir = test_path("NN_TEST_MODELS", "meta");
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("missing %s (build the 'models' target)", dir);
    int checked = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(n - 5), e->d_name);
        check_model(name);
        checked++;
    }
    closedir(d);
    assert_true(checked >= (int)(sizeof expected / sizeof *expected));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_expected_model),
        cmocka_unit_test(every_meta_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
