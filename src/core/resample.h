/* nn~ in C — resampling between the host's rate and a model's own rate (private).
 * SPDX-License-Identifier: MIT
 *
 * A resampler sits between an engine block of B host samples and the model: the
 * block's inputs go to the model's rate (libsamplerate, one converter per channel),
 * into a FIFO from which the model is called on fixed blocks of Bm model samples;
 * each result goes back to the host's rate into a second FIFO, which was filled with
 * P samples of silence when the resampler was built, and the engine block takes its
 * B output samples from there. P is chosen (nn_resampler_new) so that the FIFO never
 * runs dry: the resampling adds exactly P samples of latency, always. Signals at a
 * ratio above 1 (latent inputs and outputs) are not filtered but held: model sample j
 * is host sample floor(j·fh/fm) and host sample i is model sample floor(i·fm/fh), in
 * exact integer arithmetic, so a latent frame keeps its place for ever.
 *
 * Everything is allocated by nn_resampler_new; nn_resampler_block only copies and
 * converts (the worker thread's job, or the audio thread's in SYNCHRONOUS mode).
 */
#ifndef NN_CORE_RESAMPLE_H
#define NN_CORE_RESAMPLE_H

#include "nn/nn.h"

#include <stdint.h>

typedef struct nn_resampler nn_resampler;

/* Runs the model on one block: `in` [batch][in_ch][Bm] to `out` [batch][out_ch][Bm]. */
typedef nn_status (*nn_resampler_run_fn)(void *user, const float *in, float *out, nn_error *err);

/* A resampler for `batch` examples of `in_ch` inputs and `out_ch` outputs between a host
 * at `host_rate` that hands over blocks of `host_block` samples and a model at
 * `model_rate` called on blocks of `model_block` samples. `in_ratio`/`out_ratio` > 1
 * select holding instead of filtering on that side. Control thread. */
nn_status nn_resampler_new(int host_rate, int model_rate, int batch, int in_ch, int out_ch, int in_ratio, int out_ratio,
                           int host_block, int model_block, nn_resampler **out, nn_error *err);
void nn_resampler_free(nn_resampler *r);

/* Back to the state nn_resampler_new left: empty input FIFO, P samples of silence ahead,
 * converters cleared (a stream that restarts: re-enabled, new vector size). No allocation;
 * called by the thread that runs the blocks. */
void nn_resampler_reset(nn_resampler *r);

/* P: the samples of latency the resampling adds (host rate). */
int nn_resampler_latency(const nn_resampler *r);

/* One engine block: `in` [batch][in_ch][B] (host rate) in, `out` [batch][out_ch][B]
 * out, calling `run` for every model block that became complete (0, 1 or more). A
 * failed model call gives zeros for that model block; the first failure's status is
 * returned with its message. No allocation. */
nn_status nn_resampler_block(nn_resampler *r, const float *in, float *out, nn_resampler_run_fn run, void *user,
                             nn_error *err);

#endif /* NN_CORE_RESAMPLE_H */
