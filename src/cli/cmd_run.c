/* nntilde run — render a sound file through a model with the stream engine.
 * SPDX-License-Identifier: MIT
 *
 * The file is streamed in fixed-size chunks (memory does not grow with its
 * length) through: optional resampling to the rate the model declares, the
 * stream engine in OFFLINE mode (the same code the Pd object runs, but
 * waiting for the worker so that no block is dropped and the result is
 * deterministic), latency compensation (the first nn_stream_latency() samples
 * are dropped and the end is flushed with zeros so the output has the
 * input's length), optional resampling back, and a temporary output file that
 * is renamed into place only when everything succeeded.
 *
 * Channel layout: file channel f feeds stream input pointer f, so a file with
 * k times as many channels as the method takes is a batch of k examples
 * (batch-major, like the engine); output channel b * out_channels + c is
 * channel c of example b.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

/* File frames read per chunk, and the largest host vector handed to the engine. */
#define RUN_CHUNK 4096
#define RUN_MAX_VECTOR 4096

typedef struct run_options {
    const char *model;
    const char *method;
    const char *in_path;
    const char *out_path;
    int buffer_size;
    bool buffer_size_given;
    bool keep_latency;
    bool batch_channels;
    bool frames;
    bool no_resample;
    bool quiet;
    bool verbose;
    int format_major;
    int format_subtype;
    const char **sets;
    int set_count;
} run_options;

/* Everything the render loop owns. Sizes in frames unless noted. */
typedef struct run_state {
    nn_stream *stream;
    int file_channels; /* F */
    int n_inputs;      /* batch * in_channels: stream input pointers */
    int n_outputs;     /* batch * out_channels: stream output pointers = output file channels */
    int vector;        /* n: host vector handed to nn_stream_process */
    int *in_map;       /* stream input pointer -> file channel, or -1 (silent) */
    float *acc;        /* interleaved model-rate input waiting for a full vector [vector][F] */
    int acc_fill;
    float *in_planes;  /* [n_inputs][vector] */
    float *out_planes; /* [n_outputs][vector] */
    const float **in_ptrs;
    float **out_ptrs;
    float *out_frames; /* interleaved output staging [vector][n_outputs] */

    int64_t stream_frames; /* frames processed by the engine so far */
    int64_t drop;          /* leading engine frames to drop (latency) */
    int64_t emitted;       /* model-rate output frames after the drop */
    int64_t emit_limit;    /* model-rate output frames wanted (known at end of input) */
    int frame_ratio;       /* > 1 in --frames mode: keep one sample per frame */

    SRC_STATE *src_out;
    double out_ratio; /* file rate / model rate */
    float *src_buf;
    long src_buf_frames;

    nn_cli_output *output;
    int64_t written;
    int64_t write_limit; /* file-rate output frames, INT64_MAX until known */

    const char *in_path;
    char model_path[4096]; /* a copy: the stream frees the model on failure */
    nn_error failure;      /* first error event from the engine */
    int code;              /* first exit code set by a failed step */
} run_state;

static void usage(FILE *to)
{
    fputs("usage: nntilde run MODEL [options] IN OUT\n\n"
          "Render the sound file IN through MODEL's method and write OUT. The stream engine runs in\n"
          "offline mode: no block is dropped and the result is deterministic. The engine's latency\n"
          "is compensated (OUT has IN's length and is aligned with it) unless --keep-latency.\n"
          "MODEL is a path or a bare name: the current folder, the models folder, then the example\n"
          "models that come with nntilde are searched (e.g. 'nntilde run nn_effects -m saturate\n"
          "in.wav out.wav'; see 'nntilde --help').\n\n"
          "IN may have any format and channel count libsndfile reads. Its channels feed the\n"
          "method's inputs in order; a file with k times as many channels as the method takes is\n"
          "processed as a batch of k examples (stereo into a mono method = batch 2), and OUT then\n"
          "has k times the method's outputs (example by example). Missing inputs are silent.\n"
          "When the model declares a sample rate different from IN's, the engine runs it at that\n"
          "rate, resampling IN to it and the result back (libsamplerate), as [nn~] does in a patch\n"
          "at IN's rate: the same output, and the latency removed includes the resampling. Latent\n"
          "outputs (output ratio > 1) are written as sample-rate step signals like nn~ outputs\n"
          "them, or with --frames one value per frame (IN is then resampled before the engine).\n\n"
          "options:\n"
          "  -m, --method METHOD     method to run (default: forward)\n"
          "  -b, --bufsize B         engine buffer size in samples (default 4096; 0 = synchronous)\n"
          "  -s, --set ATTR=VALUE    set an attribute before rendering (repeatable). Values are\n"
          "                          parsed by the attribute's types: comma-separated for several\n"
          "                          values; true/false/on/off/1/0 for bools; a sound file path\n"
          "                          for tensor and buffer values\n"
          "  --keep-latency          do not compensate: OUT starts with the engine's latency\n"
          "                          (silence) and is that much longer\n"
          "  --batch-channels        every channel of IN is its own example (batch = channels),\n"
          "                          feeding the method's first input\n"
          "  --frames                for an output ratio R > 1, write one value per frame (a file\n"
          "                          at IN's rate / R) instead of a held signal\n"
          "  --no-resample           run the model at IN's rate even when it declares another\n"
          "                          (it then plays out of tune, as nn~ v1.6 does)\n"
          "  -f, --format FMT[:SUB]  output format (wav, aiff, flac, ogg, caf, w64, raw, ...) and\n"
          "                          optional subtype (pcm16, pcm24, pcm32, float, double, vorbis,\n"
          "                          ...). Default: from OUT's extension (one that names no\n"
          "                          format is refused), else IN's format; the\n"
          "                          subtype follows IN (float for latent outputs)\n"
          "  -q, --quiet             no progress bar (it is only drawn on a terminal anyway) and\n"
          "                          no summary line\n"
          "  -v, --verbose           print the render set-up (buffer size, batch, latency, rates)\n"
          "  -h, --help              this help\n"
          "  --version               print the version\n\n"
          "On success one line goes to stdout: OUT, its duration, channels, rate and sample\n"
          "format, the real-time factor (computing time / IN's duration; below 1 is faster than\n"
          "real time) and the latency removed (or kept). A model's own print() output goes to\n"
          "stderr.\n\n"
          "Samples are never clipped: when OUT's sample format holds only -1 to 1 (every PCM,\n"
          "u-law, A-law, Vorbis, Opus; all but float and double) and an output sample is beyond\n"
          "(or not a number), the run stops with exit 4 and says which sample; write float\n"
          "instead (--format wav:float). An OUT extension that names no format (out.mp3, out.txt)\n"
          "is refused like an unknown --format (exit 2).\n\n"
          "exit codes: 0 ok, 1 model or processing failure, 2 usage error (options, method,\n"
          "attribute, value, format), 3 bad input file (model or sound), 4 OUT cannot be written\n"
          "(also: a sample OUT's format cannot hold).\n"
          "OUT is written under a temporary name and renamed when complete: a failed run never\n"
          "leaves a partial OUT.\n",
          to);
}

static int parse_options(int argc, char **argv, run_options *o)
{
    enum { OPT_KEEP = 256, OPT_BATCH, OPT_FRAMES, OPT_NO_RESAMPLE, OPT_VERSION };
    static const struct option options[] = {
        {"method", required_argument, NULL, 'm'},      {"bufsize", required_argument, NULL, 'b'},
        {"set", required_argument, NULL, 's'},         {"format", required_argument, NULL, 'f'},
        {"keep-latency", no_argument, NULL, OPT_KEEP}, {"batch-channels", no_argument, NULL, OPT_BATCH},
        {"frames", no_argument, NULL, OPT_FRAMES},     {"quiet", no_argument, NULL, 'q'},
        {"no-resample", no_argument, NULL, OPT_NO_RESAMPLE},
        {"verbose", no_argument, NULL, 'v'},           {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},   {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->method = "forward";
    o->buffer_size = NN_DEFAULT_BUFFER_SIZE;
    o->sets = calloc((size_t)argc, sizeof *o->sets);
    if (!o->sets) {
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    optind = 1;
    opterr = 0;
    int c;
    long v;
    while ((c = getopt_long(argc, argv, ":m:b:s:f:qvh", options, NULL)) != -1) {
        switch (c) {
        case 'm': o->method = optarg; break;
        case 'b':
            if (!nn_cli_parse_int(optarg, 0, NN_MAX_BUFFER_SIZE, &v)) {
                nn_cli_error("run", "--bufsize: expected a whole number from 0 to %d, got '%s'", NN_MAX_BUFFER_SIZE,
                             optarg);
                return NN_CLI_USAGE;
            }
            o->buffer_size = (int)v;
            o->buffer_size_given = true;
            break;
        case 's': o->sets[o->set_count++] = optarg; break;
        case 'f':
            if (!nn_cli_format_parse(optarg, &o->format_major, &o->format_subtype)) {
                nn_cli_error("run", "--format: unknown format '%s' (e.g. wav, flac, aiff, wav:float, flac:pcm24)",
                             optarg);
                return NN_CLI_USAGE;
            }
            break;
        case OPT_KEEP: o->keep_latency = true; break;
        case OPT_BATCH: o->batch_channels = true; break;
        case OPT_FRAMES: o->frames = true; break;
        case OPT_NO_RESAMPLE: o->no_resample = true; break;
        case 'q': o->quiet = true; break;
        case 'v': o->verbose = true; break;
        case 'h': usage(stdout); return -1;
        case OPT_VERSION: nn_cli_print_version(); return -1;
        case ':':
            nn_cli_error("run", "option '%s' needs a value (try 'nntilde run --help')", argv[optind - 1]);
            return NN_CLI_USAGE;
        default:
            nn_cli_error("run", "unknown option '%s' (try 'nntilde run --help')", argv[optind - 1]);
            return NN_CLI_USAGE;
        }
    }
    if (argc - optind != 3) {
        nn_cli_error("run", "expected MODEL IN OUT (try 'nntilde run --help')");
        return NN_CLI_USAGE;
    }
    o->model = argv[optind];
    o->in_path = argv[optind + 1];
    o->out_path = argv[optind + 2];
    /* An extension that names no format is refused like an unknown --format, rather than
     * silently writing IN's format under a name that says otherwise. */
    const char *ext = NULL;
    if (!o->format_major && nn_cli_format_extension(o->out_path, &ext) == 0 && ext) {
        nn_cli_error(o->out_path,
                     "unknown output format '%s' (from OUT's extension; e.g. wav, flac, aiff, ogg, caf, or give "
                     "--format)",
                     ext);
        return NN_CLI_USAGE;
    }
    return NN_CLI_OK;
}

static void on_event(void *user, const nn_event *event)
{
    run_state *st = user;
    if (event->kind == NN_EVENT_ERROR && st->failure.status == NN_OK)
        nn_error_set(&st->failure, event->status != NN_OK ? event->status : NN_ERR_MODEL_FAILED, "%s",
                     event->message ? event->message : nn_strerror(event->status));
}

/* ---- output side ---------------------------------------------------------- */

static bool write_limited(run_state *st, const float *frames, int64_t count)
{
    int64_t room = st->write_limit - st->written;
    if (count > room)
        count = room;
    if (count <= 0)
        return true;
    if (!nn_cli_output_write(st->output, frames, count)) {
        st->code = NN_CLI_BAD_OUTPUT;
        return false;
    }
    st->written += count;
    return true;
}

/* Resample model-rate output back to the file's rate and write it. */
static bool resample_out(run_state *st, const float *frames, long count, bool end)
{
    SRC_DATA d = {0};
    d.data_in = frames;
    d.input_frames = count;
    d.src_ratio = st->out_ratio;
    d.end_of_input = end;
    for (;;) {
        d.data_out = st->src_buf;
        d.output_frames = st->src_buf_frames;
        int e = src_process(st->src_out, &d);
        if (e) {
            nn_cli_error(NULL, "resampling failed: %s", src_strerror(e));
            st->code = NN_CLI_FAILURE;
            return false;
        }
        if (!write_limited(st, st->src_buf, d.output_frames_gen))
            return false;
        d.data_in += d.input_frames_used * st->n_outputs;
        d.input_frames -= d.input_frames_used;
        if (d.input_frames == 0 && (!end || d.output_frames_gen == 0))
            return true;
    }
}

static bool emit(run_state *st, const float *frames, long count)
{
    return st->src_out ? resample_out(st, frames, count, false) : write_limited(st, frames, count);
}

/* Take one engine vector of output: drop the latency, keep what is wanted,
 * interleave (and decimate to frames in --frames mode), emit. */
static bool collect_output(run_state *st)
{
    int n = st->vector;
    int64_t start = st->stream_frames;
    st->stream_frames += n;
    long staged = 0;
    for (int t = 0; t < n; t++) {
        int64_t g = start + t;
        if (g < st->drop || st->emitted >= st->emit_limit)
            continue;
        int64_t idx = st->emitted++;
        if (st->frame_ratio > 1 && idx % st->frame_ratio != 0)
            continue;
        for (int c = 0; c < st->n_outputs; c++)
            st->out_frames[staged * st->n_outputs + c] = st->out_planes[(size_t)c * (size_t)n + (size_t)t];
        staged++;
    }
    return emit(st, st->out_frames, staged);
}

/* ---- input side ------------------------------------------------------------ */

static bool process_vector(run_state *st)
{
    int n = st->vector;
    int F = st->file_channels;
    for (int i = 0; i < st->n_inputs; i++) {
        float *plane = st->in_planes + (size_t)i * (size_t)n;
        int f = st->in_map[i];
        if (f < 0) {
            memset(plane, 0, (size_t)n * sizeof *plane);
            continue;
        }
        for (int t = 0; t < n; t++)
            plane[t] = st->acc[(size_t)t * (size_t)F + (size_t)f];
    }
    nn_stream_process(st->stream, st->in_ptrs, st->n_inputs, st->out_ptrs, st->n_outputs, n);
    nn_stream_poll(st->stream);
    if (st->failure.status != NN_OK) {
        nn_cli_error_report(st->model_path, &st->failure);
        st->code = NN_CLI_FAILURE;
        return false;
    }
    st->acc_fill = 0;
    return collect_output(st);
}

/* Append interleaved model-rate input; run the engine on every full vector. */
static bool feed(run_state *st, const float *frames, long count)
{
    int F = st->file_channels;
    while (count > 0) {
        long take = st->vector - st->acc_fill;
        if (take > count)
            take = count;
        memcpy(st->acc + (size_t)st->acc_fill * (size_t)F, frames, (size_t)take * (size_t)F * sizeof *frames);
        st->acc_fill += (int)take;
        frames += take * F;
        count -= take;
        if (st->acc_fill == st->vector && !process_vector(st))
            return false;
    }
    return true;
}

/* ---- setup ----------------------------------------------------------------- */

static int map_channels(const run_options *o, const nn_method_info *m, int file_channels, int *batch, int **map,
                        int *n_inputs)
{
    int C = m->in_channels;
    int F = file_channels;
    if (o->batch_channels) {
        *batch = F;
    } else if (C > 0 && F > C) {
        if (F % C != 0) {
            nn_cli_error(o->in_path,
                         "%d channels do not fit method '%s' (%d inputs): give a multiple of %d channels "
                         "(a batch), or --batch-channels",
                         F, m->name, C, C);
            return NN_CLI_BAD_INPUT;
        }
        *batch = F / C;
    } else {
        *batch = 1;
    }
    *n_inputs = *batch * C;
    *map = calloc((size_t)*n_inputs + 1, sizeof **map);
    if (!*map)
        return NN_CLI_FAILURE;
    for (int i = 0; i < *n_inputs; i++) {
        if (o->batch_channels)
            (*map)[i] = i % C == 0 ? i / C : -1;
        else
            (*map)[i] = i < F ? i : -1;
    }
    if (!o->batch_channels && F < C)
        fprintf(stderr, "nntilde: %s: %d channel%s for method '%s' with %d inputs: inputs %d to %d are silent\n",
                o->in_path, F, F == 1 ? "" : "s", m->name, C, F + 1, C);
    return NN_CLI_OK;
}

static int allocate(run_state *st)
{
    size_t n = (size_t)st->vector;
    st->acc = calloc(n * (size_t)st->file_channels, sizeof *st->acc);
    st->in_planes = calloc(n * (size_t)(st->n_inputs + 1), sizeof *st->in_planes);
    st->out_planes = calloc(n * (size_t)(st->n_outputs + 1), sizeof *st->out_planes);
    st->out_frames = calloc(n * (size_t)(st->n_outputs + 1), sizeof *st->out_frames);
    st->in_ptrs = calloc((size_t)st->n_inputs + 1, sizeof *st->in_ptrs);
    st->out_ptrs = calloc((size_t)st->n_outputs + 1, sizeof *st->out_ptrs);
    if (!st->acc || !st->in_planes || !st->out_planes || !st->out_frames || !st->in_ptrs || !st->out_ptrs) {
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    for (int i = 0; i < st->n_inputs; i++)
        st->in_ptrs[i] = st->in_planes + (size_t)i * n;
    for (int i = 0; i < st->n_outputs; i++)
        st->out_ptrs[i] = st->out_planes + (size_t)i * n;
    return NN_CLI_OK;
}

static void release(run_state *st)
{
    nn_cli_output_abort(st->output);
    nn_stream_free(st->stream);
    if (st->src_out)
        src_delete(st->src_out);
    free(st->src_buf);
    free(st->in_map);
    free(st->acc);
    free(st->in_planes);
    free(st->out_planes);
    free(st->out_frames);
    free(st->in_ptrs);
    free(st->out_ptrs);
}

/* Host vector handed to the engine: large (fewer calls) but dividing B. In
 * synchronous mode B is raised to the vector, so a multiple of the largest
 * ratio near 1024 is used. */
static int choose_vector(int resolved, bool synchronous, int max_ratio)
{
    if (synchronous)
        return max_ratio >= 1024 ? max_ratio : max_ratio * ((1024 + max_ratio - 1) / max_ratio);
    int n = resolved;
    while (n > RUN_MAX_VECTOR && n % 2 == 0)
        n /= 2;
    return n;
}

/* Sample rates a sound file may declare: beyond them a header is corrupt or absurd. */
#define NN_CLI_MIN_RATE 8
#define NN_CLI_MAX_RATE 1536000
/* libsamplerate's channel limit. */
#define NN_CLI_MAX_RESAMPLED 128

/* ---- the render -------------------------------------------------------------- */

static int render(run_state *st, SNDFILE *in, const SF_INFO *in_info, double model_sr, nn_cli_progress *progress)
{
    int F = in_info->channels;
    double in_ratio = model_sr / in_info->samplerate;
    SRC_STATE *src_in = NULL;
    /* The chunk doubles as the zeros that flush the engine: at least a vector. */
    long chunk_frames = st->vector > RUN_CHUNK ? st->vector : RUN_CHUNK;
    float *chunk = malloc((size_t)chunk_frames * (size_t)F * sizeof *chunk);
    long resampled_cap = (long)ceil(RUN_CHUNK * in_ratio) + 256;
    float *resampled = NULL;
    int e = 0;
    if (model_sr != in_info->samplerate) {
        src_in = src_new(SRC_SINC_MEDIUM_QUALITY, F, &e);
        resampled = malloc((size_t)resampled_cap * (size_t)F * sizeof *resampled);
    }
    int code = NN_CLI_OK;
    if (!chunk || (model_sr != in_info->samplerate && (!src_in || !resampled))) {
        nn_cli_error(NULL, "cannot set up resampling: %s", e ? src_strerror(e) : "out of memory");
        code = NN_CLI_FAILURE;
        goto done;
    }

    int64_t file_frames = 0;
    int64_t model_frames = 0;
    SRC_DATA d = {0};
    d.src_ratio = in_ratio;
    for (bool eof = false; !eof;) {
        sf_count_t got = sf_readf_float(in, chunk, RUN_CHUNK);
        if (got < 0 || sf_error(in)) {
            nn_cli_error(st->in_path, "read failed: %s", sf_strerror(in));
            code = NN_CLI_BAD_INPUT;
            goto done;
        }
        eof = got == 0;
        file_frames += got;
        if (!src_in) {
            model_frames += got;
            if (!feed(st, chunk, (long)got))
                goto failed;
        } else {
            d.data_in = chunk;
            d.input_frames = (long)got;
            d.end_of_input = eof;
            for (;;) {
                d.data_out = resampled;
                d.output_frames = resampled_cap;
                e = src_process(src_in, &d);
                if (e) {
                    nn_cli_error(NULL, "resampling failed: %s", src_strerror(e));
                    code = NN_CLI_FAILURE;
                    goto done;
                }
                model_frames += d.output_frames_gen;
                if (!feed(st, resampled, d.output_frames_gen))
                    goto failed;
                d.data_in += d.input_frames_used * F;
                d.input_frames -= d.input_frames_used;
                if (d.input_frames == 0 && (!eof || d.output_frames_gen == 0))
                    break;
            }
        }
        nn_cli_progress_update(progress, file_frames);
    }
    if (file_frames == 0) {
        nn_cli_error(st->in_path, "empty sound file (0 frames)");
        code = NN_CLI_BAD_INPUT;
        goto done;
    }

    /* Now that the length is known: flush the engine with zeros until every
     * wanted output frame came out. */
    int64_t latency = nn_stream_latency(st->stream);
    st->emit_limit = model_frames + (st->drop ? 0 : latency);
    if (st->frame_ratio > 1) {
        st->write_limit = (st->emit_limit + st->frame_ratio - 1) / st->frame_ratio;
    } else if (st->src_out) {
        st->write_limit = file_frames + (st->drop ? 0 : (int64_t)llround((double)latency / in_ratio));
    } else {
        st->write_limit = st->emit_limit;
    }
    memset(chunk, 0, (size_t)chunk_frames * (size_t)F * sizeof *chunk);
    while (st->emitted < st->emit_limit) {
        if (!feed(st, chunk, st->vector - st->acc_fill))
            goto failed;
    }
    if (st->src_out && !resample_out(st, st->out_frames, 0, true))
        goto failed;
    /* Resampling may come out a few frames short of the exact length. */
    memset(st->out_frames, 0, (size_t)st->vector * (size_t)st->n_outputs * sizeof *st->out_frames);
    while (st->written < st->write_limit) {
        if (!write_limited(st, st->out_frames, st->vector))
            goto failed;
    }
    goto done;
failed:
    code = st->code ? st->code : NN_CLI_FAILURE;
done:
    if (src_in)
        src_delete(src_in);
    free(resampled);
    free(chunk);
    return code;
}

static int run(const run_options *o)
{
    run_state st;
    memset(&st, 0, sizeof st);
    st.write_limit = INT64_MAX;
    st.emit_limit = INT64_MAX;
    st.in_path = o->in_path;

    SF_INFO in_info = {0};
    SNDFILE *in = sf_open(o->in_path, SFM_READ, &in_info);
    if (!in) {
        nn_cli_error(o->in_path, "cannot read sound file: %s", sf_strerror(NULL));
        return NN_CLI_BAD_INPUT;
    }
    if (in_info.frames == 0) {
        nn_cli_error(o->in_path, "empty sound file (0 frames)");
        sf_close(in);
        return NN_CLI_BAD_INPUT;
    }
    if (in_info.samplerate < NN_CLI_MIN_RATE || in_info.samplerate > NN_CLI_MAX_RATE) {
        nn_cli_error(o->in_path, "sample rate %d Hz is outside %d-%d Hz: not a sound file this tool can render",
                     in_info.samplerate, NN_CLI_MIN_RATE, NN_CLI_MAX_RATE);
        sf_close(in);
        return NN_CLI_BAD_INPUT;
    }

    nn_model *model = NULL;
    int code = nn_cli_model_open(o->model, &model);
    if (code != NN_CLI_OK)
        goto out;
    snprintf(st.model_path, sizeof st.model_path, "%s", nn_model_path(model));
    const char *model_path = st.model_path;
    int method_index = nn_model_method_find(model, o->method);
    if (method_index < 0) {
        char names[1024] = "";
        size_t used = 0;
        for (int i = 0; i < nn_model_method_count(model) && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                     nn_model_method(model, i)->name);
        nn_cli_error(model_path, "unknown method '%s' (available: %s)", o->method, names);
        code = NN_CLI_USAGE;
        goto out;
    }
    const nn_method_info method = *nn_model_method(model, method_index);
    for (int i = 0; i < o->set_count; i++) {
        code = nn_cli_attribute_assign(model, o->sets[i]);
        if (code != NN_CLI_OK)
            goto out;
    }

    int declared_sr = nn_model_declared_sample_rate(model);
    double model_sr = declared_sr > 0 && !o->no_resample ? declared_sr : in_info.samplerate;
    /* The engine resamples (as in a patch at IN's rate), except for --frames of a latent
     * output, where IN is resampled here and the engine runs at the model's rate. */
    bool cli_resamples = o->frames && method.out_ratio > 1;
    double stream_sr = cli_resamples ? model_sr : in_info.samplerate;
    int max_ratio = nn_model_max_ratio(model);

    int resolved = 0;
    bool synchronous = false, raised = false;
    nn_error err;
    nn_error_clear(&err);
    if (nn_buffer_size_resolve(o->buffer_size, max_ratio, &resolved, &synchronous, &raised, &err) != NN_OK) {
        nn_cli_error_report("--bufsize", &err);
        code = NN_CLI_USAGE;
        goto out;
    }
    if (raised && o->buffer_size_given)
        fprintf(stderr, "nntilde: --bufsize %d is below the model's largest ratio: using %d\n", o->buffer_size,
                resolved);

    int batch = 1;
    st.file_channels = in_info.channels;
    code = map_channels(o, &method, in_info.channels, &batch, &st.in_map, &st.n_inputs);
    if (code != NN_CLI_OK)
        goto out;
    st.n_outputs = batch * method.out_channels;
    if (stream_sr != in_info.samplerate &&
        (in_info.channels > NN_CLI_MAX_RESAMPLED || st.n_outputs > NN_CLI_MAX_RESAMPLED)) {
        nn_cli_error(o->in_path,
                     "resampling from %d Hz to the model's %.0f Hz handles at most %d channels (libsamplerate), "
                     "here %d in and %d out: give a file at %.0f Hz",
                     in_info.samplerate, model_sr, NN_CLI_MAX_RESAMPLED, in_info.channels, st.n_outputs, model_sr);
        code = NN_CLI_BAD_INPUT;
        goto out;
    }
    st.vector = choose_vector(resolved, synchronous, max_ratio);
    code = allocate(&st);
    if (code != NN_CLI_OK)
        goto out;

    nn_stream_config config = nn_stream_config_default();
    config.method = o->method;
    config.buffer_size = o->buffer_size;
    config.mode = NN_STREAM_OFFLINE;
    config.batch = batch;
    config.resample = !o->no_resample;
    config.on_event = on_event;
    config.user = &st;
    nn_status s = nn_stream_new(model, &config, &st.stream, &err);
    model = NULL; /* the stream owns it, also on failure */
    if (s == NN_OK)
        s = nn_stream_prepare(st.stream, stream_sr, st.vector, &err);
    if (s != NN_OK) {
        nn_cli_error_report(model_path, &err);
        code = nn_cli_exit_code(s) == NN_CLI_USAGE ? NN_CLI_USAGE : NN_CLI_FAILURE;
        goto out;
    }
    nn_stream_wait_idle(st.stream);
    /* Once more, now that the state for this rate is built (with its resampler when the
     * model has its own rate): prepare adopts it, so the latency read below is its. */
    if (s == NN_OK)
        s = nn_stream_prepare(st.stream, stream_sr, st.vector, &err);
    nn_stream_poll(st.stream);
    if (st.failure.status != NN_OK) {
        nn_cli_error_report(model_path, &st.failure);
        code = NN_CLI_FAILURE;
        goto out;
    }
    st.drop = o->keep_latency ? 0 : nn_stream_latency(st.stream);

    int out_rate = in_info.samplerate;
    int out_format_base = in_info.format;
    if (method.out_ratio > 1) {
        /* Latent values are not bounded by [-1, 1]: keep them in float when the
         * container allows it and no subtype was asked for. */
        SF_INFO probe = {.samplerate = in_info.samplerate,
                         .channels = st.n_outputs,
                         .format = (in_info.format & SF_FORMAT_TYPEMASK) | SF_FORMAT_FLOAT};
        if (sf_format_check(&probe))
            out_format_base = probe.format;
        if (o->frames) {
            st.frame_ratio = method.out_ratio;
            out_rate = (int)lround(model_sr / method.out_ratio);
            if (out_rate < 1)
                out_rate = 1;
        }
    } else if (o->frames) {
        fprintf(stderr, "nntilde: method '%s' has output ratio 1: --frames changes nothing\n", method.name);
    }
    int format =
        nn_cli_format_choose(o->format_major, o->format_subtype, o->out_path, out_format_base, st.n_outputs, out_rate);
    if (!format) {
        nn_cli_error(o->out_path, "no valid output format for %d channels at %d Hz with these format options",
                     st.n_outputs, out_rate);
        code = NN_CLI_USAGE;
        goto out;
    }
    if (stream_sr != in_info.samplerate && st.frame_ratio <= 1) {
        int e = 0;
        st.src_out = src_new(SRC_SINC_MEDIUM_QUALITY, st.n_outputs, &e);
        st.out_ratio = in_info.samplerate / model_sr;
        st.src_buf_frames = (long)ceil(st.vector * st.out_ratio) + 256;
        st.src_buf = malloc((size_t)st.src_buf_frames * (size_t)st.n_outputs * sizeof *st.src_buf);
        if (!st.src_out || !st.src_buf) {
            nn_cli_error(NULL, "cannot set up resampling: %s", e ? src_strerror(e) : "out of memory");
            code = NN_CLI_FAILURE;
            goto out;
        }
    }
    if (!o->quiet && declared_sr > 0 && declared_sr != in_info.samplerate) {
        /* One line, as [nn~] prints in a patch at another rate than the model's. */
        if (o->no_resample)
            fprintf(stderr,
                    "nntilde: warning: %s declares %d Hz but runs at IN's %d Hz without resampling (--no-resample): "
                    "it plays out of tune\n",
                    model_path, declared_sr, in_info.samplerate);
        else
            fprintf(stderr, "nntilde: %s declares %d Hz, IN is %d Hz: resampling to %d Hz and back\n", model_path,
                    declared_sr, in_info.samplerate, declared_sr);
    }
    if (o->verbose)
        fprintf(stderr,
                "nntilde: %s '%s': buffer %d (%s), batch %d, %d file channel%s -> %d output%s, latency %d samples "
                "(%s), model at %.0f Hz%s, output at %d Hz\n",
                model_path, method.name, nn_stream_buffer_size(st.stream), synchronous ? "synchronous" : "offline",
                batch, st.file_channels, st.file_channels == 1 ? "" : "s", st.n_outputs, st.n_outputs == 1 ? "" : "s",
                nn_stream_latency(st.stream), o->keep_latency ? "kept" : "compensated", model_sr,
                model_sr != in_info.samplerate ? " (resampled)" : "", out_rate);
    code = nn_cli_output_open(o->out_path, format, st.n_outputs, out_rate, &st.output);
    if (code != NN_CLI_OK)
        goto out;

    nn_cli_progress progress;
    double started = nn_cli_now();
    nn_cli_progress_begin(&progress, in_info.frames, 1.0 / in_info.samplerate, o->quiet);
    code = render(&st, in, &in_info, stream_sr, &progress);
    nn_cli_progress_end(&progress);
    int64_t frames_out = st.output ? nn_cli_output_frames(st.output) : 0;
    if (code == NN_CLI_OK) {
        code = nn_cli_output_commit(st.output);
        st.output = NULL;
    }
    if (code == NN_CLI_OK && !o->quiet) {
        /* The one line a successful render prints: what was written, how fast (compute time
         * over the input's duration: below 1 is faster than real time), and the latency. */
        double elapsed = nn_cli_now() - started;
        double seconds = (double)in_info.frames / in_info.samplerate;
        int latency = nn_stream_latency(st.stream);
        printf("wrote %s: %.2f s, %d channel%s at %d Hz, %s; real-time factor %.3f (%.3f s for %.2f s); "
               "latency %d samples (%.1f ms) %s\n",
               o->out_path, (double)frames_out / out_rate, st.n_outputs, st.n_outputs == 1 ? "" : "s", out_rate,
               nn_cli_format_describe(format), elapsed / seconds, elapsed, seconds, latency,
               1000.0 * latency / stream_sr, o->keep_latency ? "kept" : "removed");
    }
out:
    nn_model_free(model);
    release(&st);
    sf_close(in);
    return code;
}

int nn_cli_run(int argc, char **argv)
{
    run_options o;
    int code = parse_options(argc, argv, &o);
    if (code == NN_CLI_OK)
        code = run(&o);
    else if (code < 0)
        code = NN_CLI_OK;
    free(o.sets);
    return code;
}
