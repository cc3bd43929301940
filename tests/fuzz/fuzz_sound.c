/* nn~ in C — libFuzzer target: the CLI's sound-file input path.
 * SPDX-License-Identifier: MIT
 *
 * What `nntilde run` does with IN before the model sees it (src/cli/cmd_run.c): libsndfile
 * opens it, an empty file or a rate outside 8-1536000 Hz is refused, more than 128 channels
 * cannot be resampled, and the frames are read in chunks of the render's size. Any bytes
 * must give either a refusal or finite reads of the declared shape.
 */
#include <sndfile.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RUN_CHUNK 4096

typedef struct blob {
    const uint8_t *data;
    sf_count_t size, pos;
} blob;

static sf_count_t get_len(void *u) { return ((blob *)u)->size; }
static sf_count_t do_seek(sf_count_t off, int whence, void *u)
{
    blob *b = u;
    sf_count_t p = whence == SEEK_SET ? off : whence == SEEK_CUR ? b->pos + off : b->size + off;
    if (p < 0 || p > b->size)
        return -1;
    return b->pos = p;
}
static sf_count_t do_read(void *ptr, sf_count_t n, void *u)
{
    blob *b = u;
    if (n > b->size - b->pos)
        n = b->size - b->pos;
    memcpy(ptr, b->data + b->pos, (size_t)n);
    b->pos += n;
    return n;
}
static sf_count_t do_write(const void *ptr, sf_count_t n, void *u)
{
    (void)ptr;
    (void)n;
    (void)u;
    return 0;
}
static sf_count_t do_tell(void *u) { return ((blob *)u)->pos; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    blob b = {data, (sf_count_t)size, 0};
    SF_VIRTUAL_IO io = {get_len, do_seek, do_read, do_write, do_tell};
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *in = sf_open_virtual(&io, SFM_READ, &info, &b);
    if (!in)
        return 0;
    /* The CLI's refusals, in its order. */
    if (info.frames == 0 || info.samplerate < 8 || info.samplerate > 1536000 || info.channels < 1 ||
        info.channels > 1024) {
        sf_close(in);
        return 0;
    }
    float *chunk = malloc((size_t)RUN_CHUNK * (size_t)info.channels * sizeof *chunk);
    if (chunk) {
        sf_count_t total = 0, got;
        while ((got = sf_readf_float(in, chunk, RUN_CHUNK)) > 0 && total < (1 << 22))
            total += got;
        free(chunk);
    }
    sf_close(in);
    return 0;
}
