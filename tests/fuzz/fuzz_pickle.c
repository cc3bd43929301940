/* nn~ in C — libFuzzer target: the TorchScript pickle scanner (src/core/pickle_scan.c).
 * SPDX-License-Identifier: MIT
 *
 * Any bytes: the scanner must end with true or false and a reason, never read out of bounds,
 * overflow or leak (ASan + UBSan). Every storage it reports has a key inside the input.
 */
#include "pickle_scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t *input_begin, *input_end;

static bool on_storage(void *user, const char *key, size_t key_len, int64_t numel, int item, char *why,
                       size_t why_size)
{
    (void)user;
    (void)numel;
    (void)item;
    (void)why;
    (void)why_size;
    if ((const uint8_t *)key < input_begin || (const uint8_t *)key + key_len > input_end)
        abort();
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    input_begin = data;
    input_end = data + size;
    bool ok = nn_pickle_scan(data, size, on_storage, NULL, why, sizeof why);
    if (!ok && why[0] == '\0')
        abort(); /* a refusal always says why */
    return 0;
}
