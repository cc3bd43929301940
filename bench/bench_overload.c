/* nn~ in C — overload benchmark: per-stream inference threads against the shared pool.
 * SPDX-License-Identifier: MIT
 *
 * 1, 2, 4, 8, 12, 16 and 24 THREADED streams of the RAVE-sized test model (rave.ts,
 * forward, B = 2048) are driven by one audio thread paced like a sound card (64-sample
 * vectors at 44.1 kHz, SCHED_FIFO when allowed; the streams' own threads keep the normal
 * priority, as in a host run by a normal user, or with `rt` inherit SCHED_FIFO below the
 * audio thread, as in a Pd started as root) for S seconds of audio, once with
 * NN_SCHEDULE_OWN_THREAD (the design before the pool: one unscheduled inference thread per
 * stream) and once with NN_SCHEDULE_POOL (earliest deadline first on one turn per core,
 * whole streams shed under overload). For each stream: overruns (gaps), the share of
 * output vectors that played (not silent), and whether it was shed at the end; over the
 * steady part (after the first SETTLE seconds) the number of streams that played whole
 * (every vector, no overrun) and of those that were silent whole.
 *
 * usage: bench_overload MODELS_DIR [SECONDS (default 30)] [COUNTS, e.g. 1,2,4,8 (default
 * 1,2,4,8,12,16,24)] [rt]   JSON on stdout. Figures vary between runs on a shared machine:
 * compare those of one run.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"

#include "pace.h"

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 44100
#define VECTOR 64
#define B 2048
#define MAX_STREAMS 64
#define SETTLE 5.0

static const char *models_dir;
static double audio_seconds = 30.0;
static bool rt_workers;

static nn_stream *stream_new(nn_schedule schedule)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/rave.ts", models_dir);
    nn_model *model = NULL;
    nn_error err;
    if (nn_model_load(path, NULL, &model, &err) != NN_OK) {
        fprintf(stderr, "bench_overload: %s\n", err.message);
        exit(1);
    }
    nn_stream_config config = nn_stream_config_default();
    config.buffer_size = B;
    config.schedule = schedule;
    nn_stream *stream = NULL;
    if (nn_stream_new(model, &config, &stream, &err) != NN_OK || nn_stream_prepare(stream, RATE, VECTOR, &err) != NN_OK) {
        fprintf(stderr, "bench_overload: %s\n", err.message);
        exit(1);
    }
    return stream;
}

typedef struct counts {
    long played, silent;             /* whole run, after the first latency */
    long steady_played, steady_silent;
    unsigned long long steady_overruns_at;
    int shed_changes; /* seen every 256 vectors */
} counts;

static void run(int streams, nn_schedule schedule, bool last)
{
    static nn_stream *s[MAX_STREAMS];
    static counts c[MAX_STREAMS];
    memset(c, 0, sizeof c);
    struct sched_param worker = {.sched_priority = 5}, fifo = {.sched_priority = 10}, normal = {.sched_priority = 0};
    if (rt_workers) /* the streams' threads inherit it */
        pthread_setschedparam(pthread_self(), SCHED_FIFO, &worker);
    for (int i = 0; i < streams; i++)
        s[i] = stream_new(schedule);
    for (int i = 0; i < streams; i++)
        nn_stream_wait_idle(s[i]);

    bool rt = pthread_setschedparam(pthread_self(), SCHED_FIFO, &fifo) == 0;
    float in[VECTOR], out[VECTOR];
    unsigned seed = 12345;
    const float *ins[1] = {in};
    float *outs[1] = {out};
    long vectors = (long)(audio_seconds * RATE / VECTOR);
    long skip = (2 * B) / VECTOR, settle = (long)(SETTLE * RATE / VECTOR);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    const long period_ns = (long)(1e9 * VECTOR / RATE);
    for (long v = 0; v < vectors; v++) {
        for (int k = 0; k < VECTOR; k++) {
            seed = seed * 1103515245u + 12345u;
            in[k] = (float)((seed >> 9) & 0xffff) / 65536.0f - 0.5f;
        }
        if (v == settle)
            for (int i = 0; i < streams; i++)
                c[i].steady_overruns_at = (unsigned long long)nn_stream_overruns(s[i]);
        for (int i = 0; i < streams; i++) {
            nn_stream_process(s[i], ins, 1, outs, 1, VECTOR);
            if (v < skip)
                continue;
            bool silent = true;
            for (int k = 0; k < VECTOR && silent; k++)
                silent = out[k] == 0.0f;
            c[i].played += !silent;
            c[i].silent += silent;
            if (v >= settle) {
                c[i].steady_played += !silent;
                c[i].steady_silent += silent;
            }
        }
        if (v % 256 == 0)
            for (int i = 0; i < streams; i++)
                if (nn_stream_shed(s[i]) != (c[i].shed_changes % 2 == 1))
                    c[i].shed_changes++;
        pace_next(&next, period_ns);
    }
    if (rt || rt_workers)
        pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);

    unsigned long long overruns = 0;
    long played = 0, total = 0;
    int whole = 0, silent_whole = 0, gapped = 0, shed_end = 0;
    for (int i = 0; i < streams; i++) {
        unsigned long long o = (unsigned long long)nn_stream_overruns(s[i]);
        unsigned long long steady = o - c[i].steady_overruns_at;
        overruns += o;
        played += c[i].played;
        total += c[i].played + c[i].silent;
        if (steady == 0 && c[i].steady_silent == 0)
            whole++;
        else if (steady == 0 && c[i].steady_played == 0)
            silent_whole++;
        else
            gapped++;
        shed_end += nn_stream_shed(s[i]);
    }
    printf("    {\"schedule\": \"%s\", \"streams\": %d, \"overruns_total\": %llu, \"played_share\": %.4f, "
           "\"steady\": {\"whole\": %d, \"silent_whole\": %d, \"with_gaps\": %d}, \"shed_at_end\": %d,\n"
           "     \"per_stream\": [",
           schedule == NN_SCHEDULE_POOL ? "pool" : "own_thread", streams, overruns,
           total ? (double)played / (double)total : 0.0, whole, silent_whole, gapped, shed_end);
    for (int i = 0; i < streams; i++)
        printf("%s{\"overruns\": %llu, \"steady_overruns\": %llu, \"played_share\": %.4f, \"shed\": %s, "
               "\"shed_changes\": %d}",
               i ? ", " : "", (unsigned long long)nn_stream_overruns(s[i]),
               (unsigned long long)nn_stream_overruns(s[i]) - c[i].steady_overruns_at,
               c[i].played + c[i].silent ? (double)c[i].played / (double)(c[i].played + c[i].silent) : 0.0,
               nn_stream_shed(s[i]) ? "true" : "false", c[i].shed_changes);
    printf("]}%s\n", last ? "" : ",");
    fflush(stdout);
    for (int i = 0; i < streams; i++)
        nn_stream_free(s[i]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_overload MODELS_DIR [SECONDS] [COUNTS]\n");
        return 2;
    }
    models_dir = argv[1];
    if (argc > 2)
        audio_seconds = atof(argv[2]);
    if (!(audio_seconds > SETTLE)) {
        fprintf(stderr, "bench_overload: SECONDS must be more than %.0f\n", SETTLE);
        return 2;
    }
    int counts_list[16] = {1, 2, 4, 8, 12, 16, 24}, n_counts = 7;
    rt_workers = argc > 4 && strcmp(argv[4], "rt") == 0;
    if (argc > 3) {
        n_counts = 0;
        for (char *p = argv[3]; *p && n_counts < 16;) {
            int v = (int)strtol(p, &p, 10);
            if (v < 1 || v > MAX_STREAMS) {
                fprintf(stderr, "bench_overload: stream counts are 1..%d\n", MAX_STREAMS);
                return 2;
            }
            counts_list[n_counts++] = v;
            if (*p == ',')
                p++;
        }
    }
    printf("{\n  \"model\": \"rave.ts\", \"method\": \"forward\", \"sample_rate\": %d, \"vector_size\": %d, "
           "\"buffer_size\": %d,\n  \"audio_seconds\": %.1f, \"settle_seconds\": %.1f, \"pool_workers\": %d, "
           "\"intra_op_threads\": %d, \"blas\": \"%s\",\n  \"inference_threads\": \"%s\", \"runs\": [\n",
           RATE, VECTOR, B, audio_seconds, SETTLE, nn_pool_workers(), nn_backend_threads(), nn_backend_blas(),
           rt_workers ? "SCHED_FIFO 5 (audio thread 10)" : "SCHED_OTHER");
    for (int i = 0; i < n_counts; i++)
        for (int mode = 0; mode < 2; mode++)
            run(counts_list[i], mode ? NN_SCHEDULE_POOL : NN_SCHEDULE_OWN_THREAD, i == n_counts - 1 && mode == 1);
    printf("  ]\n}\n");
    return 0;
}
