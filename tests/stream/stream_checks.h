/* nn~ in C — exactness checks shared by the stream tests: impulse position and Python torch goldens.
 * SPDX-License-Identifier: MIT
 *
 * The same two checks run in every mode. The impulse check puts a single 1
 * into gain.ts (y = x) and requires it to come out alone, exactly
 * nn_stream_latency() samples later. The golden check streams the signal the
 * generator ran once through Python torch (golden entries of kind "stream")
 * and requires the same samples, shifted by the latency, to within 1e-5.
 * THREADED mode depends on timing, so st_run_exact paces it: after each call
 * that hands a block to the inference thread, it waits (outside process(),
 * as an audio device waits for its next period) until that block has been
 * computed. The worker then never misses a deadline, and the hand-off is
 * checked for exactness, not for speed.
 */
#ifndef NN_STREAM_CHECKS_H
#define NN_STREAM_CHECKS_H

#include "stream_test.h"

#include "../model/model_test.h"

/* Push a mono signal through the stream in vectors of n. In THREADED mode,
 * wait after every completed block until the inference thread has run it,
 * so that no block is late; other modes never depend on timing. */
static inline void st_run_exact(nn_stream *stream, const float *in, float *out, size_t total, int n)
{
    if (nn_stream_mode_get(stream) != NN_STREAM_THREADED) {
        st_run_mono(stream, in, out, total, n);
        return;
    }
    const size_t b = (size_t)nn_stream_buffer_size(stream);
    assert_true(b > 0 && b % (size_t)n == 0);
    uint64_t submitted = nn_stream_blocks(stream);
    for (size_t pos = 0; pos < total; pos += (size_t)n) {
        const float *ins[1] = {in + pos};
        float *outs[1] = {out + pos};
        nn_stream_process(stream, ins, 1, outs, 1, n);
        if ((pos + (size_t)n) % b != 0)
            continue;
        submitted++;
        while (nn_stream_blocks(stream) < submitted)
            st_sleep(20e-6);
    }
}

/* Position of the only non-zero sample, -1 if none, -2 if more. */
static inline long st_only_nonzero(const float *out, size_t total, float *value)
{
    long at = -1;
    for (size_t i = 0; i < total; i++) {
        if (out[i] != 0.0f) {
            if (at >= 0)
                return -2;
            at = (long)i;
            *value = out[i];
        }
    }
    return at;
}

static inline int st_expected_latency(nn_stream_mode mode, int b, int n)
{
    return mode == NN_STREAM_SYNCHRONOUS ? b - n : 2 * b - n;
}

/* gain.ts with vectors of n and the given bufsize: an impulse at the start,
 * the middle and the end of a block each comes out exactly at the latency. */
static inline void st_check_impulse(int n, int buffer_size, nn_stream_mode mode)
{
    st_events events = {0};
    nn_stream *stream = st_new("gain.ts", "forward", buffer_size, mode, 1, &events);
    st_prepare(stream, 48000, n);
    nn_stream_wait_idle(stream);
    nn_stream_poll(stream);
    int b = nn_stream_buffer_size(stream);
    int latency = nn_stream_latency(stream);
    if (latency != st_expected_latency(mode, b, n))
        fail_msg("n=%d bufsize=%d mode=%d: latency %d, expected %d (B=%d)", n, buffer_size, (int)mode, latency,
                 st_expected_latency(mode, b, n), b);
    assert_int_equal(events.count[NN_EVENT_ERROR], 0);
    nn_stream_free(stream);

    size_t positions[3] = {0, (size_t)(3 * b + b / 2 + 1), (size_t)(6 * b - 1)};
    for (int k = 0; k < 3; k++) {
        size_t total = positions[k] + (size_t)latency + 2 * (size_t)b + (size_t)n;
        total = (total + (size_t)n - 1) / (size_t)n * (size_t)n;
        float *in = calloc(total, sizeof *in);
        float *out = calloc(total, sizeof *out);
        assert_non_null(in);
        assert_non_null(out);
        /* A fresh stream per phase keeps block alignment known (block 0 starts at sample 0). */
        st_events fresh_events = {0};
        nn_stream *fresh = st_new("gain.ts", "forward", buffer_size, mode, 1, &fresh_events);
        st_prepare(fresh, 48000, n);
        nn_stream_wait_idle(fresh);
        in[positions[k]] = 1.0f;
        st_run_exact(fresh, in, out, total, n);
        float value = 0;
        long at = st_only_nonzero(out, total, &value);
        if (at != (long)(positions[k] + (size_t)latency) || value != 1.0f)
            fail_msg("n=%d bufsize=%d mode=%d: impulse at %zu came out at %ld (value %g), expected at %zu", n,
                     buffer_size, (int)mode, positions[k], at, (double)value, positions[k] + (size_t)latency);
        if (nn_stream_overruns(fresh) != 0)
            fail_msg("n=%d bufsize=%d mode=%d: %llu overruns although every block was waited for", n, buffer_size,
                     (int)mode, (unsigned long long)nn_stream_overruns(fresh));
        nn_stream_poll(fresh);
        assert_int_equal(fresh_events.count[NN_EVENT_ERROR], 0);
        nn_stream_free(fresh);
        free(in);
        free(out);
    }
}

/* One golden entry of kind "stream": mono, batch 1. */
typedef struct st_golden {
    char model[64];
    char method[64];
    size_t frames;
    float *input;
    float *output;
} st_golden;

static inline void st_golden_read(const char *id, st_golden *g)
{
    cJSON *manifest = test_read_json(st_model_path("golden/manifest.json"));
    const cJSON *entry = NULL, *it = NULL;
    cJSON_ArrayForEach(it, manifest)
    {
        const cJSON *eid = cJSON_GetObjectItem(it, "id");
        if (cJSON_IsString(eid) && strcmp(eid->valuestring, id) == 0)
            entry = it;
    }
    if (!entry)
        fail_msg("golden entry %s is missing from golden/manifest.json", id);
    assert_string_equal(cJSON_GetObjectItem(entry, "kind")->valuestring, "stream");
    assert_int_equal(cJSON_GetObjectItem(entry, "batch")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(entry, "in_channels")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(entry, "out_channels")->valueint, 1);
    const char *model_path = cJSON_GetObjectItem(entry, "model")->valuestring;
    const char *model = strrchr(model_path, '/');
    snprintf(g->model, sizeof g->model, "%s", model ? model + 1 : model_path);
    snprintf(g->method, sizeof g->method, "%s", cJSON_GetObjectItem(entry, "method")->valuestring);
    g->frames = (size_t)cJSON_GetObjectItem(entry, "frames")->valuedouble;
    char path[512];
    snprintf(path, sizeof path, "golden/%s", cJSON_GetObjectItem(entry, "input")->valuestring);
    g->input = test_read_f32(st_model_path(path), g->frames);
    snprintf(path, sizeof path, "golden/%s", cJSON_GetObjectItem(entry, "output")->valuestring);
    g->output = test_read_f32(st_model_path(path), g->frames);
    cJSON_Delete(manifest);
}

static inline void st_golden_free(st_golden *g)
{
    free(g->input);
    free(g->output);
}

/* Stream the golden input in vectors of n: the output, shifted by the
 * latency, must match Python torch's one-shot output, after exact silence. */
static inline void st_check_golden(const st_golden *g, int n, int buffer_size, nn_stream_mode mode)
{
    st_events events = {0};
    nn_stream *stream = st_new(g->model, g->method, buffer_size, mode, 1, &events);
    st_prepare(stream, 48000, n);
    /* SYNCHRONOUS and THREADED modes do not wait for the first state: make it ready. */
    nn_stream_wait_idle(stream);
    int latency = nn_stream_latency(stream);
    assert_true(latency >= 0);
    size_t total = g->frames + (size_t)latency;
    total = (total + (size_t)n - 1) / (size_t)n * (size_t)n;
    float *in = calloc(total, sizeof *in);
    float *out = calloc(total, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    memcpy(in, g->input, g->frames * sizeof(float));
    st_run_exact(stream, in, out, total, n);
    if (nn_stream_latency(stream) != latency)
        fail_msg("%s.%s n=%d bufsize=%d mode=%d: latency %d after the run, %d before", g->model, g->method, n,
                 buffer_size, (int)mode, nn_stream_latency(stream), latency);
    for (size_t t = 0; t < (size_t)latency; t++)
        if (out[t] != 0.0f)
            fail_msg("%s.%s: output before the latency is not silent (out[%zu] = %g)", g->model, g->method, t,
                     (double)out[t]);
    double worst = 0;
    size_t worst_at = 0;
    for (size_t t = 0; t < g->frames; t++) {
        double d = fabs((double)out[t + (size_t)latency] - (double)g->output[t]);
        if (d > worst) {
            worst = d;
            worst_at = t;
        }
    }
    if (worst > 1e-5)
        fail_msg("%s.%s n=%d bufsize=%d mode=%d: differs from Python torch by %g at frame %zu (%g vs %g)", g->model,
                 g->method, n, buffer_size, (int)mode, worst, worst_at, (double)out[worst_at + (size_t)latency],
                 (double)g->output[worst_at]);
    if (nn_stream_overruns(stream) != 0)
        fail_msg("%s.%s n=%d bufsize=%d mode=%d: %llu overruns", g->model, g->method, n, buffer_size, (int)mode,
                 (unsigned long long)nn_stream_overruns(stream));
    nn_stream_poll(stream);
    assert_int_equal(events.count[NN_EVENT_ERROR], 0);
    free(in);
    free(out);
    nn_stream_free(stream);
}

#endif /* NN_STREAM_CHECKS_H */
