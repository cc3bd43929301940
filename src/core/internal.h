/* nn~ in C — helpers private to the core library (not part of the public API).
 * SPDX-License-Identifier: MIT
 *
 * Small utilities several core files need; kept out of include/nn/nn.h because no frontend
 * should depend on them.
 */
#ifndef NN_CORE_INTERNAL_H
#define NN_CORE_INTERNAL_H

#include "nn/nn.h"

/* A malloc'd copy of `text` (free() it), or NULL when `text` is NULL or memory runs out. */
char *nn_string_copy(const char *text);

#include "nn/nn.h"

/* nn_model_reload in two steps, so that the stream engine can load the file without
 * holding the model's lock and hold it only while it reads what the user set:
 * the device and sample rate to load with, then the attribute values replayed in order. */
nn_model_config nn_model_reload_config(const nn_model *model);
void nn_model_replay(nn_model *fresh, const nn_model *model);
/* Reads the whole zip archive at `path` once (libzip: central directory consistency, every
 * entry's CRC and sizes), bounds its entry count and size, and refuses TorchScript source
 * nested deeper than libtorch's recursive parser can take. NN_ERR_BAD_FILE with the entry
 * named otherwise. Any thread; no libtorch call. */
nn_status nn_archive_check(const char *path, nn_error *err);

#endif /* NN_CORE_INTERNAL_H */
