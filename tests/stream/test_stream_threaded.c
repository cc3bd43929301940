/* nn~ in C — THREADED mode's lock-free hand-off is exact: impulse at the latency, Python torch goldens.
 * SPDX-License-Identifier: MIT
 *
 * process() runs in THREADED mode on the test's thread, which plays the audio
 * thread, and the stream's own inference thread runs the blocks. The test
 * paces the calls (st_run_exact): after each call that completed a block it
 * waits, outside process(), until nn_stream_blocks() says that block was
 * computed. No block can then be late, so the output depends only on the
 * hand-off: no overrun, an impulse on gain.ts comes out exactly
 * nn_stream_latency() = 2B - n samples later (vectors of 1, 32, 64, 512 and
 * B = n, 512, 1024, 4096), and streaming gain.forward, stateful.forward and
 * ratios.encode gives Python torch's one-shot output to within 1e-5. Under
 * -DNN_SANITIZE=realtime the engine brackets every THREADED process() as
 * real-time, so this test also proves the paced path RT-safe; under
 * ThreadSanitizer it checks the slot and ring hand-off between the threads.
 */
#include "stream_checks.h"

static void test_impulse(void **state)
{
    (void)state;
    const int sizes[] = {1, 32, 64, 512};
    const int buffers[] = {512, 1024, 4096};
    for (int i = 0; i < 4; i++) {
        int n = sizes[i];
        if (n < buffers[0])
            st_check_impulse(n, n, NN_STREAM_THREADED); /* B = n: latency n */
        for (int j = 0; j < 3; j++)
            st_check_impulse(n, buffers[j], NN_STREAM_THREADED);
    }
}

static void check_entry(const char *id)
{
    st_golden g;
    st_golden_read(id, &g);
    static const struct {
        int n, buffer_size;
    } runs[] = {
        {1, 512}, {32, 1024}, {64, 512}, {64, 4096}, {512, 512}, {512, 2048}, {4096, 4096},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        st_check_golden(&g, runs[i].n, runs[i].buffer_size, NN_STREAM_THREADED);
    st_golden_free(&g);
}

/* Named after the golden entry, whose id is the test state. */
static void test_entry(void **state)
{
    check_entry(*state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impulse),
        {"gain.forward.stream", test_entry, NULL, NULL, "gain.forward.stream"},
        {"stateful.forward.stream", test_entry, NULL, NULL, "stateful.forward.stream"},
        {"ratios.encode.stream", test_entry, NULL, NULL, "ratios.encode.stream"},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
