/* nn~ in C — streaming through the engine equals one Python torch call on the whole signal.
 * SPDX-License-Identifier: MIT
 *
 * For each golden entry of kind "stream" (gain.forward, stateful.forward,
 * ratios.encode) the generator ran the method once on the whole signal in
 * Python torch. Streaming the same signal through the engine, in host
 * vectors of 1, 32, 64, 100, 512 and 4096 samples and with several buffer
 * sizes, in OFFLINE and SYNCHRONOUS mode, must give the same samples once
 * shifted by nn_stream_latency(): stateless and stateful models alike (the
 * model's streaming cache carries over between blocks).
 */
#include "stream_test.h"

#include <cjson/cJSON.h>

static char *read_text(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (build the 'models' target)", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
    data[len] = '\0';
    fclose(f);
    if (size)
        *size = (size_t)len;
    return data;
}

typedef struct golden {
    char model[64];
    char method[64];
    size_t frames;
    float *input;
    float *output;
} golden;

static void golden_read(const char *id, golden *g)
{
    char *text = read_text(st_model_path("golden/manifest.json"), NULL);
    cJSON *manifest = cJSON_Parse(text);
    free(text);
    if (!manifest)
        fail_msg("golden/manifest.json is not valid JSON");
    const cJSON *entry = NULL, *it = NULL;
    cJSON_ArrayForEach(it, manifest)
    {
        const cJSON *eid = cJSON_GetObjectItem(it, "id");
        if (cJSON_IsString(eid) && strcmp(eid->valuestring, id) == 0)
            entry = it;
    }
    if (!entry)
        fail_msg("golden entry %s is missing from golden/manifest.json", id);
    const char *kind = cJSON_GetObjectItem(entry, "kind")->valuestring;
    assert_string_equal(kind, "stream");
    assert_int_equal(cJSON_GetObjectItem(entry, "batch")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(entry, "in_channels")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(entry, "out_channels")->valueint, 1);
    const char *model = strrchr(cJSON_GetObjectItem(entry, "model")->valuestring, '/');
    snprintf(g->model, sizeof g->model, "%s", model ? model + 1 : cJSON_GetObjectItem(entry, "model")->valuestring);
    snprintf(g->method, sizeof g->method, "%s", cJSON_GetObjectItem(entry, "method")->valuestring);
    g->frames = (size_t)cJSON_GetObjectItem(entry, "frames")->valuedouble;
    char path[512];
    size_t size = 0;
    snprintf(path, sizeof path, "golden/%s", cJSON_GetObjectItem(entry, "input")->valuestring);
    g->input = (float *)read_text(st_model_path(path), &size);
    assert_int_equal(size, g->frames * sizeof(float));
    snprintf(path, sizeof path, "golden/%s", cJSON_GetObjectItem(entry, "output")->valuestring);
    g->output = (float *)read_text(st_model_path(path), &size);
    assert_int_equal(size, g->frames * sizeof(float));
    cJSON_Delete(manifest);
}

static void check_stream(const golden *g, int n, int buffer_size, nn_stream_mode mode)
{
    st_events events = {0};
    nn_stream *stream = st_new(g->model, g->method, buffer_size, mode, 1, &events);
    st_prepare(stream, 48000, n);
    int latency = nn_stream_latency(stream);
    assert_true(latency >= 0);
    size_t total = g->frames + (size_t)latency;
    total = (total + (size_t)n - 1) / (size_t)n * (size_t)n;
    float *in = calloc(total, sizeof *in);
    float *out = calloc(total, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    memcpy(in, g->input, g->frames * sizeof(float));
    /* SYNCHRONOUS mode does not wait for the first state: make it ready. */
    nn_stream_wait_idle(stream);
    st_run_mono(stream, in, out, total, n);
    if (nn_stream_latency(stream) != latency)
        fail_msg("%s.%s n=%d bufsize=%d mode=%d: latency %d after the run, %d before", g->model, g->method, n,
                 buffer_size, (int)mode, nn_stream_latency(stream), latency);
    double worst = 0;
    size_t worst_at = 0;
    for (size_t t = 0; t < g->frames; t++) {
        double d = fabs((double)out[t + (size_t)latency] - (double)g->output[t]);
        if (d > worst) {
            worst = d;
            worst_at = t;
        }
    }
    for (size_t t = 0; t < (size_t)latency; t++)
        if (out[t] != 0.0f)
            fail_msg("%s.%s: output before the latency is not silent (out[%zu] = %g)", g->model, g->method, t,
                     (double)out[t]);
    if (worst > 1e-5)
        fail_msg("%s.%s n=%d bufsize=%d mode=%d: differs from Python torch by %g at frame %zu (%g vs %g)", g->model,
                 g->method, n, buffer_size, (int)mode, worst, worst_at, (double)out[worst_at + (size_t)latency],
                 (double)g->output[worst_at]);
    assert_int_equal(nn_stream_overruns(stream), 0);
    nn_stream_poll(stream);
    assert_int_equal(events.count[NN_EVENT_ERROR], 0);
    free(in);
    free(out);
    nn_stream_free(stream);
}

static void check_entry(const char *id)
{
    golden g;
    golden_read(id, &g);
    static const struct {
        int n, buffer_size;
        nn_stream_mode mode;
    } runs[] = {
        {64, 4096, NN_STREAM_OFFLINE},   {1, 256, NN_STREAM_OFFLINE},      {100, 0, NN_STREAM_SYNCHRONOUS},
        {64, 0, NN_STREAM_SYNCHRONOUS},  {512, 2048, NN_STREAM_OFFLINE},   {32, 1024, NN_STREAM_SYNCHRONOUS},
        {4096, 4096, NN_STREAM_OFFLINE}, {4096, 0, NN_STREAM_SYNCHRONOUS},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        check_stream(&g, runs[i].n, runs[i].buffer_size, runs[i].mode);
    free(g.input);
    free(g.output);
}

static void test_gain(void **state)
{
    (void)state;
    check_entry("gain.forward.stream");
}

static void test_stateful(void **state)
{
    (void)state;
    check_entry("stateful.forward.stream");
}

static void test_ratios_encode(void **state)
{
    (void)state;
    check_entry("ratios.encode.stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gain),
        cmocka_unit_test(test_stateful),
        cmocka_unit_test(test_ratios_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
