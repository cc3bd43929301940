/* nn~ in C — status codes, error reports, logging, typed values, buffer-size rules.
 * SPDX-License-Identifier: MIT
 *
 * The small pieces every other part of the core and every frontend shares.
 */
#include "nn/nn.h"
#include "internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nn_strerror(nn_status status)
{
    switch (status) {
    case NN_OK: return "ok";
    case NN_ERR_INVALID_ARGUMENT: return "invalid argument";
    case NN_ERR_NO_MEMORY: return "out of memory";
    case NN_ERR_FILE_NOT_FOUND: return "file not found";
    case NN_ERR_NOT_A_FILE: return "not a regular file";
    case NN_ERR_EMPTY_FILE: return "empty file";
    case NN_ERR_BAD_FILE: return "not a TorchScript model file";
    case NN_ERR_NOT_NN_MODEL: return "not an nn~ model";
    case NN_ERR_BAD_METADATA: return "bad model metadata";
    case NN_ERR_UNKNOWN_METHOD: return "unknown method";
    case NN_ERR_UNKNOWN_ATTRIBUTE: return "unknown attribute";
    case NN_ERR_WRONG_COUNT: return "wrong number of values";
    case NN_ERR_WRONG_TYPE: return "wrong value type";
    case NN_ERR_REFUSED: return "refused by the model";
    case NN_ERR_MODEL_FAILED: return "model failed";
    case NN_ERR_BAD_OUTPUT: return "bad model output";
    case NN_ERR_UNSUPPORTED: return "not supported";
    case NN_ERR_BUFFER_SIZE: return "bad buffer size";
    case NN_ERR_BUSY: return "busy";
    case NN_ERR_IO: return "input/output error";
    case NN_ERR_NETWORK: return "network error";
    case NN_ERR_HTTP: return "HTTP error";
    case NN_ERR_BAD_RESPONSE: return "bad server response";
    case NN_ERR_BAD_CARD: return "bad model card";
    case NN_ERR_CANCELLED: return "cancelled";
    case NN_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

nn_status nn_error_set(nn_error *err, nn_status status, const char *fmt, ...)
{
    if (err) {
        err->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

void nn_error_clear(nn_error *err)
{
    if (err) {
        err->status = NN_OK;
        err->message[0] = '\0';
    }
}

/* ---- logging ------------------------------------------------------------ */

static void log_to_stderr(void *user, nn_log_level level, const char *message)
{
    (void)user;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "nn: %s: %s\n", names[level], message);
}

static nn_log_fn log_fn = log_to_stderr;
static void *log_user;

void nn_log_set_handler(nn_log_fn fn, void *user)
{
    log_fn = fn ? fn : log_to_stderr;
    log_user = fn ? user : NULL;
}

void nn_log(nn_log_level level, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    log_fn(log_user, level, message);
}

char *nn_string_copy(const char *text)
{
    if (!text)
        return NULL;
    size_t size = strlen(text) + 1;
    char *copy = malloc(size);
    if (copy)
        memcpy(copy, text, size);
    return copy;
}

/* ---- typed values ------------------------------------------------------- */

const char *nn_type_name(nn_type type)
{
    switch (type) {
    case NN_TYPE_BOOL: return "bool";
    case NN_TYPE_INT: return "int";
    case NN_TYPE_FLOAT: return "float";
    case NN_TYPE_STRING: return "string";
    case NN_TYPE_TENSOR: return "tensor";
    case NN_TYPE_BUFFER: return "buffer";
    }
    return "unknown";
}

void nn_value_list_clear(nn_value_list *list)
{
    if (!list)
        return;
    for (int i = 0; i < list->count; i++)
        free((char *)list->values[i].s);
    free(list->values);
    list->values = NULL;
    list->count = 0;
}

int nn_value_format(const nn_value *value, char *buf, size_t size)
{
    switch (value->type) {
    case NN_TYPE_BOOL: return snprintf(buf, size, "%s", value->b ? "true" : "false");
    case NN_TYPE_INT: return snprintf(buf, size, "%" PRId64, value->i);
    case NN_TYPE_FLOAT: return snprintf(buf, size, "%.9g", value->f);
    case NN_TYPE_STRING:
    case NN_TYPE_TENSOR:
    case NN_TYPE_BUFFER: return snprintf(buf, size, "%s", value->s ? value->s : "");
    }
    return snprintf(buf, size, "?");
}

/* ---- buffer-size rules -------------------------------------------------- */

static int power_of_two_ceil(int v)
{
    int p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

nn_status nn_buffer_size_resolve(int requested, int max_ratio, int *resolved, bool *synchronous, bool *raised,
                                 nn_error *err)
{
    if (!resolved)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_buffer_size_resolve: NULL result");
    if (max_ratio < 1)
        max_ratio = 1;
    if (synchronous)
        *synchronous = requested == 0;
    if (raised)
        *raised = false;
    if (requested < 0 || requested > NN_MAX_BUFFER_SIZE)
        return nn_error_set(err, NN_ERR_BUFFER_SIZE, "buffer size %d is out of range (0 for synchronous, or 1..%d)",
                            requested, NN_MAX_BUFFER_SIZE);
    if (requested == 0) {
        *resolved = max_ratio;
    } else if (requested < max_ratio) {
        *resolved = max_ratio;
        if (raised)
            *raised = true;
    } else {
        *resolved = power_of_two_ceil(requested);
    }
    return NN_OK;
}
