/* nn~ in C — raw backend speed: nn_model_run per block, without the stream engine.
 * SPDX-License-Identifier: MIT
 *
 * Times one nn_model_run call per block for gain.ts (forward) and rave.ts
 * (forward, encode, decode) at B = 2048 and 4096 with one intra-op thread,
 * and prints JSON: per-block median, p99 and max in microseconds, the
 * real-time factor at 48 kHz (median block time / block duration; below 1
 * keeps up), and the BLAS library actually mapped. These are the floor the
 * stream engine's own overhead is measured against.
 *
 * Usage: bench_backend [MODELS_DIR] [--iterations N]
 * MODELS_DIR defaults to $NN_TEST_MODELS, else <this program's dir>/../models.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_RATE 48000.0
#define WARMUP 5

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void models_dir(int argc, char **argv, char *out, size_t size)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--iterations") == 0) {
            i++;
            continue;
        }
        snprintf(out, size, "%s", argv[i]);
        return;
    }
    const char *env = getenv("NN_TEST_MODELS");
    if (env && *env) {
        snprintf(out, size, "%s", env);
        return;
    }
    char exe[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, size, "%s/../models", exe);
}

/* Returns false (after printing why on stderr) when the case cannot run. */
static bool bench_case(nn_model *model, const char *file, const char *method_name, int block, int iterations,
                       bool first)
{
    int method = nn_model_method_find(model, method_name);
    const nn_method_info *info = nn_model_method(model, method);
    if (!info) {
        fprintf(stderr, "bench_backend: %s has no method '%s'\n", file, method_name);
        return false;
    }
    size_t n_in = (size_t)info->in_channels * (size_t)block, n_out = (size_t)info->out_channels * (size_t)block;
    float *in = malloc(n_in * sizeof *in), *out = malloc(n_out * sizeof *out);
    double *times = malloc((size_t)iterations * sizeof *times);
    if (!in || !out || !times) {
        fprintf(stderr, "bench_backend: out of memory\n");
        exit(1);
    }
    unsigned seed = 1;
    for (size_t i = 0; i < n_in; i++) {
        seed = seed * 1103515245u + 12345u;
        in[i] = (float)((seed >> 9) & 0xffff) / 65536.0f - 0.5f;
    }
    nn_error err;
    bool ok = true;
    for (int i = 0; i < WARMUP + iterations && ok; i++) {
        double t0 = now_us();
        ok = nn_model_run(model, method, 1, block, in, out, &err) == NN_OK;
        if (i >= WARMUP)
            times[i - WARMUP] = now_us() - t0;
    }
    if (ok) {
        qsort(times, (size_t)iterations, sizeof *times, compare_double);
        double median = times[iterations / 2];
        int p99_index = (int)((double)(iterations - 1) * 0.99 + 0.5);
        double block_us = (double)block / SAMPLE_RATE * 1e6;
        printf("%s    {\"model\": \"%s\", \"method\": \"%s\", \"block\": %d, \"iterations\": %d, "
               "\"median_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"block_us\": %.1f, \"rtf\": %.4f}",
               first ? "" : ",\n", file, method_name, block, iterations, median, times[p99_index],
               times[iterations - 1], block_us, median / block_us);
    } else {
        fprintf(stderr, "bench_backend: %s %s: %s\n", file, method_name, err.message);
    }
    free(in);
    free(out);
    free(times);
    return ok;
}

int main(int argc, char **argv)
{
    int iterations = 100;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--iterations") == 0)
            iterations = atoi(argv[i + 1]);
    if (iterations < 1) {
        fprintf(stderr, "usage: bench_backend [MODELS_DIR] [--iterations N]\n");
        return 2;
    }
    char dir[PATH_MAX];
    models_dir(argc, argv, dir, sizeof dir);
    nn_backend_set_threads(1);

    static const struct {
        const char *file;
        const char *method;
    } cases[] = {
        {"gain.ts", "forward"},
        {"rave.ts", "forward"},
        {"rave.ts", "encode"},
        {"rave.ts", "decode"},
    };
    static const int blocks[] = {2048, 4096};

    printf("{\n  \"bench\": \"backend\",\n  \"libtorch\": \"%s\",\n  \"blas\": \"%s\",\n  \"threads\": %d,\n"
           "  \"sample_rate\": %.0f,\n  \"results\": [\n",
           nn_backend_version(), nn_backend_blas(), nn_backend_threads(), SAMPLE_RATE);
    bool first = true, all_ok = true;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", dir, cases[c].file);
        nn_model *model = NULL;
        nn_error err;
        if (nn_model_load(path, NULL, &model, &err) != NN_OK) {
            fprintf(stderr, "bench_backend: %s\n", err.message);
            all_ok = false;
            continue;
        }
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            bool ok = bench_case(model, cases[c].file, cases[c].method, blocks[b], iterations, first);
            first = first && !ok;
            all_ok = all_ok && ok;
        }
        nn_model_free(model);
    }
    printf("\n  ]\n}\n");
    return all_ok ? 0 : 1;
}
