/* nn~ in C — an impulse comes out of the engine exactly nn_stream_latency() samples later.
 * SPDX-License-Identifier: MIT
 *
 * gain.ts (y = x) in SYNCHRONOUS and OFFLINE mode (OFFLINE behaves like
 * THREADED with the same 2B - n latency, but waits for each block, so the
 * result is deterministic), host vector sizes 1, 32, 64 and 512 and several
 * buffer sizes. ratios.ts identity_64 checks the same with decimation and
 * hold: the impulse must sit on the last sample of a 64-sample group to
 * survive, and then fills the held group that ends exactly at the latency.
 * THREADED mode, paced so that no block is late, is checked the same way in
 * test_stream_threaded.c.
 */
#include "stream_checks.h"

static void test_synchronous(void **state)
{
    (void)state;
    const int sizes[] = {1, 32, 64, 512};
    for (int i = 0; i < 4; i++) {
        int n = sizes[i];
        st_check_impulse(n, 0, NN_STREAM_SYNCHRONOUS); /* B = n, latency 0 */
        st_check_impulse(n, 512 > n ? 512 : n, NN_STREAM_SYNCHRONOUS);
        st_check_impulse(n, 2048, NN_STREAM_SYNCHRONOUS);
    }
}

static void test_offline(void **state)
{
    (void)state;
    const int sizes[] = {1, 32, 64, 512};
    for (int i = 0; i < 4; i++) {
        int n = sizes[i];
        st_check_impulse(n, n, NN_STREAM_OFFLINE); /* B = n: latency n */
        st_check_impulse(n, 1024, NN_STREAM_OFFLINE);
        st_check_impulse(n, 4096, NN_STREAM_OFFLINE);
    }
}

/* bufsize 0 with a vector larger than the largest ratio raises B to n. */
static void test_synchronous_raise(void **state)
{
    (void)state;
    nn_stream *stream = st_new("ratios.ts", "identity_64", 0, NN_STREAM_THREADED, 1, NULL);
    st_prepare(stream, 48000, 256);
    nn_stream_wait_idle(stream);
    float in[256] = {0}, out[256];
    const float *ins[1] = {in};
    float *outs[1] = {out};
    nn_stream_process(stream, ins, 1, outs, 1, 256);
    assert_int_equal(nn_stream_mode_get(stream), NN_STREAM_SYNCHRONOUS);
    /* ratios.ts's largest ratio is 2048, so B = lcm(2048, 256) = 2048. */
    assert_int_equal(nn_stream_buffer_size(stream), 2048);
    assert_int_equal(nn_stream_latency(stream), 2048 - 256);
    nn_stream_free(stream);

    stream = st_new("gain.ts", "forward", 0, NN_STREAM_THREADED, 1, NULL);
    st_prepare(stream, 48000, 64);
    nn_stream_wait_idle(stream);
    float in64[64] = {0}, out64[64];
    ins[0] = in64;
    outs[0] = out64;
    nn_stream_process(stream, ins, 1, outs, 1, 64);
    assert_int_equal(nn_stream_buffer_size(stream), 64);
    assert_int_equal(nn_stream_latency(stream), 0);
    nn_stream_free(stream);
}

static void check_held_impulse(int n, int buffer_size, nn_stream_mode mode)
{
    const int ratio = 64;
    nn_stream *stream = st_new("ratios.ts", "identity_64", buffer_size, mode, 1, NULL);
    st_prepare(stream, 48000, n);
    nn_stream_wait_idle(stream);
    int b = nn_stream_buffer_size(stream);
    int latency = nn_stream_latency(stream);
    assert_true(latency >= 0);
    size_t pos = (size_t)(2 * b + 5 * ratio + ratio - 1);
    size_t total = pos + (size_t)latency + 2 * (size_t)b + (size_t)n;
    total = (total + (size_t)n - 1) / (size_t)n * (size_t)n;
    float *in = calloc(total, sizeof *in);
    float *out = calloc(total, sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    in[pos] = 1.0f;
    st_run_mono(stream, in, out, total, n);
    size_t end = pos + (size_t)latency; /* last sample of the held group */
    for (size_t i = 0; i < total; i++) {
        float want = (i + (size_t)ratio > end && i <= end) ? 1.0f : 0.0f;
        if (out[i] != want)
            fail_msg("identity_64 n=%d bufsize=%d: out[%zu] = %g, expected %g (impulse at %zu, latency %d)", n,
                     buffer_size, i, (double)out[i], (double)want, pos, latency);
    }
    free(in);
    free(out);
    nn_stream_free(stream);
}

static void test_ratio_hold(void **state)
{
    (void)state;
    check_held_impulse(64, 2048, NN_STREAM_OFFLINE);
    check_held_impulse(32, 4096, NN_STREAM_SYNCHRONOUS);
    check_held_impulse(512, 0, NN_STREAM_SYNCHRONOUS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synchronous),
        cmocka_unit_test(test_offline),
        cmocka_unit_test(test_synchronous_raise),
        cmocka_unit_test(test_ratio_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
