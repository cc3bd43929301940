/* nn~ in C — helpers private to the core library (not part of the public API).
 * SPDX-License-Identifier: MIT
 *
 * Small utilities several core files need; kept out of include/nn/nn.h because no frontend
 * should depend on them.
 */
#ifndef NN_CORE_INTERNAL_H
#define NN_CORE_INTERNAL_H

/* A malloc'd copy of `text` (free() it), or NULL when `text` is NULL or memory runs out. */
char *nn_string_copy(const char *text);

#endif /* NN_CORE_INTERNAL_H */
