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
#include "stream_checks.h"

static void check_entry(const char *id)
{
    st_golden g;
    st_golden_read(id, &g);
    static const struct {
        int n, buffer_size;
        nn_stream_mode mode;
    } runs[] = {
        {64, 4096, NN_STREAM_OFFLINE},   {1, 256, NN_STREAM_OFFLINE},      {100, 0, NN_STREAM_SYNCHRONOUS},
        {64, 0, NN_STREAM_SYNCHRONOUS},  {512, 2048, NN_STREAM_OFFLINE},   {32, 1024, NN_STREAM_SYNCHRONOUS},
        {4096, 4096, NN_STREAM_OFFLINE}, {4096, 0, NN_STREAM_SYNCHRONOUS},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        st_check_golden(&g, runs[i].n, runs[i].buffer_size, runs[i].mode);
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
        {"gain.forward.stream", test_entry, NULL, NULL, "gain.forward.stream"},
        {"stateful.forward.stream", test_entry, NULL, NULL, "stateful.forward.stream"},
        {"ratios.encode.stream", test_entry, NULL, NULL, "ratios.encode.stream"},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
