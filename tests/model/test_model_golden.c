/* nn~ in C — nn_model_run against Python torch on every golden entry.
 * SPDX-License-Identifier: MIT
 *
 * The generator ran each deterministic method of each model (and of the IRCAM
 * fixtures) once on a freshly loaded model, applying the contract's
 * decimation and zero-order hold in Python, and wrote input and output as raw
 * float32. One nn_model_run call on a freshly loaded model must give the same
 * samples within 1e-6. "stream" entries (a long signal in one call) are run
 * the same way.
 */
#include "model_test.h"

#include <math.h>

#define TOLERANCE 1e-6

static const char *golden_file(const cJSON *entry, const char *key)
{
    char name[512];
    snprintf(name, sizeof name, "golden/%s", cJSON_GetObjectItem(entry, key)->valuestring);
    return test_path("NN_TEST_MODELS", name);
}

static int int_of(const cJSON *entry, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(entry, key);
    if (!cJSON_IsNumber(v))
        fail_msg("golden entry without '%s'", key);
    return v->valueint;
}

static void run_entry(const cJSON *entry)
{
    const char *id = cJSON_GetObjectItem(entry, "id")->valuestring;
    const char *method = cJSON_GetObjectItem(entry, "method")->valuestring;
    int batch = int_of(entry, "batch"), frames = int_of(entry, "frames");
    int in_ch = int_of(entry, "in_channels"), out_ch = int_of(entry, "out_channels");
    nn_model *model = test_load(cJSON_GetObjectItem(entry, "model")->valuestring);
    int index = nn_model_method_find(model, method);
    if (index < 0)
        fail_msg("%s: method '%s' not found", id, method);
    const nn_method_info *info = nn_model_method(model, index);
    assert_int_equal(info->in_channels, in_ch);
    assert_int_equal(info->out_channels, out_ch);

    size_t n_in = (size_t)batch * (size_t)in_ch * (size_t)frames;
    size_t n_out = (size_t)batch * (size_t)out_ch * (size_t)frames;
    float *input = test_read_f32(golden_file(entry, "input"), n_in);
    float *want = test_read_f32(golden_file(entry, "output"), n_out);
    float *got = malloc(n_out * sizeof *got);
    assert_non_null(got);
    nn_error err;
    TEST_OK(nn_model_run(model, index, batch, frames, input, got, &err), err);
    double max_err = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < n_out; i++) {
        double e = fabs((double)got[i] - (double)want[i]);
        if (!(e <= max_err)) {
            max_err = e;
            worst = i;
        }
    }
    print_message("%-34s max abs error %.3g\n", id, max_err);
    if (!(max_err <= TOLERANCE))
        fail_msg("%s: max abs error %g at sample %zu (got %.9g, expected %.9g)", id, max_err, worst, (double)got[worst],
                 (double)want[worst]);
    free(input);
    free(want);
    free(got);
    nn_model_free(model);
}

static void every_golden_entry(void **state)
{
    (void)state;
    char *text = test_read_file(test_path("NN_TEST_MODELS", "golden/manifest.json"), NULL);
    cJSON *manifest = cJSON_Parse(text);
    free(text);
    assert_non_null(manifest);
    int blocks = 0, fixtures = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, manifest)
    {
        run_entry(entry);
        const char *kind = cJSON_GetObjectItem(entry, "kind")->valuestring;
        blocks += strcmp(kind, "block") == 0;
        fixtures += strncmp(cJSON_GetObjectItem(entry, "id")->valuestring, "fixture_", 8) == 0;
    }
    print_message("%d entries, %d blocks, %d on IRCAM fixtures\n", cJSON_GetArraySize(manifest), blocks, fixtures);
    /* Every generated model and every fixture method has a block entry. */
    assert_true(blocks >= 30);
    assert_true(fixtures >= 12);
    cJSON_Delete(manifest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_golden_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
