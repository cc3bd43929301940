/* nn~ in C — low-latency THREADED mode: a result plays D samples after its block is handed off.
 * SPDX-License-Identifier: MIT
 *
 * With the delay D below B, latency is B + D - n instead of 2B - n. Checked here:
 *  - an impulse comes out exactly nn_stream_latency() = B + D - n samples later for
 *    several n, B and D (D rounded up to a multiple of n, kept within [n, B]), with the
 *    THREADED calls paced like a device that is never late (as in test_stream_threaded);
 *  - streaming stateful.ts with D = n gives the same samples as the default mode, each
 *    aligned by its own latency (bit-exact: the same model calls on the same blocks);
 *  - auto (NN_DELAY_AUTO) picks a multiple of n within [n, B] from the measured compute
 *    time, small for a cheap model, and the compute statistics are consistent;
 *  - a block that is late plays as silence and counts as an overrun, and the notice
 *    says which setting to raise; nn_stream_set_delay swaps the setting in;
 *  - in auto mode late blocks raise D (never above B) and the latency follows;
 *  - in auto mode D comes back down, once, after a quiet stretch of quick blocks, with
 *    every sample accounted for (old latency, crossfade, new latency).
 * Under -DNN_SANITIZE=realtime every THREADED process() here is a real-time context.
 */
#include "stream_checks.h"

static nn_stream *open_delay(const char *name, int buffer_size, int delay, st_events *events)
{
    nn_stream_config config = nn_stream_config_default();
    config.buffer_size = buffer_size;
    config.delay = delay;
    config.on_event = events ? st_on_event : NULL;
    config.user = events;
    nn_stream *stream = NULL;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_new(st_load(name), &config, &stream, &err) != NN_OK)
        fail_msg("nn_stream_new(%s, delay %d): %s", name, delay, err.message);
    nn_stream_wait_idle(stream);
    return stream;
}

static void test_impulse(void **state)
{
    (void)state;
    static const struct {
        int n, b, delay, expected;
    } cases[] = {
        {64, 512, 64, 64},     {64, 512, 128, 128},  {64, 512, 256, 256},   {64, 512, 100, 128},
        {64, 512, 0, 512},     {64, 512, 4096, 512}, {32, 1024, 32, 32},    {32, 1024, 500, 512},
        {1, 256, 1, 1},        {1, 256, 17, 17},     {256, 1024, 256, 256}, {64, 2048, 192, 192},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = cases[i].n, b = cases[i].b;
        nn_stream *s = open_delay("gain.ts", b, cases[i].delay, NULL);
        st_prepare(s, 48000, n);
        assert_int_equal(nn_stream_delay(s), cases[i].expected);
        int latency = nn_stream_latency(s);
        assert_int_equal(latency, b + cases[i].expected - n);
        size_t total = (size_t)(6 * b);
        float *in = calloc(total, sizeof *in), *out = calloc(total, sizeof *out);
        assert_non_null(in);
        assert_non_null(out);
        size_t at = (size_t)b + (size_t)(3 * n) % (size_t)b;
        in[at] = 1.0f;
        st_run_exact(s, in, out, total, n);
        float value = 0;
        long got = st_only_nonzero(out, total, &value);
        if (got != (long)(at + (size_t)latency) || value != 1.0f)
            fail_msg("n=%d B=%d delay=%d: impulse at %zu came out at %ld (value %g), expected at %zu", n, b,
                     cases[i].delay, at, got, (double)value, at + (size_t)latency);
        assert_int_equal(nn_stream_overruns(s), 0);
        free(in);
        free(out);
        nn_stream_free(s);
    }
}

static void test_same_output_as_default(void **state)
{
    (void)state;
    const int n = 64, b = 512;
    const size_t total = 16 * 512;
    float *in = malloc(total * sizeof *in), *slow = calloc(total, sizeof *slow), *fast = calloc(total, sizeof *fast);
    assert_non_null(in);
    assert_non_null(slow);
    assert_non_null(fast);
    for (size_t i = 0; i < total; i++)
        in[i] = (float)sin(0.05 * (double)i) * 0.5f;
    nn_stream *a = open_delay("stateful.ts", b, NN_DELAY_BLOCK, NULL);
    nn_stream *c = open_delay("stateful.ts", b, n, NULL);
    st_prepare(a, 48000, n);
    st_prepare(c, 48000, n);
    st_run_exact(a, in, slow, total, n);
    st_run_exact(c, in, fast, total, n);
    int la = nn_stream_latency(a), lc = nn_stream_latency(c);
    assert_int_equal(la, 2 * b - n);
    assert_int_equal(lc, b);
    for (size_t i = 0; i + (size_t)la < total; i++)
        if (slow[i + (size_t)la] != fast[i + (size_t)lc])
            fail_msg("sample %zu: default %g, low latency %g", i, (double)slow[i + (size_t)la],
                     (double)fast[i + (size_t)lc]);
    nn_stream_free(a);
    nn_stream_free(c);
    free(in);
    free(slow);
    free(fast);
}

static void test_auto(void **state)
{
    (void)state;
    const int n = 64, b = 2048;
    nn_stream *s = open_delay("gain.ts", b, NN_DELAY_AUTO, NULL);
    st_prepare(s, 48000, n);
    int d = nn_stream_delay(s);
    assert_true(d >= n && d <= b && d % n == 0);
    /* gain.ts computes a block in microseconds: a few vectors at most. */
    assert_true(d <= b / 4);
    assert_int_equal(nn_stream_latency(s), b + d - n);
    size_t total = (size_t)(8 * b);
    float *in = calloc(total, sizeof *in), *out = calloc(total, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    st_run_exact(s, in, out, total, n);
    nn_compute_stats stats;
    assert_int_equal(nn_stream_compute_stats(s, &stats), NN_OK);
    assert_int_equal(stats.count, 8);
    assert_int_equal(stats.window, 8);
    assert_true(stats.p50 > 0 && stats.p50 <= stats.p99 && stats.p99 <= stats.max);
    assert_int_equal(nn_stream_compute_stats(NULL, &stats), NN_ERR_INVALID_ARGUMENT);
    free(in);
    free(out);
    nn_stream_free(s);
}

static void test_late_and_swap(void **state)
{
    (void)state;
    st_events events;
    memset(&events, 0, sizeof events);
    const int n = 64, b = 512;
    nn_stream *s = open_delay("slow.ts", b, n, &events);
    st_prepare(s, 48000, n);
    assert_int_equal(nn_stream_latency(s), b);
    float in[64] = {0}, out[64];
    const float *ins[1] = {in};
    float *outs[1] = {out};
    /* Back-to-back calls: slow.ts needs milliseconds a block, the delay gives it one vector. */
    for (int i = 0; i < 200; i++)
        nn_stream_process(s, ins, 1, outs, 1, n);
    assert_true(nn_stream_overruns(s) > 0);
    nn_stream_poll(s);
    assert_int_equal(events.count[NN_EVENT_OVERRUN], 1);
    assert_non_null(strstr(events.last_message, "raise the delay, now 64 samples, up to 512"));

    nn_error err;
    assert_int_equal(nn_stream_set_delay(s, -2, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_set_delay(s, 256, &err), NN_OK);
    nn_stream_wait_idle(s);
    for (int i = 0; i < b / n; i++) /* adopted at the next block boundary */
        nn_stream_process(s, ins, 1, outs, 1, n);
    assert_int_equal(nn_stream_delay(s), 256);
    assert_int_equal(nn_stream_latency(s), b + 256 - n);
    nn_stream_free(s);

    nn_stream_config config = nn_stream_config_default();
    config.delay = -3;
    nn_stream *bad = NULL;
    assert_int_equal(nn_stream_new(st_load("gain.ts"), &config, &bad, &err), NN_ERR_INVALID_ARGUMENT);
    assert_null(bad);
}

/* Auto mode raises D when blocks come late (one vector per overrun, or the measured
 * p99), never above B; the latency follows. */
static void test_auto_grows(void **state)
{
    (void)state;
    const int n = 64, b = 512;
    nn_stream *s = open_delay("slow.ts", b, NN_DELAY_AUTO, NULL);
    st_prepare(s, 48000, n);
    int first = nn_stream_delay(s);
    float in[64] = {0}, out[64];
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 400; i++) /* back to back: far faster than real time */
        nn_stream_process(s, ins, 1, outs, 1, n);
    int d = nn_stream_delay(s);
    assert_true(nn_stream_overruns(s) > 0);
    if (first < b)
        assert_true(d > first);
    assert_true(d <= b && d % n == 0);
    assert_int_equal(nn_stream_latency(s), b + d - n);
    nn_stream_free(s);
}

/* Auto mode moves D back down once the model has been quick for a while: slow.ts starts
 * with its default work (D from the warm-up runs, a large part of B), then `set work 1`
 * makes every call quick. Paced so that no block is late (stream_checks.h), after
 * SHRINK_WAIT_S (3 s) of audio and a window of quick blocks D drops by at least a vector,
 * once, and the latency follows. slow.ts computes y = x exactly, so every sample up to
 * a later change (D may grow again where the machine is slow) is checked: the input
 * delayed by the old latency before the switch, by the new one from the end of the
 * crossfade on, and in between a mix of the two with no step larger
 * than the signal's own plus what a 1 V jump spread over the crossfade gives. A poll
 * then gives one line with the delay and latency in use. */
static void test_auto_comes_down(void **state)
{
    (void)state;
    const int n = 64, b = 512, rate = 48000;
    st_events events;
    memset(&events, 0, sizeof events);
    nn_stream *s = open_delay("slow.ts", b, NN_DELAY_AUTO, &events);
    st_prepare(s, rate, n);
    const int first = nn_stream_delay(s), first_latency = nn_stream_latency(s);
    if (first < 4 * n)
        fail_msg("slow.ts with work 200 took under 3 vectors (D = %d): the test cannot see D come down", first);
    nn_value quick = {.type = NN_TYPE_INT, .i = 1};
    nn_error err;
    assert_int_equal(nn_stream_attribute_set(s, "work", &quick, 1, &err), NN_OK);

    const size_t total = (size_t)(10 * rate); /* room for a quiet window on a loaded machine */
    float *in = calloc(total, sizeof *in), *out = calloc(total, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < total; i++)
        in[i] = 0.5f * (float)sin(2.0 * 3.14159265358979 * 220.0 * (double)i / rate);
    /* The first change, and where the next one (if any) is: a slow machine (a sanitizer
     * build) may see the quick calls' p99 rise past the new D, which then grows again. */
    long switched = -1, next_change = (long)total;
    int last = first, second = first;
    uint64_t submitted = nn_stream_blocks(s);
    for (size_t pos = 0; pos < total; pos += (size_t)n) {
        const float *ins[1] = {in + pos};
        float *outs[1] = {out + pos};
        nn_stream_process(s, ins, 1, outs, 1, n);
        int d = nn_stream_delay(s);
        if (d != last && switched < 0) {
            switched = (long)pos; /* D changes at a switch, which is at a vector's start */
            second = d;
        } else if (d != last && next_change == (long)total) {
            next_change = (long)pos;
        }
        last = d;
        if ((pos + (size_t)n) % (size_t)b == 0) {
            submitted++;
            while (nn_stream_blocks(s) < submitted)
                st_sleep(20e-6);
        }
    }
    const int latency = b + second - n;
    print_message("auto delay %d -> %d samples at sample %ld (latency %d -> %d), %d at the end\n", first, second,
                  switched, first_latency, latency, nn_stream_delay(s));
    assert_int_equal(nn_stream_overruns(s), 0);
    assert_true(second <= first - n && second >= n && second % n == 0);
    assert_true(nn_stream_delay(s) < first);
    assert_int_equal(first_latency, b + first - n);
    assert_int_equal(nn_stream_latency(s), b + nn_stream_delay(s) - n);
    assert_true(switched >= 3 * rate);
    assert_true(next_change - switched >= 2 * b); /* something after the crossfade is checked */
    /* One line says what is in use now (at most one a second: one here, polled once). */
    nn_stream_poll(s);
    assert_int_equal(events.count[NN_EVENT_INFO], 1);
    char said[160];
    snprintf(said, sizeof said, "auto delay now %d samples: latency %d samples (%.1f ms)", nn_stream_delay(s),
             nn_stream_latency(s), 1e3 * nn_stream_latency(s) / rate);
    assert_string_equal(events.last_message, said);
    nn_stream_poll(s); /* nothing moved since */
    assert_int_equal(events.count[NN_EVENT_INFO], 1);

    const int skip = first - second;
    int fade = skip < 256 ? skip : 256;
    if (fade > b - skip)
        fade = b - skip;
    float steepest = 0.0f;
    for (size_t t = (size_t)first_latency; t < (size_t)next_change; t++) {
        long at = (long)t;
        float old_x = in[t - (size_t)first_latency];
        float new_x = in[t - (size_t)latency];
        if (at < switched)
            assert_true(out[t] == old_x);
        else if (at >= switched + fade)
            assert_true(out[t] == new_x);
        else if (out[t] < fminf(old_x, new_x) - 1e-6f || out[t] > fmaxf(old_x, new_x) + 1e-6f)
            fail_msg("sample %zu in the crossfade (%g) is not between %g and %g", t, (double)out[t], (double)old_x,
                     (double)new_x);
        if (t > (size_t)first_latency && fabsf(out[t] - out[t - 1]) > steepest)
            steepest = fabsf(out[t] - out[t - 1]);
    }
    float natural = (float)(0.5 * 2.0 * 3.14159265358979 * 220.0 / rate);
    print_message("steepest step %.4f (the sine's own: %.4f)\n", (double)steepest, (double)natural);
    assert_true(steepest <= natural + 1.0f / (float)(fade + 1) + 1e-4f);
    free(in);
    free(out);
    nn_stream_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impulse),
        cmocka_unit_test(test_same_output_as_default),
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_late_and_swap),
        cmocka_unit_test(test_auto_grows),
        cmocka_unit_test(test_auto_comes_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
