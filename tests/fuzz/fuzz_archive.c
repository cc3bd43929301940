/* nn~ in C — libFuzzer target: the model archive check (src/core/archive.c) on any file.
 * SPDX-License-Identifier: MIT
 *
 * The input is written to a file (nn_archive_check reads a path, as nn_model_load does) and
 * checked: NN_OK or NN_ERR_BAD_FILE with a message, never a crash, an overflow or a leak.
 * Seeds: small TorchScript-shaped archives (tests/fuzz/make_seeds.py) and, when the release
 * build made them, the generated models and issue 13's reproducers.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = memfd_create("nn_fuzz_archive", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    nn_error err;
    nn_error_clear(&err);
    nn_status s = nn_archive_check(path, &err);
    if (s != NN_OK && (s != NN_ERR_BAD_FILE && s != NN_ERR_NO_MEMORY))
        abort();
    if (s != NN_OK && err.message[0] == '\0')
        abort();
    return 0;
}
