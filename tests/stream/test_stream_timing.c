/* nn~ in C — a timed message (set, get, enable) lands on a known block, whatever the threads do.
 * SPDX-License-Identifier: MIT
 *
 * A `set` sent between two process() calls must take effect on the first model
 * call for a block that starts at or after that point, in SYNCHRONOUS, THREADED
 * and OFFLINE mode, however late the control and inference threads run. Two
 * checks, each with the CPU made busy by spinning threads:
 *  - the "loadbang" case: a fresh stream, `set gain 0.25` right after prepare and
 *    DSP at once, 50 times per mode, bit-exact every time;
 *  - a render with the gain changed every few vectors (some messages in the middle
 *    of a block, some on a boundary): the output must be Python torch's when it
 *    applies the same values before the predicted blocks (ceil(position / B)),
 *    shifted by the latency, bit-exact.
 * THREADED runs are paced like an audio device that is never late (st_run_exact's
 * rule), so the only freedom left is the threads' timing, which must not show.
 */
#include "stream_checks.h"

#include <stdatomic.h>

#define N 64
#define B 512

static atomic_bool spin_stop;

static void *spin(void *arg)
{
    (void)arg;
    volatile unsigned long sink = 0;
    while (!atomic_load_explicit(&spin_stop, memory_order_relaxed))
        sink++;
    return NULL;
}

typedef struct busy {
    pthread_t threads[3];
} busy;

static void busy_start(busy *b)
{
    atomic_store(&spin_stop, false);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&b->threads[i], NULL, spin, NULL), 0);
}

static void busy_stop(busy *b)
{
    atomic_store(&spin_stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(b->threads[i], NULL);
}

static void set_gain(nn_stream *s, double gain)
{
    nn_value v = {.type = NN_TYPE_FLOAT, .f = gain};
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_attribute_set(s, "gain", &v, 1, &err) != NN_OK)
        fail_msg("set gain: %s", err.message);
}

/* One vector; in THREADED mode wait until a block it completed has been computed. */
static void step(nn_stream *s, const float *in, float *out, uint64_t *expected_blocks, size_t pos)
{
    const float *ins[1] = {in};
    float *outs[1] = {out};
    nn_stream_process(s, ins, 1, outs, 1, N);
    if (nn_stream_mode_get(s) != NN_STREAM_THREADED || (pos + N) % (size_t)nn_stream_buffer_size(s) != 0)
        return;
    (*expected_blocks)++;
    while (nn_stream_blocks(s) < *expected_blocks)
        st_sleep(20e-6);
}

static void signal_fill(float *x, size_t total)
{
    for (size_t i = 0; i < total; i++)
        x[i] = (float)(0.5 * sin(0.01 * (double)i) + 0.25 * sin(0.173 * (double)i));
}

static const struct {
    int buffer_size;
    nn_stream_mode mode;
    const char *name;
} modes[] = {
    {0, NN_STREAM_SYNCHRONOUS, "synchronous"},
    {B, NN_STREAM_THREADED, "threaded"},
    {B, NN_STREAM_OFFLINE, "offline"},
};

static void test_loadbang(void **state)
{
    (void)state;
    enum { RUNS = 50, TOTAL = 4 * B };
    static float x[TOTAL], y[TOTAL];
    signal_fill(x, TOTAL);
    busy spinners;
    busy_start(&spinners);
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        for (int run = 0; run < RUNS; run++) {
            nn_stream *s = st_new("gain.ts", "forward", modes[m].buffer_size, modes[m].mode, 1, NULL);
            nn_stream_wait_idle(s); /* as the objects do after creating a stream */
            st_prepare(s, 48000, N);
            set_gain(s, 0.25); /* loadbang */
            uint64_t blocks = nn_stream_blocks(s);
            for (size_t pos = 0; pos < TOTAL; pos += N)
                step(s, x + pos, y + pos, &blocks, pos);
            int latency = nn_stream_latency(s);
            assert_true(latency >= 0);
            for (size_t i = 0; i < (size_t)latency; i++)
                if (y[i] != 0.0f)
                    fail_msg("%s run %d: sample %zu before the latency is %g", modes[m].name, run, i, (double)y[i]);
            for (size_t i = (size_t)latency; i < TOTAL; i++)
                if (y[i] != x[i - (size_t)latency] * 0.25f)
                    fail_msg("%s run %d: sample %zu is %g, expected %g (the set did not land on block 0)",
                             modes[m].name, run, i, (double)y[i], (double)(x[i - (size_t)latency] * 0.25f));
            nn_stream_free(s);
        }
    }
    busy_stop(&spinners);
}

static void test_schedule(void **state)
{
    (void)state;
    enum { BLOCKS = 48, TOTAL = BLOCKS * B, VECTORS = TOTAL / N, MAX_CHANGES = 128 };
    static float x[TOTAL], y[TOTAL], ref[TOTAL];
    signal_fill(x, TOTAL);

    /* Messages before vectors 3, 3+5, ... (steps of 3..13 vectors; B/N = 8 vectors a
     * block, so some land on a boundary, most in the middle of a block). */
    int at_vector[MAX_CHANGES];
    double gains[MAX_CHANGES];
    int changes = 0;
    unsigned seed = 12345;
    for (int v = 3; v < VECTORS - 8 && changes < MAX_CHANGES; changes++) {
        at_vector[changes] = v;
        gains[changes] = 0.1 + 0.07 * changes;
        seed = seed * 1103515245u + 12345u;
        v += 3 + (int)((seed >> 16) % 11);
    }
    int on_boundary = 0;
    for (int c = 0; c < changes; c++)
        on_boundary += (at_vector[c] * N) % B == 0;
    assert_true(on_boundary > 0 && on_boundary < changes);

    /* Python torch, with each value set before block ceil(position / B). */
    char before[4096], after[8192];
    snprintf(before, sizeof before, "%s forward %d", st_model_path("gain.ts"), B);
    size_t used = 0;
    for (int c = 0; c < changes; c++) {
        long position = (long)at_vector[c] * N;
        long block = (position + B - 1) / B;
        used += (size_t)snprintf(after + used, sizeof after - used, " %ld:gain:%.17g", block, gains[c]);
        assert_true(used < sizeof after);
    }
    after[used] = '\0';
    st_python_reference(NN_TESTS_DIR "/timed_reference.py", before, after, x, ref, TOTAL);

    busy spinners;
    busy_start(&spinners);
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        int buffer_size = modes[m].buffer_size ? modes[m].buffer_size : B;
        nn_stream *s = st_new("gain.ts", "forward", buffer_size, modes[m].mode, 1, NULL);
        nn_stream_wait_idle(s);
        st_prepare(s, 48000, N);
        uint64_t blocks = nn_stream_blocks(s);
        int next = 0;
        for (int v = 0; v < VECTORS; v++) {
            while (next < changes && at_vector[next] == v)
                set_gain(s, gains[next++]);
            step(s, x + (size_t)v * N, y + (size_t)v * N, &blocks, (size_t)v * N);
        }
        int latency = nn_stream_latency(s);
        assert_int_equal(latency, modes[m].mode == NN_STREAM_SYNCHRONOUS ? B - N : 2 * B - N);
        assert_int_equal(nn_stream_overruns(s), 0);
        for (size_t i = (size_t)latency; i < TOTAL; i++)
            if (y[i] != ref[i - (size_t)latency])
                fail_msg("%s: output sample %zu (block %zu) is %.9g, Python torch gives %.9g", modes[m].name, i,
                         (i - (size_t)latency) / B, (double)y[i], (double)ref[i - (size_t)latency]);
        nn_stream_free(s);
    }
    busy_stop(&spinners);
}

/* `get` answers in order with the `set`s before it, also before DSP starts. */
static void test_get_after_set(void **state)
{
    (void)state;
    st_events events;
    memset(&events, 0, sizeof events);
    nn_stream *s = st_new("gain.ts", "forward", B, NN_STREAM_THREADED, 1, &events);
    nn_stream_wait_idle(s);
    st_prepare(s, 48000, N);
    set_gain(s, 0.75);
    nn_error err;
    assert_int_equal(nn_stream_attribute_get(s, "gain", &err), NN_OK);
    nn_stream_wait_idle(s);
    nn_stream_poll(s);
    assert_int_equal(events.count[NN_EVENT_ATTRIBUTE_SET], 1);
    assert_int_equal(events.count[NN_EVENT_ATTRIBUTE_VALUE], 1);
    assert_string_equal(events.last_value, "0.75");
    nn_stream_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loadbang),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_get_after_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
