/* nn~ in C — latency benchmark: default THREADED mode against low-latency (auto delay) mode.
 * SPDX-License-Identifier: MIT
 *
 * For the RAVE-sized test model (rave.ts, B = 2048) and a cheap one (gain.ts, B = 2048),
 * 1, 2 and 4 THREADED streams are driven by one audio thread paced like a sound card
 * (64-sample vectors at 44.1 kHz, SCHED_FIFO when allowed) for S seconds of audio, once
 * with the default delay (D = B: latency 2B - n) and once with NN_DELAY_AUTO (D from the
 * measured compute time). Each run reports the latency, the chosen D, the compute time
 * per block (median, p99, max, from nn_stream_compute_stats of the first stream), the
 * overruns per stream (and in all, in the first 10 s and after) and whether the latency
 * met the target B + p99 + n. `delay_start` is D when the audio starts (auto: from the
 * warm-up runs), `delay` the one at the end (auto moves it both ways). `target_feasible`
 * says whether any D could have met the target without an overrun in that run: a block
 * has D samples of time from the call that hands it off to the call that plays it, so only
 * if the slowest call, rounded up to whole vectors, took at most p99 + 2n. It reads the
 * compute times only: a pause of the whole (virtual) machine stretches a call and delays
 * the audio thread alike, so a run can have no overrun where it says false.
 *
 * usage: bench_latency MODELS_DIR [SECONDS (default 60)] [MOST_STREAMS (1, 2 or 4; default 4)]
 * JSON on stdout.
 * Figures vary between runs on a shared machine: compare those of one run.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"

#include "pace.h"

#include <math.h>
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
    const long early = 10L * RATE / VECTOR; /* the first 10 s: start-up and auto's settling */
    int delay_start = 0;
    unsigned long long overruns_early = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    const long period_ns = (long)(1e9 * VECTOR / RATE);
    for (long v = 0; v < vectors; v++) {
        for (int i = 0; i < streams; i++)
            nn_stream_process(s[i], ins, 1, outs, 1, VECTOR);
        if (v % 256 == 0)
            for (int i = 0; i < streams; i++)
                nn_stream_poll(s[i]);
        if (v == 0)
            delay_start = nn_stream_delay(s[0]); /* published by the first call */
        if (v + 1 == early)
            for (int i = 0; i < streams; i++)
                overruns_early += nn_stream_overruns(s[i]);
        pace_next(&next, period_ns);
    }
    nn_compute_stats stats;
    nn_stream_compute_stats(s[0], &stats);
    int latency = nn_stream_latency(s[0]);
    int d = nn_stream_delay(s[0]);
    double target = B + stats.p99 * RATE + VECTOR;
    /* Could any D have met the target with no overrun? A block has D samples of time from
     * the call that hands it off to the call that plays it, and the target allows
     * D <= p99 + 2n: only if the slowest call, rounded up to whole vectors, fits there. */
    bool feasible = ceil(stats.max * RATE / VECTOR) * VECTOR <= stats.p99 * RATE + 2 * VECTOR;
    unsigned long long total = 0;
    printf("    {\"model\": \"%s\", \"streams\": %d, \"mode\": \"%s\", \"buffer_size\": %d, \"delay_start\": %d, "
           "\"delay\": %d, "
           "\"latency_samples\": %d, \"latency_ms\": %.2f, \"target_samples\": %.0f, \"meets_target\": %s, "
           "\"target_feasible\": %s, "
           "\"compute_p50_ms\": %.3f, \"compute_p99_ms\": %.3f, \"compute_max_ms\": %.3f, \"blocks\": %llu, "
           "\"overruns\": [",
           name, streams, delay == NN_DELAY_AUTO ? "low-latency" : "default", B, delay_start, d, latency,
           1e3 * latency / (double)RATE, target, latency <= target ? "true" : "false", feasible ? "true" : "false",
           1e3 * stats.p50, 1e3 * stats.p99, 1e3 * stats.max, (unsigned long long)nn_stream_blocks(s[0]));
    for (int i = 0; i < streams; i++) {
        total += nn_stream_overruns(s[i]);
        printf("%s%llu", i ? ", " : "", (unsigned long long)nn_stream_overruns(s[i]));
    }
    printf("], \"overruns_total\": %llu, \"overruns_first_10s\": %llu, \"overruns_after_10s\": %llu}%s\n", total,
           overruns_early, total - overruns_early, last ? "" : ",");
    fflush(stdout);
    for (int i = 0; i < streams; i++)
        nn_stream_free(s[i]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_latency MODELS_DIR [SECONDS] [MOST_STREAMS]\n");
        return 2;
    }
    models_dir = argv[1];
    if (argc > 2)
        audio_seconds = atof(argv[2]);
    int most = argc > 3 ? atoi(argv[3]) : MAX_STREAMS;
    if (most != 1 && most != 2 && most != 4) {
        fprintf(stderr, "bench_latency: MOST_STREAMS must be 1, 2 or 4\n");
        return 2;
    }
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
    const int sizes = most == 1 ? 1 : most == 2 ? 2 : 3;
    for (int m = 0; m < 2; m++)
        for (int c = 0; c < sizes; c++)
            for (int mode = 0; mode < 2; mode++)
                run(models[m], counts[c], mode ? NN_DELAY_AUTO : NN_DELAY_BLOCK, m == 1 && c == sizes - 1 && mode == 1);
    printf("  ]\n}\n");
    return 0;
}
