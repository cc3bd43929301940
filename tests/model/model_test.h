/* nn~ in C — helpers shared by the model tests: locating models, reading golden data and JSON.
 * SPDX-License-Identifier: MIT
 *
 * The tests run on real files: the IRCAM fixtures ($NN_TEST_FIXTURES) and the
 * models, metadata and golden outputs written by the generator
 * ($NN_TEST_MODELS). A missing file is a test failure with a message that
 * says what to build, never a skip.
 */
#ifndef NN_MODEL_TEST_H
#define NN_MODEL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/nn.h"

/* "$<var>/<name>" in a static buffer rotated over 8 slots (enough for one call's arguments). */
static inline const char *test_path(const char *var, const char *name)
{
    static char slots[8][1024];
    static int next;
    const char *dir = getenv(var);
    if (!dir || !*dir)
        fail_msg("environment variable %s is not set (run the test through ctest)", var);
    char *out = slots[next++ % 8];
    snprintf(out, sizeof slots[0], "%s/%s", dir, name);
    return out;
}

static inline void test_require_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        fail_msg("missing test file %s (build the 'models' target: it runs python/tools/generate_models.py)", path);
}

static inline nn_model *test_load(const char *path)
{
    test_require_file(path);
    nn_model *model = NULL;
    nn_error err;
    nn_error_clear(&err);
    nn_status status = nn_model_load(path, NULL, &model, &err);
    if (status != NN_OK || !model)
        fail_msg("loading %s failed: %s (%s)", path, err.message, nn_strerror(status));
    return model;
}

static inline void *test_read_file(const char *path, size_t *size)
{
    test_require_file(path);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    if (size)
        *size = (size_t)n;
    return data;
}

static inline cJSON *test_read_json(const char *path)
{
    char *text = test_read_file(path, NULL);
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (!json)
        fail_msg("%s is not valid JSON", path);
    return json;
}

/* Raw little-endian float32 file with exactly `count` values. */
static inline float *test_read_f32(const char *path, size_t count)
{
    size_t size = 0;
    float *data = test_read_file(path, &size);
    if (size != count * sizeof(float))
        fail_msg("%s holds %zu bytes, expected %zu floats", path, size, count);
    return data;
}

/* Assert a call succeeded, printing the library's message when not. */
#define TEST_OK(call, err)                                                                                             \
    do {                                                                                                               \
        nn_status test_status_ = (call);                                                                               \
        if (test_status_ != NN_OK)                                                                                     \
            fail_msg("%s -> %s: %s", #call, nn_strerror(test_status_), (err).message);                                 \
    } while (0)

#endif /* NN_MODEL_TEST_H */
