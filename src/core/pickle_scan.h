/* nn~ in C — the storages a TorchScript pickle asks for (see pickle_scan.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef NN_CORE_PICKLE_SCAN_H
#define NN_CORE_PICKLE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for each persistent id ('storage', class, key, location, numel): `key` is not
 * terminated; `item` is the class's element size, 0 when the class is unknown. Return false
 * (with a reason in `why`) to stop the scan. */
typedef bool (*nn_pickle_storage_fn)(void *user, const char *key, size_t key_len, int64_t numel, int item, char *why,
                                     size_t why_size);

/* Walks a pickle; false with a reason in `why` when it is corrupt or `fn` refused. Any thread. */
bool nn_pickle_scan(const unsigned char *data, size_t size, nn_pickle_storage_fn fn, void *user, char *why,
                    size_t why_size);

#endif /* NN_CORE_PICKLE_SCAN_H */
