/* nn~ in C — private interface between the C model code and the libtorch backend.
 * SPDX-License-Identifier: MIT
 *
 * src/core/model.c owns the public nn_model handle: file checks, metadata
 * storage, value type checking, the record of set values used by reload.
 * src/backend/torch_backend.cpp is the only code that touches libtorch; it
 * exposes the narrow set of C functions below, each of which catches every
 * exception and turns it into an nn_status and a message. Values passed to
 * nn_torch_attribute_set are already checked and converted to the exact type
 * code of each element, so the backend only maps them onto TorchScript values.
 */
#ifndef NN_TORCH_BACKEND_H
#define NN_TORCH_BACKEND_H

#include "nn/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* channels x ratio of one side of a method: the samples of one batch item's smallest block
 * (2^22 floats = 16 MiB); larger metadata is refused at load (NN_ERR_BAD_METADATA). */
#define NN_MAX_CHANNEL_SAMPLES (1 << 22)

typedef struct nn_torch nn_torch;

/* Metadata read once at load. Every pointer is malloc'd (names, labels,
 * label arrays, type arrays) and released by nn_model_meta_clear. */
typedef struct nn_model_meta {
    int method_count;
    nn_method_info *methods;
    int attribute_count;
    nn_attribute_info *attributes;
    int buffer_count;
    char **buffers;
    bool has_set_sample_rate;
} nn_model_meta;

void nn_model_meta_clear(nn_model_meta *meta);

/* Load a TorchScript archive (the file is known to exist, be regular and be
 * non-empty). NN_ERR_BAD_FILE when libtorch cannot read it. */
nn_status nn_torch_load(const char *path, nn_torch **out, nn_error *err);
void nn_torch_free(nn_torch *torch);

/* Read methods, attributes and buffer names, and cache one method handle per
 * listed method (same indices as meta->methods). `file` names the model in
 * messages. */
nn_status nn_torch_read_meta(nn_torch *torch, const char *file, nn_model_meta *meta, nn_error *err);

nn_status nn_torch_run(nn_torch *torch, int method, const nn_method_info *info, int batch, int frames,
                       const float *input, float *output, nn_error *err);

nn_status nn_torch_attribute_get(nn_torch *torch, const nn_attribute_info *attr, nn_value_list *out, nn_error *err);

/* `values[i].type == attr->types[i]` for every element (checked by the caller). */
nn_status nn_torch_attribute_set(nn_torch *torch, const nn_attribute_info *attr, const nn_value *values,
                                 int sample_rate, nn_error *err);

nn_status nn_torch_buffer_clear(nn_torch *torch, const char *element, nn_error *err);
nn_status nn_torch_set_sample_rate(nn_torch *torch, int sample_rate, nn_error *err);
int nn_torch_sample_rate(nn_torch *torch);
nn_status nn_torch_set_device(nn_torch *torch, nn_device device, nn_error *err);

const char *nn_torch_version(void);
bool nn_torch_has_cuda(void);
void nn_torch_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif /* NN_TORCH_BACKEND_H */
