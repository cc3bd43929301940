/* nn~ in C — checks a model archive before libtorch reads it.
 * SPDX-License-Identifier: MIT
 *
 * libtorch 1.13 trusts the zip it is given: it checks no CRC, believes the sizes in the
 * headers (a 5 KB file can make it allocate gigabytes), and parses TorchScript source with
 * a recursive parser that a deeply nested expression overflows. This file reads every entry
 * of the archive once with libzip (consistency check of the central directory, every byte
 * read, every CRC verified, every size compared with what the headers say), bounds the
 * entry count and the uncompressed total, and measures the bracket and indentation depth
 * of the TorchScript source, so that libtorch is only ever handed a well-formed archive
 * whose code its parser can take.
 */
#include "internal.h"
#include "pickle_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define ARCHIVE_MAX_ENTRIES 100000
/* Far above any model nn~ runs in real time (RAVE exports are 10-300 MB). */
#define ARCHIVE_MAX_TOTAL (8LL * 1024 * 1024 * 1024)
/* Exported TorchScript nests a few dozen levels; libtorch's parser overflows an 8 MiB stack
 * near 8000. */
#define ARCHIVE_MAX_NESTING 256
/* data.pkl of a large model is a few hundred KB. */
#define ARCHIVE_MAX_PICKLE (256u * 1024 * 1024)

/* A tensor pickle's storages against the archive's records. */
typedef struct storage_check {
    zip_t *zip;
    const char *dir; /* "<top>/<archive>/", e.g. "gain/data/" */
    const char *pickle;
} storage_check;

static bool storage_record(void *user, const char *key, size_t key_len, int64_t numel, int item, char *why,
                           size_t why_size)
{
    storage_check *c = user;
    char name[1024];
    if (key_len > 256 || snprintf(name, sizeof name, "%s%.*s", c->dir, (int)key_len, key) >= (int)sizeof name) {
        snprintf(why, why_size, "%s names a storage key of %zu characters", c->pickle, key_len);
        return false;
    }
    if (numel < 0 || item == 0) {
        snprintf(why, why_size, "%s: storage '%s' has %s", c->pickle, name,
                 numel < 0 ? "a negative size" : "an unknown element type");
        return false;
    }
    zip_stat_t st;
    if (zip_stat(c->zip, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        if (numel == 0)
            return true; /* libtorch reads no record for an empty storage */
        snprintf(why, why_size, "%s: the record '%s' of a tensor is missing", c->pickle, name);
        return false;
    }
    if ((uint64_t)numel > UINT64_MAX / 16 || st.size < (zip_uint64_t)numel * (zip_uint64_t)item) {
        snprintf(why, why_size, "record '%s' holds %llu bytes, its tensor needs %llu (%lld x %d bytes)", name,
                 (unsigned long long)st.size, (unsigned long long)numel * (unsigned long long)item, (long long)numel,
                 item);
        return false;
    }
    return true;
}

/* `name` is "<top>/<archive>.pkl" (data.pkl, constants.pkl); its records are "<top>/<archive>/<key>". */
static nn_status pickle_check(zip_t *zip, const char *path, const char *name, const unsigned char *data,
                              size_t size, nn_error *err)
{
    char dir[1024];
    size_t n = strlen(name);
    if (n - 4 >= sizeof dir - 1)
        return nn_error_set(err, NN_ERR_BAD_FILE, "%s: entry name too long", path);
    snprintf(dir, sizeof dir, "%.*s/", (int)(n - 4), name);
    storage_check c = {zip, dir, name};
    char why[400];
    if (!nn_pickle_scan(data, size, storage_record, &c, why, sizeof why))
        return nn_error_set(err, NN_ERR_BAD_FILE, "%s: corrupt model: %s%s%s", path,
                            strstr(why, ".pkl") ? "" : name, strstr(why, ".pkl") ? "" : ": ", why);
    return NN_OK;
}

typedef struct nesting {
    int depth, max_depth;
    int indent, max_indent;
    bool line_start;
    char quote; /* inside a string literal: its quote character */
    bool escape;
    bool comment;
} nesting;

static void nesting_feed(nesting *n, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = (char)p[i];
        if (c == '\n') {
            n->line_start = true;
            n->indent = 0;
            n->comment = false;
            n->escape = false;
            continue;
        }
        if (n->line_start) {
            if (c == ' ' || c == '\t') {
                n->indent++;
                continue;
            }
            n->line_start = false;
            if (n->indent > n->max_indent)
                n->max_indent = n->indent;
        }
        if (n->comment)
            continue;
        if (n->quote) {
            if (n->escape)
                n->escape = false;
            else if (c == '\\')
                n->escape = true;
            else if (c == n->quote)
                n->quote = 0;
            continue;
        }
        switch (c) {
        case '#': n->comment = true; break;
        case '"':
        case '\'': n->quote = c; break;
        case '(':
        case '[':
        case '{':
            if (++n->depth > n->max_depth)
                n->max_depth = n->depth;
            break;
        case ')':
        case ']':
        case '}':
            if (n->depth > 0)
                n->depth--;
            break;
        default: break;
        }
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static nn_status entry_check(zip_t *zip, zip_uint64_t index, const zip_stat_t *st, const char *path,
                             unsigned char *buf, size_t buf_size, nn_error *err)
{
    bool pickle = ends_with(st->name, ".pkl");
    unsigned char *whole = NULL;
    if (pickle) {
        if (st->size > ARCHIVE_MAX_PICKLE)
            return nn_error_set(err, NN_ERR_BAD_FILE, "%s: refused: pickle '%s' is %llu bytes (at most %u)", path,
                                st->name, (unsigned long long)st->size, ARCHIVE_MAX_PICKLE);
        if (!(whole = malloc(st->size ? (size_t)st->size : 1)))
            return nn_error_set(err, NN_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    zip_file_t *f = zip_fopen_index(zip, index, 0);
    if (!f) {
        free(whole);
        return nn_error_set(err, NN_ERR_BAD_FILE, "%s: corrupt archive: entry '%s' cannot be read (%s)", path,
                            st->name, zip_strerror(zip));
    }
    bool code = ends_with(st->name, ".py");
    nesting n = {.line_start = true};
    zip_uint64_t total = 0;
    nn_status status = NN_OK;
    for (;;) {
        zip_int64_t got = zip_fread(f, buf, buf_size);
        if (got < 0) {
            /* libzip verifies the CRC at the end of each entry and the data against its sizes. */
            status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: corrupt archive: entry '%s': %s", path, st->name,
                                  zip_file_strerror(f));
            break;
        }
        if (got == 0)
            break;
        total += (zip_uint64_t)got;
        if (total > st->size) {
            status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: corrupt archive: entry '%s' is longer than its header says",
                                  path, st->name);
            break;
        }
        if (code)
            nesting_feed(&n, buf, (size_t)got);
        if (whole)
            memcpy(whole + total - (zip_uint64_t)got, buf, (size_t)got);
    }
    zip_fclose(f);
    if (status == NN_OK && whole && total == st->size)
        status = pickle_check(zip, path, st->name, whole, (size_t)total, err);
    free(whole);
    if (status != NN_OK)
        return status;
    if (total != st->size)
        return nn_error_set(err, NN_ERR_BAD_FILE,
                            "%s: corrupt archive: entry '%s' holds %llu bytes, its header says %llu", path, st->name,
                            (unsigned long long)total, (unsigned long long)st->size);
    if (code && (n.max_depth > ARCHIVE_MAX_NESTING || n.max_indent > 4 * ARCHIVE_MAX_NESTING))
        return nn_error_set(err, NN_ERR_BAD_FILE,
                            "%s: refused: TorchScript source '%s' nests %d levels deep (at most %d are accepted)", path,
                            st->name, n.max_depth > ARCHIVE_MAX_NESTING ? n.max_depth : n.max_indent / 4,
                            ARCHIVE_MAX_NESTING);
    return NN_OK;
}

nn_status nn_archive_check(const char *path, nn_error *err)
{
    int code = 0;
    zip_t *zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        nn_status s = nn_error_set(err, NN_ERR_BAD_FILE, "%s: not a TorchScript archive (zip: %s)", path,
                                   zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return s;
    }
    nn_status status = NN_OK;
    zip_int64_t entries = zip_get_num_entries(zip, 0);
    unsigned char *buf = malloc(1 << 16);
    if (!buf)
        status = nn_error_set(err, NN_ERR_NO_MEMORY, "%s: out of memory", path);
    else if (entries <= 0)
        status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: not a TorchScript archive (empty zip)", path);
    else if (entries > ARCHIVE_MAX_ENTRIES)
        status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: refused: the archive has %lld entries (at most %d)", path,
                              (long long)entries, ARCHIVE_MAX_ENTRIES);
    long long total = 0;
    for (zip_int64_t i = 0; status == NN_OK && i < entries; i++) {
        zip_stat_t st;
        if (zip_stat_index(zip, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE)) {
            status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: corrupt archive: entry %lld unreadable (%s)", path,
                                  (long long)i, zip_strerror(zip));
            break;
        }
        if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE) {
            status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: entry '%s' uses compression method %d, not stored or deflate",
                                  path, st.name, (int)st.comp_method);
            break;
        }
        if (st.size > (zip_uint64_t)ARCHIVE_MAX_TOTAL || (total += (long long)st.size) > ARCHIVE_MAX_TOTAL) {
            status = nn_error_set(err, NN_ERR_BAD_FILE, "%s: refused: the archive's entries add up to more than %lld GiB",
                                  path, ARCHIVE_MAX_TOTAL >> 30);
            break;
        }
        status = entry_check(zip, (zip_uint64_t)i, &st, path, buf, 1 << 16, err);
    }
    free(buf);
    zip_discard(zip);
    return status;
}
