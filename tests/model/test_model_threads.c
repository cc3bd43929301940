/* nn~ in C — models used from worker threads, as the stream engine does.
 * SPDX-License-Identifier: MIT
 *
 * A model is loaded on one thread and run on another (the engine's worker),
 * and several models run at the same time on several threads. Each run must
 * still match Python torch's golden output exactly; the thread setting made
 * on the main thread must not break runs on workers.
 */
#include "model_test.h"

#include <math.h>
#include <pthread.h>

typedef struct job {
    nn_model *model;
    const char *method;
    int in_channels;
    int out_channels;
    const float *input;
    const float *want;
    int rounds;
    nn_status status;
    double max_err;
    char message[NN_ERROR_MESSAGE_SIZE];
} job;

enum { FRAMES = 4096 };

static void *run_job(void *arg)
{
    job *j = arg;
    int method = nn_model_method_find(j->model, j->method);
    float *out = malloc((size_t)j->out_channels * FRAMES * sizeof *out);
    nn_error err;
    nn_error_clear(&err);
    j->status = NN_OK;
    for (int r = 0; r < j->rounds && j->status == NN_OK; r++) {
        j->status = nn_model_run(j->model, method, 1, FRAMES, j->input, out, &err);
        for (int i = 0; j->status == NN_OK && i < j->out_channels * FRAMES; i++) {
            double e = fabs((double)out[i] - (double)j->want[i]);
            j->max_err = e > j->max_err || e != e ? e : j->max_err;
        }
    }
    snprintf(j->message, sizeof j->message, "%s", err.message);
    free(out);
    return NULL;
}

static job make_job(const char *model_name, const char *method, int in_ch, int out_ch, int rounds)
{
    char file[256];
    job j = {0};
    snprintf(file, sizeof file, "%s.ts", model_name);
    j.model = test_load(test_path("NN_TEST_MODELS", file));
    j.method = method;
    j.in_channels = in_ch;
    j.out_channels = out_ch;
    j.rounds = rounds;
    snprintf(file, sizeof file, "golden/%s.%s.in.f32", model_name, method);
    j.input = test_read_f32(test_path("NN_TEST_MODELS", file), (size_t)in_ch * FRAMES);
    snprintf(file, sizeof file, "golden/%s.%s.out.f32", model_name, method);
    j.want = test_read_f32(test_path("NN_TEST_MODELS", file), (size_t)out_ch * FRAMES);
    return j;
}

static void check_job(job *j)
{
    print_message("%s on a worker: %s, max abs error %.3g\n", j->method, nn_strerror(j->status), j->max_err);
    if (j->status != NN_OK)
        fail_msg("%s: %s", j->method, j->message);
    if (!(j->max_err <= 1e-6))
        fail_msg("%s: max abs error %g", j->method, j->max_err);
    free((float *)j->input);
    free((float *)j->want);
    nn_model_free(j->model);
}

static void loaded_here_run_there(void **state)
{
    (void)state;
    job j = make_job("rave", "encode", 1, 16, 3);
    pthread_t worker;
    assert_int_equal(pthread_create(&worker, NULL, run_job, &j), 0);
    pthread_join(worker, NULL);
    check_job(&j);
}

static void concurrent_models(void **state)
{
    (void)state;
    /* Two intra-op threads per call, set from this thread, applied on workers.
     * Not under ThreadSanitizer: libgomp's and OpenBLAS's own threads are not
     * instrumented, so their barriers are invisible to it and it reports
     * races inside libtorch's kernels. */
#ifdef NN_TSAN
    nn_backend_set_threads(1);
#else
    nn_backend_set_threads(2);
#endif
    job jobs[3] = {make_job("rave", "forward", 1, 1, 3), make_job("rave", "decode", 16, 1, 3),
                   make_job("gain", "forward", 1, 1, 20)};
    pthread_t workers[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&workers[i], NULL, run_job, &jobs[i]), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(workers[i], NULL);
    for (int i = 0; i < 3; i++)
        check_job(&jobs[i]);
    nn_backend_set_threads(1);
    assert_int_equal(nn_backend_threads(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loaded_here_run_there),
        cmocka_unit_test(concurrent_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
