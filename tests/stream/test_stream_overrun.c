/* nn~ in C — THREADED mode never waits; a late block is one silent block and one overrun.
 * SPDX-License-Identifier: MIT
 *
 * slow.ts does busy work on every call. The test paces process() like an
 * audio device (slower than the model, so blocks are ready), then calls it
 * as fast as possible (faster than the model can follow), then paces it
 * again. Whatever the timing, every output block after the first must be
 * either the model's output or silence, the number of silent blocks must
 * equal the overrun counter, and no process() call may take a sizeable part
 * of the model's compute time (it never waits for the worker). OFFLINE mode
 * on the same model drops nothing and reproduces the input at the latency.
 */
#include "stream_test.h"

enum { N = 64, B = 256, VECTORS_PER_BLOCK = B / N };

/* Busy-work iterations per call, chosen so that one block takes about 100 ms:
 * a scheduling hiccup of the test thread on a loaded machine then stays far
 * below a tenth of the compute time, and sanitizer builds (where the same work
 * is much slower) do not take minutes. */
static int work = 200;

static void set_work(nn_model *model, int value)
{
    nn_value v = {.type = NN_TYPE_INT, .i = value};
    nn_error err;
    if (nn_model_attribute_set(model, nn_model_attribute_find(model, "work"), &v, 1, &err) != NN_OK)
        fail_msg("slow.ts: set work: %s", err.message);
}

static double measure_compute(void)
{
    nn_model *model = st_load("slow.ts");
    double t = st_block_time(model, B, 3);
    if (t < 0.1) {
        work = (int)(200 * 0.1 / (t > 1e-4 ? t : 1e-4));
        work = work > 20000 ? 20000 : work;
        set_work(model, work);
        t = st_block_time(model, B, 3);
    }
    nn_model_free(model);
    return t;
}

static void test_threaded_never_waits(void **state)
{
    (void)state;
    double compute = measure_compute();
    st_events events = {0};
    nn_stream *stream = st_new("slow.ts", "forward", B, NN_STREAM_THREADED, 1, &events);
    st_prepare(stream, 48000, N);
    nn_value v = {.type = NN_TYPE_INT, .i = work};
    nn_error err;
    assert_int_equal(nn_stream_attribute_set(stream, "work", &v, 1, &err), NN_OK);
    nn_stream_wait_idle(stream);
    assert_int_equal(nn_stream_latency(stream), 2 * B - N);

    /* Phases in blocks: paced, burst, paced. */
    const int phases[3] = {5, 40, 5};
    const double pace[3] = {2.0 * compute / VECTORS_PER_BLOCK, 0.0, 2.0 * compute / VECTORS_PER_BLOCK};
    float in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = 0.25f + 0.5f * (float)i / N;
    const float *ins[1] = {in};
    float *outs[1] = {out};

    bool realtime = st_realtime_priority();
    double max_process = 0;
    int max_at = -1;
    int vector = 0, silent = 0, played = 0, block_silent = 0, block_played = 0;
    /* Three vectors before the first boundary, then whole output blocks. */
    int total_vectors = VECTORS_PER_BLOCK - 1 + VECTORS_PER_BLOCK * (phases[0] + phases[1] + phases[2]);
    for (int phase = 0, left = phases[0] * VECTORS_PER_BLOCK + VECTORS_PER_BLOCK - 1; vector < total_vectors;
         vector++) {
        while (left == 0)
            left = phases[++phase] * VECTORS_PER_BLOCK;
        left--;
        double t0 = st_now();
        nn_stream_process(stream, ins, 1, outs, 1, N);
        double dt = st_now() - t0;
        if (dt > max_process) {
            max_process = dt;
            max_at = vector;
        }
        bool zero = true, same = true;
        for (int i = 0; i < N; i++) {
            zero = zero && out[i] == 0.0f;
            same = same && fabsf(out[i] - in[i]) < 1e-6f;
        }
        if (!zero && !same)
            fail_msg("vector %d is neither silence nor the model's output (out[0] = %g)", vector, (double)out[0]);
        int index = vector - (VECTORS_PER_BLOCK - 1); /* position from the first boundary */
        if (index >= 0) {
            block_silent += zero;
            block_played += same && !zero;
            if (index % VECTORS_PER_BLOCK == VECTORS_PER_BLOCK - 1) {
                if (block_silent != 0 && block_played != 0)
                    fail_msg("output block %d mixes silence and output", index / VECTORS_PER_BLOCK);
                /* Block 0 is the start-up block (nothing computed yet). */
                if (index / VECTORS_PER_BLOCK > 0) {
                    silent += block_silent != 0;
                    played += block_played != 0;
                }
                block_silent = block_played = 0;
            }
        } else if (!zero) {
            fail_msg("vector %d before the first block boundary is not silent", vector);
        }
        if (pace[phase] > 0)
            st_sleep(pace[phase]);
    }
    if (realtime)
        st_normal_priority();
    uint64_t overruns = nn_stream_overruns(stream);
    print_message("compute %.3f ms per block, max process() %.3f us (vector %d, %s priority), %d played, %d silent, "
                  "%llu overruns\n",
                  compute * 1e3, max_process * 1e6, max_at, realtime ? "real-time" : "normal", played, silent,
                  (unsigned long long)overruns);
    assert_int_equal(overruns, (uint64_t)silent);
    assert_true(overruns > 0);
    assert_true(played > 0);
    if (!(max_process < compute / 10))
        fail_msg("process() took %.3f ms, the model %.3f ms per block: the audio thread waited", max_process * 1e3,
                 compute * 1e3);
    nn_stream_poll(stream);
    assert_int_equal(events.count[NN_EVENT_OVERRUN], 1);
    assert_true(events.last_overrun_count > 0 && events.last_overrun_count <= overruns);
    assert_int_equal(events.count[NN_EVENT_ERROR], 0);
    nn_stream_free(stream);
}

static void test_offline_drops_nothing(void **state)
{
    (void)state;
    nn_stream *stream = st_new("slow.ts", "forward", B, NN_STREAM_OFFLINE, 1, NULL);
    st_prepare(stream, 48000, N);
    int latency = nn_stream_latency(stream);
    assert_int_equal(latency, 2 * B - N);
    const size_t total = 24 * B;
    float *in = malloc(total * sizeof *in), *out = malloc(total * sizeof *out);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < total; i++)
        in[i] = sinf((float)i * 0.01f);
    st_run_mono(stream, in, out, total, N);
    for (size_t i = 0; i + (size_t)latency < total; i++)
        if (fabsf(out[i + (size_t)latency] - in[i]) > 1e-6f)
            fail_msg("OFFLINE output differs from the input at %zu (%g vs %g)", i, (double)out[i + (size_t)latency],
                     (double)in[i]);
    assert_int_equal(nn_stream_overruns(stream), 0);
    /* Every block whose output was played was computed (the last one may still be running). */
    assert_true(nn_stream_blocks(stream) >= total / B - 1);
    free(in);
    free(out);
    nn_stream_free(stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threaded_never_waits),
        cmocka_unit_test(test_offline_drops_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
