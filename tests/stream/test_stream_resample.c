/* nn~ in C — a model at its own sample rate in a stream at another rate: Python reference, latency, modes.
 * SPDX-License-Identifier: MIT
 *
 * rate44k.ts declares 44100 Hz and echoes its input 441 samples later (10 ms at its rate).
 * In a 48 kHz stream the engine resamples: the test compares the output with
 * resample_reference.py (the whole signal through the system's libsamplerate by ctypes, the
 * same converter type, the model in torch on blocks of B, and back) once shifted by
 * nn_stream_latency(), in OFFLINE, SYNCHRONOUS and THREADED mode (the THREADED run paced as
 * in test_stream_threaded, so RealtimeSanitizer checks that path). The echo must come 480
 * host samples after the impulse (10 ms at 48 kHz), not 441 (what the model without
 * resampling gives, also checked). The first `latency` samples are silence; a host at the
 * model's rate adds nothing; a host-rate change rebuilds the resampler.
 */
#include "stream_checks.h"


enum { HOST = 48000, MODEL = 44100, N = 64, B = 4096, TOTAL = 96000 };

/* Streaming (libsamplerate in chunks of a block) against one src_simple call on the whole
 * signal: the same filter phases on the same samples, so no more than float rounding. Measured:
 * 0 (bit-identical) in every mode; the tolerance allows for another libsamplerate build. */
#define TOLERANCE 1e-5

static void noise(float *x, size_t count, uint32_t seed)
{
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = 0.5f * ((float)(seed >> 8) / 8388608.0f - 1.0f);
    }
}

/* resample_reference.py on `x` (TOTAL samples at HOST) with model blocks of `block`. */
static void reference(const char *method, int block, const float *x, float *ref)
{
    char args[4096];
    snprintf(args, sizeof args, "%s %s %d %d %d", st_model_path("rate44k.ts"), method, HOST, MODEL, block);
    st_python_reference(NN_TESTS_DIR "/resample_reference.py", args, "", x, ref, TOTAL);
}

static nn_stream *resampling_stream(const char *method, int buffer_size, nn_stream_mode mode, bool resample,
                                    double rate)
{
    nn_stream_config config = nn_stream_config_default();
    config.method = method;
    config.buffer_size = buffer_size;
    config.mode = mode;
    config.resample = resample;
    nn_stream *s = NULL;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_new(st_load("rate44k.ts"), &config, &s, &err) != NN_OK)
        fail_msg("nn_stream_new failed: %s", err.message);
    nn_stream_wait_idle(s);
    st_prepare(s, rate, N);
    nn_stream_wait_idle(s);
    /* Again, now that the state for this rate is built: prepare adopts it, so the
     * queries describe it before the first process(). */
    st_prepare(s, rate, N);
    nn_stream_poll(s);
    return s;
}

/* The output after `latency` against the reference; returns the largest difference. */
static double compare(const float *out, const float *ref, int latency, const char *what)
{
    for (int i = 0; i < latency; i++)
        if (out[i] != 0.0f)
            fail_msg("%s: sample %d of the first %d (the latency) is %g, not silence", what, i, latency, out[i]);
    /* The reference's last samples come from libsamplerate's end-of-input flush. */
    int compared = TOTAL - latency - 2048;
    assert_true(compared > TOTAL / 4);
    double worst = 0.0;
    int at = 0;
    for (int i = 0; i < compared; i++) {
        double d = fabs((double)out[latency + i] - (double)ref[i]);
        if (d > worst) {
            worst = d;
            at = i;
        }
    }
    double energy = 0.0;
    for (int i = 0; i < compared; i++)
        energy += (double)ref[i] * (double)ref[i];
    if (!(sqrt(energy / compared) > 0.01))
        fail_msg("%s: the reference is (nearly) silent: rms %g", what, sqrt(energy / compared));
    fprintf(stderr, "%s: latency %d, %d samples compared, max |engine - reference| %.3g (at %d)\n", what, latency,
            compared, worst, at);
    if (worst > TOLERANCE)
        fail_msg("%s: differs from the Python reference by %g at %d (tolerance %g)", what, worst, at, TOLERANCE);
    return worst;
}

static void test_modes_match_python(void **state)
{
    (void)state;
    float *x = malloc(TOTAL * sizeof *x), *ref = malloc(TOTAL * sizeof *ref), *ref_sync = malloc(TOTAL * sizeof *ref);
    float *offline = malloc(TOTAL * sizeof *x), *out = malloc(TOTAL * sizeof *x);
    assert_true(x && ref && ref_sync && offline && out);
    noise(x, TOTAL, 7);
    reference("forward", B, x, ref);

    nn_stream *s = resampling_stream("forward", B, NN_STREAM_OFFLINE, true, HOST);
    assert_int_equal(nn_stream_model_rate(s), MODEL);
    int latency = nn_stream_latency(s);
    int added = latency - (2 * B - N);
    /* At least one model block at the model's rate (B·48/44.1) waits in the FIFO. */
    assert_true(added > B * HOST / MODEL - 64 && added < B * HOST / MODEL + 512);
    st_run_exact(s, x, offline, TOTAL, N);
    compare(offline, ref, latency, "OFFLINE B=4096");
    nn_stream_free(s);

    /* THREADED, paced so that no block is late: the same output, bit for bit. */
    s = resampling_stream("forward", B, NN_STREAM_THREADED, true, HOST);
    assert_int_equal(nn_stream_latency(s), latency);
    st_run_exact(s, x, out, TOTAL, N);
    assert_int_equal(nn_stream_overruns(s), 0);
    compare(out, ref, latency, "THREADED B=4096");
    assert_memory_equal(out, offline, TOTAL * sizeof *out);
    nn_stream_free(s);

    /* SYNCHRONOUS (buffer size 0): blocks of 64 = the largest ratio and the vector. */
    s = resampling_stream("forward", 0, NN_STREAM_SYNCHRONOUS, true, HOST);
    assert_int_equal(nn_stream_buffer_size(s), 64);
    int sync_latency = nn_stream_latency(s);
    assert_true(sync_latency > 0 && sync_latency < 400);
    st_run_exact(s, x, out, TOTAL, N);
    reference("forward", 64, x, ref_sync);
    compare(out, ref_sync, sync_latency, "SYNCHRONOUS B=64");
    nn_stream_free(s);

    /* A latent output (ratio 64) is held at the host's rate, not filtered. */
    reference("encode", B, x, ref);
    s = resampling_stream("encode", B, NN_STREAM_OFFLINE, true, HOST);
    st_run_exact(s, x, out, TOTAL, N);
    compare(out, ref, nn_stream_latency(s), "OFFLINE encode (held)");
    nn_stream_free(s);

    free(x);
    free(ref);
    free(ref_sync);
    free(offline);
    free(out);
}

/* The two largest samples of out: the impulse and its echo. */
static void two_peaks(const float *out, size_t total, long *first, long *second)
{
    *first = *second = -1;
    for (size_t i = 0; i < total; i++) {
        if (*first < 0 || out[i] > out[*first]) {
            *second = *first;
            *first = (long)i;
        } else if (*second < 0 || out[i] > out[*second]) {
            *second = (long)i;
        }
    }
    if (*second < *first) {
        long t = *first;
        *first = *second;
        *second = t;
    }
}

static void impulse_echo(bool resample, double rate, long *delay, long *echo, int *model_rate)
{
    enum { AT = 10000 };
    float *x = calloc(TOTAL, sizeof *x), *out = calloc(TOTAL, sizeof *out);
    assert_true(x && out);
    x[AT] = 1.0f;
    nn_stream *s = resampling_stream("forward", B, NN_STREAM_OFFLINE, resample, rate);
    *model_rate = nn_stream_model_rate(s);
    int latency = nn_stream_latency(s);
    st_run_exact(s, x, out, TOTAL, N);
    /* A band-limited impulse: its peak, not a single sample. */
    long first, second;
    for (size_t i = 0; i < TOTAL; i++)
        if (out[i] < 0.2f)
            out[i] = 0.0f;
    two_peaks(out, TOTAL, &first, &second);
    *delay = first - AT - latency;
    *echo = second - first;
    nn_stream_free(s);
    free(x);
    free(out);
}

static void test_echo_in_tune(void **state)
{
    (void)state;
    long delay, echo;
    int rate;
    impulse_echo(true, HOST, &delay, &echo, &rate);
    assert_int_equal(rate, MODEL);
    assert_int_equal(delay, 0);  /* the impulse comes out exactly `latency` samples later */
    assert_int_equal(echo, 480); /* 10 ms at 48 kHz */

    /* Resampling off: the model runs at the host's rate and its echo comes too early. */
    impulse_echo(false, HOST, &delay, &echo, &rate);
    assert_int_equal(rate, HOST);
    assert_int_equal(delay, 0);
    assert_int_equal(echo, 441);

    /* A host at the model's rate: nothing to resample, nothing added. */
    impulse_echo(true, MODEL, &delay, &echo, &rate);
    assert_int_equal(rate, MODEL);
    assert_int_equal(delay, 0);
    assert_int_equal(echo, 441);
}

static void test_latency_follows_rate(void **state)
{
    (void)state;
    nn_stream *s = resampling_stream("forward", B, NN_STREAM_OFFLINE, true, MODEL);
    assert_int_equal(nn_stream_latency(s), 2 * B - N);
    float zero[N] = {0}, sink[N];
    const float *ins[1] = {zero};
    float *outs[1] = {sink};
    nn_error err;
    nn_error_clear(&err);
    /* A host-rate change rebuilds the state with a resampler, and back. */
    assert_int_equal(nn_stream_prepare(s, HOST, N, &err), NN_OK);
    nn_stream_process(s, ins, 1, outs, 1, N);
    assert_int_equal(nn_stream_model_rate(s), MODEL);
    assert_true(nn_stream_latency(s) > 2 * B - N);
    assert_int_equal(nn_stream_prepare(s, MODEL, N, &err), NN_OK);
    nn_stream_process(s, ins, 1, outs, 1, N);
    assert_int_equal(nn_stream_latency(s), 2 * B - N);
    /* Switching resampling off and on is a swap too. */
    assert_int_equal(nn_stream_prepare(s, HOST, N, &err), NN_OK);
    assert_int_equal(nn_stream_set_resample(s, false, &err), NN_OK);
    nn_stream_process(s, ins, 1, outs, 1, N);
    assert_int_equal(nn_stream_model_rate(s), HOST);
    assert_int_equal(nn_stream_latency(s), 2 * B - N);
    assert_int_equal(nn_stream_set_resample(s, true, &err), NN_OK);
    nn_stream_process(s, ins, 1, outs, 1, N);
    assert_int_equal(nn_stream_model_rate(s), MODEL);
    assert_true(nn_stream_latency(s) > 2 * B - N);
    nn_stream_free(s);

    /* The declared rate is the file's, whatever the host set afterwards. */
    nn_model_config config = nn_model_config_default();
    config.sample_rate = HOST;
    nn_model *m = NULL;
    assert_int_equal(nn_model_load(st_model_path("rate44k.ts"), &config, &m, &err), NN_OK);
    assert_int_equal(nn_model_declared_sample_rate(m), MODEL);
    assert_int_equal(nn_model_sample_rate(m), HOST);
    nn_model_free(m);
    assert_int_equal(nn_model_load(st_model_path("gain.ts"), &config, &m, &err), NN_OK);
    assert_int_equal(nn_model_declared_sample_rate(m), -1);
    nn_model_free(m);
}

/* Re-enabling starts afresh: the resampler's FIFOs hold no audio from before the pause, so
 * the first `latency` samples after it are silence, as for a fresh stream, in every mode. */
static void test_enable_restarts(void **state)
{
    (void)state;
    const struct {
        int buffer_size;
        nn_stream_mode mode;
    } modes[] = {{B, NN_STREAM_OFFLINE}, {B, NN_STREAM_THREADED}, {0, NN_STREAM_SYNCHRONOUS}};
    float *x = malloc(TOTAL * sizeof *x), *out = malloc(TOTAL * sizeof *out);
    assert_true(x && out);
    noise(x, TOTAL, 11);
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        nn_stream *s = resampling_stream("forward", modes[m].buffer_size, modes[m].mode, true, HOST);
        int latency = nn_stream_latency(s);
        enum { PAUSE_AT = 40000 - 40000 % N };
        st_run_exact(s, x, out, PAUSE_AT, N);
        float sink[N];
        const float *ins[1] = {x};
        float *outs[1] = {sink};
        nn_stream_set_enabled(s, false);
        nn_stream_process(s, ins, 1, outs, 1, N);
        nn_stream_set_enabled(s, true);
        st_run_exact(s, x + PAUSE_AT, out + PAUSE_AT, TOTAL - PAUSE_AT, N);
        for (int i = 0; i < latency; i++)
            if (out[PAUSE_AT + i] != 0.0f)
                fail_msg("mode %d: sample %d after re-enabling is %g, not silence (latency %d)", (int)modes[m].mode, i,
                         out[PAUSE_AT + i], latency);
        double level = 0.0;
        for (int i = latency; i < TOTAL - PAUSE_AT; i++)
            level += fabs(out[PAUSE_AT + i]);
        assert_true(level > 100.0); /* and then it plays */
        nn_stream_free(s);
    }
    free(x);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes_match_python),
        cmocka_unit_test(test_echo_in_tune),
        cmocka_unit_test(test_latency_follows_rate),
        cmocka_unit_test(test_enable_restarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
