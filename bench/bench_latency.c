/* nn~ in C — latency benchmark: default THREADED mode against low-latency (auto delay) mode.
 * SPDX-License-Identifier: MIT
 *
 * For the RAVE-sized test model (rave.ts, B = 2048) and a cheap one (gain.ts, B = 2048),
 * 1, 2 and 4 THREADED streams are driven by one audio thread paced like a sound card
 * (64-sample vectors at 44.1 kHz, SCHED_FIFO when allowed) for S seconds of audio, once
 * with the default delay (D = B: latency 2B - n) and once with NN_DELAY_AUTO (D from the
 * measured compute time). Each run reports the latency, the chosen D, the compute time
 * per block (median, p99, max, from nn_stream_compute_stats of the first stream), the
 * overruns per stream and whether the latency met the target B + p99 + n.
 *
 * usage: bench_latency MODELS_DIR [SECONDS (default 60)]   JSON on stdout.
 * Figures vary between runs on a shared machine: compare those of one run.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RATE 44100
#define VECTOR 64
#define B 2048
#define MAX_STREAMS 4

static const char *models_dir;
static double audio_seconds = 60.0;

static nn_stream *stream_new(const char *name, int delay)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", models_dir, name);
    nn_model *model = NULL;
    nn_error err;
    if (nn_model_load(path, NULL, &model, &err) != NN_OK) {
        fprintf(stderr, "bench_latency: %s\n", err.message);
        exit(1);
    }
    nn_stream_config config = nn_stream_config_default();
    config.buffer_size = B;
    config.delay = delay;
    nn_stream *stream = NULL;
    if (nn_stream_new(model, &config, &stream, &err) != NN_OK || nn_stream_prepare(stream, RATE, VECTOR, &err) != NN_OK) {
        fprintf(stderr, "bench_latency: %s\n", err.message);
        exit(1);
    }
    nn_stream_wait_idle(stream);
    return stream;
}

static void run(const char *name, int streams, int delay, bool last)
{
    nn_stream *s[MAX_STREAMS];
    for (int i = 0; i < streams; i++)
        s[i] = stream_new(name, delay);
    /* Adopt the published states (and, for auto, the measured delay) before timing. */
    float in[VECTOR], out[VECTOR];
    for (int k = 0; k < VECTOR; k++)
        in[k] = (float)((k * 7919) % 200 - 100) / 400.0f;
    const float *ins[1] = {in};
    float *outs[1] = {out};
    long vectors = (long)(audio_seconds * RATE / VECTOR);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    const long period_ns = (long)(1e9 * VECTOR / RATE);
    for (long v = 0; v < vectors; v++) {
        for (int i = 0; i < streams; i++)
            nn_stream_process(s[i], ins, 1, outs, 1, VECTOR);
        if (v % 256 == 0)
            for (int i = 0; i < streams; i++)
                nn_stream_poll(s[i]);
        next.tv_nsec += period_ns;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    nn_compute_stats stats;
    nn_stream_compute_stats(s[0], &stats);
    int latency = nn_stream_latency(s[0]);
    int d = nn_stream_delay(s[0]);
    double target = B + stats.p99 * RATE + VECTOR;
    unsigned long long total = 0;
    printf("    {\"model\": \"%s\", \"streams\": %d, \"mode\": \"%s\", \"buffer_size\": %d, \"delay\": %d, "
           "\"latency_samples\": %d, \"latency_ms\": %.2f, \"target_samples\": %.0f, \"meets_target\": %s, "
           "\"compute_p50_ms\": %.3f, \"compute_p99_ms\": %.3f, \"compute_max_ms\": %.3f, \"blocks\": %llu, "
           "\"overruns\": [",
           name, streams, delay == NN_DELAY_AUTO ? "low-latency" : "default", B, d, latency,
           1e3 * latency / (double)RATE, target, latency <= target ? "true" : "false", 1e3 * stats.p50,
           1e3 * stats.p99, 1e3 * stats.max, (unsigned long long)nn_stream_blocks(s[0]));
    for (int i = 0; i < streams; i++) {
        total += nn_stream_overruns(s[i]);
        printf("%s%llu", i ? ", " : "", (unsigned long long)nn_stream_overruns(s[i]));
    }
    printf("], \"overruns_total\": %llu}%s\n", total, last ? "" : ",");
    fflush(stdout);
    for (int i = 0; i < streams; i++)
        nn_stream_free(s[i]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_latency MODELS_DIR [SECONDS]\n");
        return 2;
    }
    models_dir = argv[1];
    if (argc > 2)
        audio_seconds = atof(argv[2]);
    if (!(audio_seconds > 0)) {
        fprintf(stderr, "bench_latency: SECONDS must be positive\n");
        return 2;
    }
    struct sched_param param = {.sched_priority = 10};
    bool fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
    printf("{\n  \"sample_rate\": %d, \"vector_size\": %d, \"audio_seconds\": %.1f, \"audio_thread_fifo\": %s,\n"
           "  \"runs\": [\n",
           RATE, VECTOR, audio_seconds, fifo ? "true" : "false");
    static const char *const models[] = {"rave.ts", "gain.ts"};
    static const int counts[] = {1, 2, 4};
    for (int m = 0; m < 2; m++)
        for (int c = 0; c < 3; c++)
            for (int mode = 0; mode < 2; mode++)
                run(models[m], counts[c], mode ? NN_DELAY_AUTO : NN_DELAY_BLOCK, m == 1 && c == 2 && mode == 1);
    printf("  ]\n}\n");
    return 0;
}
