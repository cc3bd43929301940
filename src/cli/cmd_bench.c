/* nntilde bench — how fast a model runs, raw and through the stream engine.
 * SPDX-License-Identifier: MIT
 *
 * Three measurements on the same blocks of a deterministic test signal:
 *  1. raw: nn_model_run on blocks of B samples, timed one by one (median,
 *     p99, max, and the real-time factor = compute time / audio time);
 *  2. engine: the same number of blocks through a stream in OFFLINE mode fed
 *     by host vectors of 64 samples, timed per block; the difference of the
 *     medians with (1) is the engine's own cost (ring copies, hand-off to the
 *     worker, waking up);
 *  3. real time: N streams in THREADED mode driven by a simulated audio
 *     clock (one host vector every 64 / sr seconds) for S seconds, counting
 *     the blocks that were not ready in time (overruns) and the longest time
 *     a host callback took (it must stay short: the audio thread never waits).
 * Results go to stdout as text or JSON (--json), for bench/ scripts.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_VECTOR 64
#define BENCH_DEFAULT_RATE 48000
#define BENCH_TWO_PI 6.283185307179586

typedef struct bench_options {
    const char *model;
    const char *method;
    int buffer_size;
    int streams;
    double seconds;
    int threads;
    int delay; /* NN_DELAY_BLOCK, NN_DELAY_AUTO or samples (realtime test) */
    bool json;
    bool quiet;
} bench_options;

typedef struct bench_raw {
    int blocks;
    double median, p99, max, mean, total;
    double median_error; /* standard error of the median, from the interquartile range */
} bench_raw;

typedef struct bench_engine {
    int blocks;
    double seconds;
    double median; /* wall time per block, fed by host vectors */
    double median_error;
} bench_engine;

typedef struct bench_live {
    double seconds;
    uint64_t blocks, expected, overruns;
    double max_callback;
    int delay, latency;           /* of the first stream */
    double p50, p99, compute_max; /* its compute time per block */
} bench_live;

static void usage(FILE *to)
{
    fputs("usage: nntilde bench MODEL [options]\n\n"
          "Measure a model's speed on a deterministic test signal:\n"
          "  raw       nn_model_run per block of B samples, after 3 warm-up calls\n"
          "  engine    the same blocks through the stream engine (offline mode, host vectors of\n"
          "            64 samples)\n"
          "  realtime  N streams in threaded mode driven by a simulated audio clock for S seconds\n\n"
          "figures:\n"
          "  median, p99, max    time to compute one block of B samples (p99: 99% of blocks took\n"
          "                      at most this)\n"
          "  real-time factor    mean compute time / block duration: below 1 is faster than real\n"
          "                      time; 0.25 leaves three quarters of a core for the rest\n"
          "  overhead            engine median - raw median per block: the engine's own cost (ring\n"
          "                      copies, hand-off to the worker, wake-up), shown +/- its 95%\n"
          "                      noise band (from the spread of both timings): a value inside the\n"
          "                      band, negative ones included, is not measurable against the\n"
          "                      model's own variation; measure it on a light model\n"
          "  blocks computed     blocks the worker finished, of the blocks the clock handed over;\n"
          "                      the last one is usually still running when the clock stops\n"
          "  overruns            blocks not ready when their output was due (heard as silence)\n"
          "  longest callback    the longest host callback (nn_stream_process for all streams):\n"
          "                      the audio thread never waits for the model, so microseconds\n\n"
          "A progress line per step is drawn on stderr when it is a terminal.\n\n"
          "options:\n"
          "  -m, --method METHOD   method to run (default: forward)\n"
          "  -b, --bufsize B       buffer size (default 4096; 0 = synchronous)\n"
          "  -n, --streams N       concurrent streams in the realtime test (default 1)\n"
          "  -d, --delay D         realtime test: play each result D samples after its block is\n"
          "                        handed off ('auto': from the measured compute time; default 0 =\n"
          "                        one block, latency 2B - 64)\n"
          "  -t, --seconds S       audio seconds per test (default 10)\n"
          "  --threads T           libtorch intra-op threads (default 1)\n"
          "  --json                JSON on stdout\n"
          "  -q, --quiet           no progress line\n"
          "  -h, --help            this help\n"
          "  --version             print the version\n\n"
          "Set OPENBLAS_NUM_THREADS=1 for stable figures. Timings vary between runs on a shared\n"
          "machine: compare figures measured in the same run.\n\n"
          "exit codes: 0 ok, 1 model failure, 2 usage error, 3 bad model file\n",
          to);
}

static int parse_options(int argc, char **argv, bench_options *o)
{
    enum { OPT_JSON = 256, OPT_THREADS, OPT_VERSION };
    static const struct option options[] = {
        {"method", required_argument, NULL, 'm'},
        {"bufsize", required_argument, NULL, 'b'},
        {"streams", required_argument, NULL, 'n'},
        {"delay", required_argument, NULL, 'd'},
        {"seconds", required_argument, NULL, 't'},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"json", no_argument, NULL, OPT_JSON},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    o->model = NULL;
    o->method = "forward";
    o->buffer_size = NN_DEFAULT_BUFFER_SIZE;
    o->streams = 1;
    o->seconds = 10.0;
    o->threads = 1;
    o->delay = NN_DELAY_BLOCK;
    o->json = false;
    o->quiet = false;
    optind = 1;
    opterr = 0;
    int c;
    long v;
    while ((c = getopt_long(argc, argv, ":m:b:n:d:t:qh", options, NULL)) != -1) {
        switch (c) {
        case 'm': o->method = optarg; break;
        case 'b':
            if (!nn_cli_parse_int(optarg, 0, NN_MAX_BUFFER_SIZE, &v)) {
                nn_cli_error("bench", "--bufsize: expected a whole number from 0 to %d, got '%s'", NN_MAX_BUFFER_SIZE,
                             optarg);
                return NN_CLI_USAGE;
            }
            o->buffer_size = (int)v;
            break;
        case 'n':
            if (!nn_cli_parse_int(optarg, 1, 256, &v)) {
                nn_cli_error("bench", "--streams: expected a whole number from 1 to 256, got '%s'", optarg);
                return NN_CLI_USAGE;
            }
            o->streams = (int)v;
            break;
        case 'd':
            if (!strcmp(optarg, "auto")) {
                o->delay = NN_DELAY_AUTO;
            } else if (!nn_cli_parse_int(optarg, 0, NN_MAX_BUFFER_SIZE, &v)) {
                nn_cli_error("bench", "--delay: expected 'auto' or a whole number from 0 to %d, got '%s'",
                             NN_MAX_BUFFER_SIZE, optarg);
                return NN_CLI_USAGE;
            } else {
                o->delay = (int)v;
            }
            break;
        case 't':
            if (!nn_cli_parse_double(optarg, &o->seconds) || o->seconds <= 0.0 || o->seconds > 3600.0) {
                nn_cli_error("bench", "--seconds: expected a duration in (0, 3600], got '%s'", optarg);
                return NN_CLI_USAGE;
            }
            break;
        case OPT_THREADS:
            if (!nn_cli_parse_int(optarg, 1, 256, &v)) {
                nn_cli_error("bench", "--threads: expected a whole number from 1 to 256, got '%s'", optarg);
                return NN_CLI_USAGE;
            }
            o->threads = (int)v;
            break;
        case OPT_JSON: o->json = true; break;
        case 'q': o->quiet = true; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: nn_cli_print_version(); return -1;
        case ':':
            nn_cli_error("bench", "option '%s' needs a value (try 'nntilde bench --help')", argv[optind - 1]);
            return NN_CLI_USAGE;
        default:
            nn_cli_error("bench", "unknown option '%s' (try 'nntilde bench --help')", argv[optind - 1]);
            return NN_CLI_USAGE;
        }
    }
    if (argc - optind != 1) {
        nn_cli_error("bench", "expected one MODEL (try 'nntilde bench --help')");
        return NN_CLI_USAGE;
    }
    o->model = argv[optind];
    return NN_CLI_OK;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Standard error of the median of `n` sorted times: 1.2533 sigma / sqrt(n) for a normal
 * spread, with sigma estimated robustly from the interquartile range (IQR / 1.349), so that a
 * few preempted blocks do not inflate it. */
static double median_error(const double *sorted, int n)
{
    double iqr = sorted[(3 * n) / 4] - sorted[n / 4];
    return 1.2533 * (iqr / 1.349) / sqrt((double)n);
}

/* A reproducible signal: two sines and a little noise, amplitude < 1. */
static void fill_signal(float *data, size_t count, double sample_rate)
{
    uint32_t seed = 12345;
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        double noise = ((double)(seed >> 8) / 16777216.0 - 0.5) * 0.1;
        double t = (double)i / sample_rate;
        data[i] = (float)(0.4 * sin(BENCH_TWO_PI * 220.0 * t) + 0.3 * sin(BENCH_TWO_PI * 1375.0 * t) + noise);
    }
}

static int open_method(const bench_options *o, nn_model **model, int *method)
{
    int code = nn_cli_model_open(o->model, model);
    if (code != NN_CLI_OK)
        return code;
    *method = nn_model_method_find(*model, o->method);
    if (*method < 0) {
        nn_cli_error(nn_model_path(*model), "unknown method '%s'", o->method);
        nn_model_free(*model);
        *model = NULL;
        return NN_CLI_USAGE;
    }
    return NN_CLI_OK;
}

static int bench_raw_run(nn_model *model, int method, int B, int blocks, double sample_rate, bool quiet, bench_raw *r)
{
    const nn_method_info *m = nn_model_method(model, method);
    size_t in_count = (size_t)m->in_channels * (size_t)B;
    float *input = malloc((in_count + 1) * sizeof *input);
    float *output = malloc(((size_t)m->out_channels * (size_t)B + 1) * sizeof *output);
    double *times = malloc((size_t)blocks * sizeof *times);
    if (!input || !output || !times) {
        free(input);
        free(output);
        free(times);
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    fill_signal(input, in_count, sample_rate);
    nn_error err;
    nn_error_clear(&err);
    int code = NN_CLI_OK;
    /* Warm-up calls: the first runs of a TorchScript method optimise it. */
    for (int i = 0; i < 3 && code == NN_CLI_OK; i++) {
        if (nn_model_run(model, method, 1, B, input, output, &err) != NN_OK)
            code = NN_CLI_FAILURE;
    }
    r->total = 0.0;
    nn_cli_progress progress;
    nn_cli_progress_begin_count(&progress, "raw     ", blocks, "blocks", quiet);
    for (int i = 0; i < blocks && code == NN_CLI_OK; i++) {
        double t0 = nn_cli_now();
        if (nn_model_run(model, method, 1, B, input, output, &err) != NN_OK)
            code = NN_CLI_FAILURE;
        times[i] = nn_cli_now() - t0;
        r->total += times[i];
        nn_cli_progress_update(&progress, i + 1);
    }
    if (code == NN_CLI_OK)
        nn_cli_progress_end(&progress);
    else if (progress.enabled)
        fputc('\n', stderr);
    if (code != NN_CLI_OK) {
        nn_cli_error_report(nn_model_path(model), &err);
    } else {
        qsort(times, (size_t)blocks, sizeof *times, compare_doubles);
        r->blocks = blocks;
        r->median = times[blocks / 2];
        r->p99 = times[(int)ceil(0.99 * blocks) - 1];
        r->max = times[blocks - 1];
        r->mean = r->total / blocks;
        r->median_error = median_error(times, blocks);
    }
    free(input);
    free(output);
    free(times);
    return code;
}

typedef struct bench_events {
    nn_error failure;
} bench_events;

static void on_event(void *user, const nn_event *event)
{
    bench_events *ev = user;
    if (event->kind == NN_EVENT_ERROR && ev->failure.status == NN_OK)
        nn_error_set(&ev->failure, event->status, "%s", event->message ? event->message : "");
}

static int make_stream(const bench_options *o, nn_stream_mode mode, double sample_rate, bench_events *ev,
                       nn_stream **out)
{
    nn_model *model;
    int method;
    int code = open_method(o, &model, &method);
    if (code != NN_CLI_OK)
        return code;
    char path[4096];
    snprintf(path, sizeof path, "%s", nn_model_path(model));
    nn_stream_config config = nn_stream_config_default();
    config.method = o->method;
    config.buffer_size = o->buffer_size;
    config.mode = mode;
    config.delay = o->delay;
    config.on_event = on_event;
    config.user = ev;
    nn_error err;
    nn_error_clear(&err);
    nn_status s = nn_stream_new(model, &config, out, &err);
    if (s == NN_OK)
        s = nn_stream_prepare(*out, sample_rate, BENCH_VECTOR, &err);
    if (s == NN_OK)
        nn_stream_wait_idle(*out);
    if (s != NN_OK) {
        nn_cli_error_report(path, &err);
        nn_stream_free(*out);
        *out = NULL;
        return NN_CLI_FAILURE;
    }
    return NN_CLI_OK;
}

/* Planar buffers for one stream's host vectors. */
typedef struct bench_io {
    float *in, *out;
    const float **in_ptrs;
    float **out_ptrs;
    int n_in, n_out;
} bench_io;

static bool io_alloc(bench_io *io, const nn_method_info *m)
{
    io->n_in = m->in_channels;
    io->n_out = m->out_channels;
    io->in = calloc((size_t)(io->n_in + 1) * BENCH_VECTOR, sizeof *io->in);
    io->out = calloc((size_t)(io->n_out + 1) * BENCH_VECTOR, sizeof *io->out);
    io->in_ptrs = calloc((size_t)io->n_in + 1, sizeof *io->in_ptrs);
    io->out_ptrs = calloc((size_t)io->n_out + 1, sizeof *io->out_ptrs);
    if (!io->in || !io->out || !io->in_ptrs || !io->out_ptrs)
        return false;
    for (int c = 0; c < io->n_in; c++)
        io->in_ptrs[c] = io->in + (size_t)c * BENCH_VECTOR;
    for (int c = 0; c < io->n_out; c++)
        io->out_ptrs[c] = io->out + (size_t)c * BENCH_VECTOR;
    return true;
}

static void io_free(bench_io *io)
{
    free(io->in);
    free(io->out);
    free(io->in_ptrs);
    free(io->out_ptrs);
}

static void io_fill(bench_io *io, const float *signal, size_t signal_len, uint64_t tick)
{
    size_t offset = (size_t)(tick * BENCH_VECTOR) % (signal_len - BENCH_VECTOR);
    for (int c = 0; c < io->n_in; c++)
        memcpy(io->in + (size_t)c * BENCH_VECTOR, signal + offset, BENCH_VECTOR * sizeof *signal);
}

static int bench_engine_run(const bench_options *o, int blocks, double sample_rate, const float *signal,
                            size_t signal_len, bench_engine *r)
{
    bench_events ev;
    nn_error_clear(&ev.failure);
    nn_stream *stream;
    int code = make_stream(o, NN_STREAM_OFFLINE, sample_rate, &ev, &stream);
    if (code != NN_CLI_OK)
        return code;
    bench_io io;
    if (!io_alloc(&io, nn_stream_method(stream))) {
        io_free(&io);
        nn_stream_free(stream);
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    int B = nn_stream_buffer_size(stream);
    uint64_t ticks_per_block = (uint64_t)(B / BENCH_VECTOR);
    uint64_t warm = 3 * ticks_per_block;
    for (uint64_t t = 0; t < warm; t++) {
        io_fill(&io, signal, signal_len, t);
        nn_stream_process(stream, io.in_ptrs, io.n_in, io.out_ptrs, io.n_out, BENCH_VECTOR);
    }
    double *times = malloc((size_t)blocks * sizeof *times);
    if (!times) {
        io_free(&io);
        nn_stream_free(stream);
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    nn_cli_progress progress;
    nn_cli_progress_begin_count(&progress, "engine  ", blocks, "blocks", o->quiet);
    double t0 = nn_cli_now();
    for (int b = 0; b < blocks; b++) {
        double block_start = nn_cli_now();
        for (uint64_t k = 0; k < ticks_per_block; k++) {
            uint64_t t = (uint64_t)b * ticks_per_block + k;
            io_fill(&io, signal, signal_len, t);
            nn_stream_process(stream, io.in_ptrs, io.n_in, io.out_ptrs, io.n_out, BENCH_VECTOR);
        }
        times[b] = nn_cli_now() - block_start;
        nn_cli_progress_update(&progress, b + 1);
    }
    r->seconds = nn_cli_now() - t0;
    nn_cli_progress_end(&progress);
    r->blocks = blocks;
    /* Medians, not totals: one preempted block on a shared machine would
     * otherwise dominate the difference with the raw calls. */
    qsort(times, (size_t)blocks, sizeof *times, compare_doubles);
    r->median = times[blocks / 2];
    r->median_error = median_error(times, blocks);
    free(times);
    nn_stream_poll(stream);
    if (ev.failure.status != NN_OK) {
        nn_cli_error_report(o->model, &ev.failure);
        code = NN_CLI_FAILURE;
    }
    io_free(&io);
    nn_stream_free(stream);
    return code;
}

static void sleep_until(double deadline)
{
    double now = nn_cli_now();
    if (deadline <= now)
        return;
    double wait = deadline - now;
    struct timespec ts = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - floor(wait)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int bench_live_run(const bench_options *o, double sample_rate, const float *signal, size_t signal_len,
                          bench_live *r)
{
    int n = o->streams;
    nn_stream **streams = calloc((size_t)n, sizeof *streams);
    bench_io *io = calloc((size_t)n, sizeof *io);
    bench_events *ev = calloc((size_t)n, sizeof *ev);
    int code = (streams && io && ev) ? NN_CLI_OK : NN_CLI_FAILURE;
    int made = 0;
    for (; made < n && code == NN_CLI_OK; made++) {
        nn_error_clear(&ev[made].failure);
        code = make_stream(o, NN_STREAM_THREADED, sample_rate, &ev[made], &streams[made]);
        if (code == NN_CLI_OK && !io_alloc(&io[made], nn_stream_method(streams[made]))) {
            nn_cli_error(NULL, "out of memory");
            code = NN_CLI_FAILURE;
        }
    }
    if (code == NN_CLI_OK) {
        uint64_t ticks = (uint64_t)ceil(o->seconds * sample_rate / BENCH_VECTOR);
        double period = BENCH_VECTOR / sample_rate;
        int B0 = nn_stream_buffer_size(streams[0]);
        nn_cli_progress progress;
        nn_cli_progress_begin_count(&progress, "realtime", (int64_t)(ticks * BENCH_VECTOR / (uint64_t)B0),
                                    "blocks handed over", o->quiet);
        double start = nn_cli_now();
        r->max_callback = 0.0;
        for (uint64_t t = 0; t < ticks; t++) {
            double t0 = nn_cli_now();
            for (int s = 0; s < n; s++) {
                io_fill(&io[s], signal, signal_len, t);
                nn_stream_process(streams[s], io[s].in_ptrs, io[s].n_in, io[s].out_ptrs, io[s].n_out, BENCH_VECTOR);
            }
            double spent = nn_cli_now() - t0;
            if (spent > r->max_callback)
                r->max_callback = spent;
            if (t % 64 == 0) {
                for (int s = 0; s < n; s++)
                    nn_stream_poll(streams[s]);
                nn_cli_progress_update(&progress, (int64_t)((t + 1) * BENCH_VECTOR / (uint64_t)B0));
            }
            sleep_until(start + (double)(t + 1) * period);
        }
        r->seconds = nn_cli_now() - start;
        nn_cli_progress_end(&progress);
        int B = nn_stream_buffer_size(streams[0]);
        r->expected = (uint64_t)n * (ticks * BENCH_VECTOR / (uint64_t)B);
        r->blocks = 0;
        r->overruns = 0;
        r->delay = nn_stream_delay(streams[0]);
        r->latency = nn_stream_latency(streams[0]);
        nn_compute_stats stats;
        nn_stream_compute_stats(streams[0], &stats);
        r->p50 = stats.p50;
        r->p99 = stats.p99;
        r->compute_max = stats.max;
        for (int s = 0; s < n; s++) {
            nn_stream_poll(streams[s]);
            r->blocks += nn_stream_blocks(streams[s]);
            r->overruns += nn_stream_overruns(streams[s]);
            if (ev[s].failure.status != NN_OK && code == NN_CLI_OK) {
                nn_cli_error_report(o->model, &ev[s].failure);
                code = NN_CLI_FAILURE;
            }
        }
    }
    for (int s = 0; s < made && streams; s++) {
        nn_stream_free(streams[s]);
        io_free(&io[s]);
    }
    free(streams);
    free(io);
    free(ev);
    return code;
}

static void print_results(const bench_options *o, const char *path, int B, double sample_rate, const bench_raw *raw,
                          const bench_engine *engine, const bench_live *live)
{
    double audio_per_block = B / sample_rate;
    double rtf = raw->mean / audio_per_block;
    double overhead = engine->median - raw->median;
    double overhead_pct = raw->median > 0.0 ? 100.0 * overhead / raw->median : 0.0;
    /* 95% band of the difference of two independent medians. */
    double noise = 1.96 * sqrt(raw->median_error * raw->median_error + engine->median_error * engine->median_error);
    if (o->json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "model", path);
        cJSON_AddStringToObject(root, "method", o->method);
        cJSON_AddNumberToObject(root, "buffer_size", B);
        cJSON_AddNumberToObject(root, "sample_rate", sample_rate);
        cJSON_AddNumberToObject(root, "torch_threads", nn_backend_threads());
        cJSON_AddStringToObject(root, "libtorch", nn_backend_version());
        cJSON_AddStringToObject(root, "blas", nn_backend_blas());
        cJSON *r = cJSON_AddObjectToObject(root, "raw");
        cJSON_AddNumberToObject(r, "blocks", raw->blocks);
        cJSON_AddNumberToObject(r, "median_ms", raw->median * 1e3);
        cJSON_AddNumberToObject(r, "p99_ms", raw->p99 * 1e3);
        cJSON_AddNumberToObject(r, "max_ms", raw->max * 1e3);
        cJSON_AddNumberToObject(r, "mean_ms", raw->mean * 1e3);
        cJSON_AddNumberToObject(r, "block_ms", audio_per_block * 1e3);
        cJSON_AddNumberToObject(r, "rtf", rtf);
        cJSON *e = cJSON_AddObjectToObject(root, "engine");
        cJSON_AddNumberToObject(e, "blocks", engine->blocks);
        cJSON_AddNumberToObject(e, "vector_size", BENCH_VECTOR);
        cJSON_AddNumberToObject(e, "seconds", engine->seconds);
        cJSON_AddNumberToObject(e, "raw_seconds", raw->total);
        cJSON_AddNumberToObject(e, "median_ms", engine->median * 1e3);
        cJSON_AddNumberToObject(e, "overhead_us_per_block", 1e6 * overhead);
        cJSON_AddNumberToObject(e, "overhead_percent", overhead_pct);
        cJSON_AddNumberToObject(e, "overhead_noise_us_per_block", 1e6 * noise);
        cJSON *l = cJSON_AddObjectToObject(root, "realtime");
        cJSON_AddNumberToObject(l, "streams", o->streams);
        cJSON_AddNumberToObject(l, "vector_size", BENCH_VECTOR);
        cJSON_AddNumberToObject(l, "seconds", live->seconds);
        cJSON_AddNumberToObject(l, "blocks", (double)live->blocks);
        cJSON_AddNumberToObject(l, "expected_blocks", (double)live->expected);
        cJSON_AddNumberToObject(l, "overruns", (double)live->overruns);
        cJSON_AddNumberToObject(l, "max_callback_us", live->max_callback * 1e6);
        cJSON_AddNumberToObject(l, "delay", live->delay);
        cJSON_AddNumberToObject(l, "latency", live->latency);
        cJSON_AddNumberToObject(l, "compute_p50_ms", live->p50 * 1e3);
        cJSON_AddNumberToObject(l, "compute_p99_ms", live->p99 * 1e3);
        cJSON_AddNumberToObject(l, "compute_max_ms", live->compute_max * 1e3);
        char *text = cJSON_Print(root);
        if (text)
            puts(text);
        cJSON_free(text);
        cJSON_Delete(root);
        return;
    }
    printf("model: %s, method %s, buffer %d samples (%.1f ms at %.0f Hz)\n", path, o->method, B, audio_per_block * 1e3,
           sample_rate);
    printf("libtorch %s, %d intra-op thread%s, BLAS: %s\n", nn_backend_version(), nn_backend_threads(),
           nn_backend_threads() == 1 ? "" : "s", nn_backend_blas());
    printf("raw:      %d blocks: median %.3f ms, p99 %.3f ms, max %.3f ms per block; real-time factor %.3g "
           "(mean compute time / block duration; %s)\n",
           raw->blocks, raw->median * 1e3, raw->p99 * 1e3, raw->max * 1e3, rtf,
           rtf < 1.0 ? "below 1 is faster than real time" : "slower than real time");
    printf("engine:   %d blocks: median %.3f ms per block; overhead %.1f us +/- %.1f us per block (%.2f%% of the raw "
           "median; engine median - raw median, +/- its 95%% noise band: %s)\n",
           engine->blocks, engine->median * 1e3, 1e6 * overhead, 1e6 * noise, overhead_pct,
           fabs(overhead) <= noise ? "within it, so not measurable against the model's own variation"
                                   : "beyond it, so measured");
    printf("realtime: %d stream%s for %.1f s: %llu of %llu blocks computed (the last may still be running when the "
           "clock stops), %llu overrun%s (blocks not ready in time, heard as silence), longest callback %.0f us "
           "(the audio thread never waits)\n",
           o->streams, o->streams == 1 ? "" : "s", live->seconds, (unsigned long long)live->blocks,
           (unsigned long long)live->expected, (unsigned long long)live->overruns, live->overruns == 1 ? "" : "s",
           live->max_callback * 1e6);
    printf("          delay %d samples, latency %d samples; compute per block: median %.3f ms, p99 %.3f ms, "
           "max %.3f ms\n",
           live->delay, live->latency, live->p50 * 1e3, live->p99 * 1e3, live->compute_max * 1e3);
}

int nn_cli_bench(int argc, char **argv)
{
    bench_options o;
    int code = parse_options(argc, argv, &o);
    if (code != NN_CLI_OK)
        return code < 0 ? NN_CLI_OK : code;
    nn_backend_set_threads(o.threads);

    nn_model *model;
    int method;
    code = open_method(&o, &model, &method);
    if (code != NN_CLI_OK)
        return code;
    char path[4096];
    snprintf(path, sizeof path, "%s", nn_model_path(model));
    int declared = nn_model_sample_rate(model);
    double sample_rate = declared > 0 ? declared : BENCH_DEFAULT_RATE;
    nn_model_set_sample_rate(model, (int)sample_rate, NULL);
    int B = 0;
    bool synchronous = false, raised = false;
    nn_error err;
    nn_error_clear(&err);
    if (nn_buffer_size_resolve(o.buffer_size, nn_model_max_ratio(model), &B, &synchronous, &raised, &err) != NN_OK) {
        nn_cli_error_report("--bufsize", &err);
        nn_model_free(model);
        return NN_CLI_USAGE;
    }
    /* Synchronous streams raise B to the host vector. */
    if (synchronous && B < BENCH_VECTOR)
        B = BENCH_VECTOR;
    int blocks = (int)ceil(o.seconds * sample_rate / B);
    if (blocks < 5)
        blocks = 5;

    bench_raw raw = {0};
    bench_engine engine = {0};
    bench_live live = {0};
    size_t signal_len = (size_t)B * 4 + BENCH_VECTOR;
    float *signal = malloc(signal_len * sizeof *signal);
    if (!signal) {
        nn_model_free(model);
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    fill_signal(signal, signal_len, sample_rate);
    code = bench_raw_run(model, method, B, blocks, sample_rate, o.quiet, &raw);
    nn_model_free(model);
    if (code == NN_CLI_OK)
        code = bench_engine_run(&o, blocks, sample_rate, signal, signal_len, &engine);
    if (code == NN_CLI_OK)
        code = bench_live_run(&o, sample_rate, signal, signal_len, &live);
    if (code == NN_CLI_OK)
        print_results(&o, path, B, sample_rate, &raw, &engine, &live);
    free(signal);
    return code;
}
