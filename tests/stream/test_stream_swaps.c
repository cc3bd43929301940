/* nn~ in C — 1000 random swaps while an audio thread keeps processing.
 * SPDX-License-Identifier: MIT
 *
 * An audio thread runs process() continuously on a constant input while the
 * main thread fires random load / method / buffer size (including 0, the
 * synchronous mode, and back) / reload / set commands and polls events. With
 * a DC input of 0.5, every model used here outputs a constant: 0.5 * gain for
 * gain.ts, 0.5 for every method of ratios.ts. So every output vector must be
 * uniform and one of those values or silence: anything else is a torn swap,
 * stale memory or garbage. The ASan build checks for leaks and invalid
 * accesses, the TSan build for data races on the hand-off.
 */
#include "stream_test.h"

#include <pthread.h>
#include <stdatomic.h>

enum { N = 64 };

static const float gains[] = {0.25f, 0.5f, 1.0f, 2.0f};

typedef struct audio {
    nn_stream *stream;
    atomic_bool stop;
    atomic_long vectors, garbage, audible;
    float bad_value;
} audio;

static bool allowed(float v)
{
    if (v == 0.0f || fabsf(v - 0.5f) < 1e-6f)
        return true;
    for (size_t i = 0; i < sizeof gains / sizeof gains[0]; i++)
        if (fabsf(v - 0.5f * gains[i]) < 1e-6f)
            return true;
    return false;
}

static void *audio_main(void *arg)
{
    audio *a = arg;
    st_realtime_priority();
    float in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = 0.5f;
    const float *ins[1] = {in};
    float *outs[1] = {out};
    while (!atomic_load(&a->stop)) {
        nn_stream_process(a->stream, ins, 1, outs, 1, N);
        bool uniform = true;
        for (int i = 1; i < N; i++)
            uniform = uniform && out[i] == out[0];
        if (!uniform || !allowed(out[0])) {
            if (atomic_fetch_add(&a->garbage, 1) == 0)
                a->bad_value = uniform ? out[0] : out[N - 1];
        }
        if (out[0] != 0.0f)
            atomic_fetch_add(&a->audible, 1);
        atomic_fetch_add(&a->vectors, 1);
        st_sleep(0.0003);
    }
    return NULL;
}

static void test_random_swaps(void **state)
{
    (void)state;
    st_events events = {0};
    nn_stream *stream = st_new("gain.ts", "forward", 256, NN_STREAM_THREADED, 1, &events);
    st_prepare(stream, 48000, N);
    const char *models[2] = {st_model_path("gain.ts"), st_model_path("ratios.ts")};
    const int sizes[] = {0, 64, 128, 256, 512, 1024, 2048, 4096};

    audio a = {.stream = stream};
    atomic_init(&a.stop, false);
    atomic_init(&a.vectors, 0);
    atomic_init(&a.garbage, 0);
    atomic_init(&a.audible, 0);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, audio_main, &a), 0);

    srand(1234);
    int refused_at_once = 0;
    for (int i = 0; i < 1000; i++) {
        nn_error err;
        nn_error_clear(&err);
        nn_status status = NN_OK;
        switch (rand() % 5) {
        case 0: status = nn_stream_load(stream, models[rand() % 2], &err); break;
        case 1: {
            const nn_model *model = nn_stream_model(stream);
            int count = nn_model_method_count(model);
            status = nn_stream_set_method(stream, nn_model_method(model, rand() % count)->name, &err);
            break;
        }
        case 2: status = nn_stream_set_buffer_size(stream, sizes[rand() % 8], &err); break;
        case 3: status = nn_stream_reload(stream, &err); break;
        default: {
            nn_value v = {.type = NN_TYPE_FLOAT, .f = gains[rand() % 4]};
            status = nn_stream_attribute_set(stream, "gain", &v, 1, &err);
            break;
        }
        }
        if (status != NN_OK) {
            /* Only a set on ratios.ts (no 'gain') may be refused at once. */
            assert_int_equal(status, NN_ERR_UNKNOWN_ATTRIBUTE);
            refused_at_once++;
        }
        nn_stream_poll(stream);
        /* Let some swaps land while audio runs, and let others pile up. */
        if (i % 4 == 0)
            while (nn_stream_busy(stream)) {
                nn_stream_poll(stream);
                st_sleep(0.001);
            }
    }
    nn_stream_wait_idle(stream);
    nn_stream_poll(stream);

    /* The engine still works after all that: a known final configuration. */
    assert_int_equal(nn_stream_load(stream, models[0], NULL), NN_OK);
    assert_int_equal(nn_stream_set_buffer_size(stream, 128, NULL), NN_OK);
    nn_stream_wait_idle(stream);
    nn_stream_poll(stream);
    nn_value two = {.type = NN_TYPE_FLOAT, .f = 2.0};
    assert_int_equal(nn_stream_attribute_set(stream, "gain", &two, 1, NULL), NN_OK);
    nn_stream_wait_idle(stream);
    long before = atomic_load(&a.vectors);
    while (atomic_load(&a.vectors) < before + 200)
        st_sleep(0.002);
    atomic_store(&a.stop, true);
    pthread_join(thread, NULL);
    nn_stream_poll(stream);

    print_message("%ld vectors, %ld audible, %d LOADED, %d errors, %d refused at once, %llu overruns\n",
                  atomic_load(&a.vectors), atomic_load(&a.audible), events.count[NN_EVENT_LOADED],
                  events.count[NN_EVENT_ERROR], refused_at_once, (unsigned long long)nn_stream_overruns(stream));
    if (atomic_load(&a.garbage) != 0)
        fail_msg("%ld output vectors were neither silence nor a valid model output (e.g. %g)", atomic_load(&a.garbage),
                 (double)a.bad_value);
    assert_true(events.count[NN_EVENT_LOADED] > 100);
    assert_true(atomic_load(&a.audible) > 0);

    /* The last configuration plays 0.5 * 2 = 1.0, with B = 128. */
    float in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = 0.5f;
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 64; i++)
        nn_stream_process(stream, ins, 1, outs, 1, N);
    assert_int_equal(nn_stream_buffer_size(stream), 128);
    assert_int_equal(nn_stream_mode_get(stream), NN_STREAM_THREADED);
    assert_string_equal(nn_stream_method(stream)->name, "forward");
    nn_stream_free(stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_swaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
