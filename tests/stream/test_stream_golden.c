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
