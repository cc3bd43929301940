/* nn~ in C — resampling between the host's rate and a model's own rate.
 * SPDX-License-Identifier: MIT
 *
 * The FIFOs and converters behind nn_resampler_block (see resample.h): host blocks in,
 * fixed model blocks through the model, host blocks out, with a constant added latency
 * that nn_resampler_new works out once from the converters' own delays.
 */
#include "resample.h"

#include <math.h>
#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* libsamplerate's converter for audio-rate signals; the tests' Python reference calls the
 * same library with the same type. */
#define NN_RESAMPLE_CONVERTER SRC_SINC_MEDIUM_QUALITY

/* Samples fed through the converters to measure their delay (at least). */
#define NN_RESAMPLE_PROBE 16384

/* One direction: `n` channels from a rate `from` to a rate `to`, filtered (one
 * libsamplerate converter per channel) or held (exact integer positions). */
typedef struct side {
    int n;
    int from, to;
    SRC_STATE **src; /* NULL when holding */
    uint64_t taken;  /* holding: samples received so far (at `from`) */
    uint64_t made;   /* holding: samples produced so far (at `to`) */
} side;

struct nn_resampler {
    int b, bm;
    side in, out;
    float *in_fifo; /* [in.n][in_cap] at the model's rate */
    int in_cap, in_fill;
    float *model_in;  /* [in.n][bm] */
    float *model_out; /* [out.n][bm] */
    float *out_fifo;  /* [out.n][out_cap] at the host's rate */
    int out_cap, out_fill;
    int latency;
};

static void side_free(side *s)
{
    if (s->src)
        for (int c = 0; c < s->n; c++)
            src_delete(s->src[c]);
    free(s->src);
    s->src = NULL;
}

static nn_status side_init(side *s, int n, int from, int to, bool hold, nn_error *err)
{
    s->n = n;
    s->from = from;
    s->to = to;
    if (hold)
        return NN_OK;
    s->src = calloc((size_t)n, sizeof *s->src);
    if (!s->src)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory for the resampler");
    for (int c = 0; c < n; c++) {
        int e = 0;
        s->src[c] = src_new(NN_RESAMPLE_CONVERTER, 1, &e);
        if (!s->src[c])
            return nn_error_set(err, NN_ERR_NO_MEMORY, "cannot create a resampler: %s", src_strerror(e));
    }
    return NN_OK;
}

static void side_reset(side *s)
{
    if (s->src)
        for (int c = 0; c < s->n; c++)
            src_reset(s->src[c]);
    s->taken = s->made = 0;
}

/* Convert `count` samples of each channel (channel c at src + c·src_stride) into the
 * free space of each channel (dst + c·dst_stride, `space` samples). Returns how many
 * samples each channel produced; `*used` how many inputs were consumed. Every channel
 * sees the same counts, so they stay in step. */
static int side_convert(side *s, const float *src, size_t src_stride, int count, float *dst, size_t dst_stride,
                        int space, int *used)
{
    if (!s->src) {
        /* Held: output sample j is input sample floor(j·from/to) (absolute positions). */
        uint64_t end = s->taken + (uint64_t)count;
        int made = 0;
        while (made < space) {
            uint64_t at = (s->made + (uint64_t)made) * (uint64_t)s->from / (uint64_t)s->to;
            if (at >= end)
                break;
            for (int c = 0; c < s->n; c++)
                dst[(size_t)c * dst_stride + (size_t)made] = src[(size_t)c * src_stride + (size_t)(at - s->taken)];
            made++;
        }
        /* Inputs no later output can need are consumed; the rest are kept by the caller
         * only when space ran out, so consume all unless it did. */
        uint64_t next = (s->made + (uint64_t)made) * (uint64_t)s->from / (uint64_t)s->to;
        int consumed = next >= end ? count : (int)(next - s->taken);
        s->made += (uint64_t)made;
        s->taken += (uint64_t)consumed;
        *used = consumed;
        return made;
    }
    int made = 0;
    *used = 0;
    for (int c = 0; c < s->n; c++) {
        SRC_DATA d;
        memset(&d, 0, sizeof d);
        d.data_in = src + (size_t)c * src_stride;
        d.input_frames = count;
        d.data_out = dst + (size_t)c * dst_stride;
        d.output_frames = space;
        d.src_ratio = (double)s->to / (double)s->from;
        if (src_process(s->src[c], &d) != 0) {
            d.output_frames_gen = 0;
            d.input_frames_used = count;
        }
        if (c == 0) {
            made = (int)d.output_frames_gen;
            *used = (int)d.input_frames_used;
        }
    }
    return made;
}

void nn_resampler_free(nn_resampler *r)
{
    if (!r)
        return;
    side_free(&r->in);
    side_free(&r->out);
    free(r->in_fifo);
    free(r->model_in);
    free(r->model_out);
    free(r->out_fifo);
    free(r);
}

/* The most a filtered side lags behind the exact count (output samples at `to`), fed
 * with zeros in chunks of `chunk` samples: libsamplerate holds back half its filter. */
static double side_lag(side *s, int chunk, float *zeros, float *scratch, int scratch_size)
{
    if (!s->src)
        return 0.0;
    double lag = 0.0;
    long long fed = 0;
    long long made = 0;
    while (fed < NN_RESAMPLE_PROBE || fed < 16LL * chunk) {
        int left = chunk;
        while (left > 0) {
            int used = 0;
            int got = side_convert(s, zeros, 0, left, scratch, 0, scratch_size, &used);
            made += got;
            left -= used;
            if (used == 0 && got == 0)
                break;
        }
        fed += chunk;
        double behind = (double)fed * (double)s->to / (double)s->from - (double)made;
        if (behind > lag)
            lag = behind;
    }
    side_reset(s);
    return lag;
}

nn_status nn_resampler_new(int host_rate, int model_rate, int batch, int in_ch, int out_ch, int in_ratio, int out_ratio,
                           int host_block, int model_block, nn_resampler **out, nn_error *err)
{
    *out = NULL;
    if (host_rate <= 0 || model_rate <= 0 || host_block <= 0 || model_block <= 0 || batch <= 0)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "resampler: bad rates or sizes");
    if (!src_is_valid_ratio((double)model_rate / host_rate))
        return nn_error_set(err, NN_ERR_UNSUPPORTED, "cannot resample from %d Hz to %d Hz (ratio out of range)",
                            host_rate, model_rate);
    nn_resampler *r = calloc(1, sizeof *r);
    if (!r)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory for the resampler");
    r->b = host_block;
    r->bm = model_block;
    int n_in = batch * (in_ch > 0 ? in_ch : 1), n_out = batch * (out_ch > 0 ? out_ch : 1);
    nn_status status = side_init(&r->in, n_in, host_rate, model_rate, in_ratio > 1, err);
    if (status == NN_OK)
        status = side_init(&r->out, n_out, model_rate, host_rate, out_ratio > 1, err);
    if (status != NN_OK) {
        nn_resampler_free(r);
        return status;
    }
    double ratio = (double)model_rate / host_rate;

    /* The delay: after N host samples, the input side has made at least N·fm/fh − Lin model
     * samples, of which all but at most Bm − 1 went through the model; the output side has
     * made at least M·fh/fm − Lout host samples of the M model samples it had. So P =
     * (Lin + Bm − 1)·fh/fm + Lout host samples of silence ahead keep the FIFO from running
     * dry; two more absorb rounding. */
    int probe = host_block > model_block ? host_block : model_block;
    int scratch_size = (int)ceil(probe * (ratio > 1 ? ratio : 1 / ratio)) + 1024;
    float *zeros = calloc((size_t)probe, sizeof *zeros);
    float *scratch = calloc((size_t)scratch_size, sizeof *scratch);
    if (!zeros || !scratch) {
        free(zeros);
        free(scratch);
        nn_resampler_free(r);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory for the resampler");
    }
    /* One channel stands for all: each gets the same counts. */
    side probe_in = r->in, probe_out = r->out;
    probe_in.n = probe_in.src ? 1 : 0;
    probe_out.n = probe_out.src ? 1 : 0;
    double lag_in = side_lag(&probe_in, host_block, zeros, scratch, scratch_size);
    double lag_out = side_lag(&probe_out, model_block, zeros, scratch, scratch_size);
    free(zeros);
    free(scratch);
    double p = ceil((lag_in + (double)model_block - 1.0) / ratio + lag_out) + 2.0;
    if (p > (double)NN_MAX_BUFFER_SIZE * 8) {
        nn_resampler_free(r);
        return nn_error_set(err, NN_ERR_UNSUPPORTED, "resampling from %d Hz to %d Hz would add %.0f samples", host_rate,
                            model_rate, p);
    }
    r->latency = (int)p;

    /* The input FIFO holds less than Bm samples between blocks plus one converted
     * chunk; the output FIFO at most P + B plus what the model blocks of one engine
     * block give back. */
    r->in_cap = model_block + (int)ceil(host_block * ratio) + 256;
    int per_model_block = (int)ceil(model_block / ratio) + 256;
    int calls = 2 + (int)ceil(host_block * ratio / model_block);
    r->out_cap = r->latency + host_block + calls * per_model_block;
    r->in_fifo = calloc((size_t)n_in * (size_t)r->in_cap, sizeof(float));
    r->model_in = calloc((size_t)n_in * (size_t)model_block, sizeof(float));
    r->model_out = calloc((size_t)n_out * (size_t)model_block, sizeof(float));
    r->out_fifo = calloc((size_t)n_out * (size_t)r->out_cap, sizeof(float));
    if (!r->in_fifo || !r->model_in || !r->model_out || !r->out_fifo) {
        nn_resampler_free(r);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory for the resampler");
    }
    r->out_fill = r->latency; /* silence: calloc */
    *out = r;
    return NN_OK;
}

void nn_resampler_reset(nn_resampler *r)
{
    if (!r)
        return;
    side_reset(&r->in);
    side_reset(&r->out);
    r->in_fill = 0;
    memset(r->out_fifo, 0, (size_t)r->out.n * (size_t)r->out_cap * sizeof(float));
    r->out_fill = r->latency;
}

int nn_resampler_latency(const nn_resampler *r)
{
    return r ? r->latency : 0;
}

/* Drop the first `count` samples of each channel of a FIFO. */
static void fifo_shift(float *fifo, int channels, int cap, int fill, int count)
{
    for (int c = 0; c < channels; c++) {
        float *ch = fifo + (size_t)c * (size_t)cap;
        memmove(ch, ch + count, (size_t)(fill - count) * sizeof(float));
    }
}

/* Run every complete model block waiting in the input FIFO and convert its result into
 * the output FIFO. */
static nn_status drain(nn_resampler *r, nn_resampler_run_fn run, void *user, nn_status status, nn_error *err)
{
    while (r->in_fill >= r->bm) {
        for (int c = 0; c < r->in.n; c++)
            memcpy(r->model_in + (size_t)c * (size_t)r->bm, r->in_fifo + (size_t)c * (size_t)r->in_cap,
                   (size_t)r->bm * sizeof(float));
        fifo_shift(r->in_fifo, r->in.n, r->in_cap, r->in_fill, r->bm);
        r->in_fill -= r->bm;
        nn_error run_err;
        nn_status s = run(user, r->model_in, r->model_out, &run_err);
        if (s != NN_OK) {
            memset(r->model_out, 0, (size_t)r->out.n * (size_t)r->bm * sizeof(float));
            if (status == NN_OK) {
                status = s;
                if (err)
                    *err = run_err;
            }
        }
        int left = r->bm;
        const float *from = r->model_out;
        while (left > 0) {
            int used = 0;
            int space = r->out_cap - r->out_fill;
            int made = side_convert(&r->out, from, (size_t)r->bm, left, r->out_fifo + r->out_fill, (size_t)r->out_cap,
                                    space, &used);
            r->out_fill += made;
            from += used;
            left -= used;
            if (used == 0 && made == 0)
                break; /* full: cannot happen with the capacity chosen at build */
        }
    }
    return status;
}

nn_status nn_resampler_block(nn_resampler *r, const float *in, float *out, nn_resampler_run_fn run, void *user,
                             nn_error *err)
{
    nn_status status = NN_OK;
    int left = r->b;
    const float *from = in;
    while (left > 0) {
        int used = 0;
        int made = side_convert(&r->in, from, (size_t)r->b, left, r->in_fifo + r->in_fill, (size_t)r->in_cap,
                                r->in_cap - r->in_fill, &used);
        r->in_fill += made;
        from += used;
        left -= used;
        status = drain(r, run, user, status, err);
        if (used == 0 && made == 0)
            break;
    }
    int take = r->out_fill < r->b ? r->out_fill : r->b;
    for (int c = 0; c < r->out.n; c++) {
        float *dst = out + (size_t)c * (size_t)r->b;
        memcpy(dst, r->out_fifo + (size_t)c * (size_t)r->out_cap, (size_t)take * sizeof(float));
        memset(dst + take, 0, (size_t)(r->b - take) * sizeof(float));
    }
    fifo_shift(r->out_fifo, r->out.n, r->out_cap, r->out_fill, take);
    r->out_fill -= take;
    return status;
}
