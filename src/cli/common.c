/* nntilde — errors, exit codes, number parsing, model opening, --set values.
 * SPDX-License-Identifier: MIT
 *
 * Helpers shared by the commands. Attribute values given on the command line
 * are text; they are converted here by the attribute's own type codes (the
 * same rules the Pd object applies to atoms) so that a wrong value is refused
 * with a message naming the attribute before the model is touched.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void nn_cli_error(const char *subject, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (subject)
        fprintf(stderr, "nntilde: %s: %s\n", subject, message);
    else
        fprintf(stderr, "nntilde: %s\n", message);
}

void nn_cli_error_report(const char *subject, const nn_error *err)
{
    const char *message = err->message[0] ? err->message : nn_strerror(err->status);
    size_t n = subject ? strlen(subject) : 0;
    if (subject && strncmp(message, subject, n) == 0 && message[n] == ':') {
        message += n + 1;
        while (*message == ' ')
            message++;
    }
    nn_cli_error(subject, "%s", message);
}

int nn_cli_exit_code(nn_status status)
{
    switch (status) {
    case NN_OK: return NN_CLI_OK;
    case NN_ERR_FILE_NOT_FOUND:
    case NN_ERR_NOT_A_FILE:
    case NN_ERR_EMPTY_FILE:
    case NN_ERR_BAD_FILE:
    case NN_ERR_NOT_NN_MODEL:
    case NN_ERR_BAD_METADATA: return NN_CLI_BAD_INPUT;
    case NN_ERR_INVALID_ARGUMENT:
    case NN_ERR_UNKNOWN_METHOD:
    case NN_ERR_UNKNOWN_ATTRIBUTE:
    case NN_ERR_WRONG_COUNT:
    case NN_ERR_WRONG_TYPE:
    case NN_ERR_REFUSED:
    case NN_ERR_BUFFER_SIZE:
    case NN_ERR_BAD_CARD: return NN_CLI_USAGE;
    case NN_ERR_IO: return NN_CLI_BAD_OUTPUT;
    default: return NN_CLI_FAILURE;
    }
}

bool nn_cli_parse_int(const char *text, long min, long max, long *out)
{
    if (!text || !*text)
        return false;
    errno = 0;
    char *end;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool nn_cli_parse_double(const char *text, double *out)
{
    if (!text || !*text)
        return false;
    errno = 0;
    char *end;
    double v = strtod(text, &end);
    if (errno || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool nn_cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

double nn_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- models ------------------------------------------------------------- */

const char *nn_cli_examples_dir(char *buf, size_t size)
{
    /* <prefix>/bin/nntilde -> <prefix>/share/nn_tilde/examples; the build tree has the same
     * layout (src/cli/CMakeLists.txt). /proc/self/exe is the executable itself, links resolved. */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || size == 0)
        return NULL;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash)
            return NULL;
        *slash = '\0';
    }
    int w = snprintf(buf, size, "%s/share/nn_tilde/examples", exe);
    return w > 0 && (size_t)w < size ? buf : NULL;
}

int nn_cli_model_open(const char *name, nn_model **out)
{
    *out = NULL;
    char path[4096];
    nn_error err;
    nn_error_clear(&err);
    struct stat st;
    /* Anything that exists as given, or that is written as a path, is taken
     * literally so that the loader reports exactly what is wrong with it;
     * only bare names go through the models-folder lookup. */
    if (stat(name, &st) == 0 || strchr(name, '/')) {
        if (strlen(name) >= sizeof path) {
            nn_cli_error(name, "path too long");
            return NN_CLI_BAD_INPUT;
        }
        /* Absolute, so that `info` reports where the file really is. */
        char *absolute = realpath(name, NULL);
        strcpy(path, absolute && strlen(absolute) < sizeof path ? absolute : name);
        free(absolute);
    } else {
        const char *const here[] = {"."};
        char examples[4096];
        const char *const bundled[] = {nn_cli_examples_dir(examples, sizeof examples)};
        nn_status s = nn_model_locate_bundled(name, here, 1, bundled, 1, path, sizeof path, &err);
        if (s != NN_OK) {
            nn_cli_error_report(name, &err);
            return NN_CLI_BAD_INPUT;
        }
        char *absolute = realpath(path, NULL);
        if (absolute && strlen(absolute) < sizeof path)
            strcpy(path, absolute);
        free(absolute);
    }
    nn_model_config config = nn_model_config_default();
    config.sample_rate = 0;
    nn_status s = nn_model_load(path, &config, out, &err);
    if (s != NN_OK) {
        nn_cli_error_report(path, &err);
        return nn_cli_exit_code(s) == NN_CLI_USAGE ? NN_CLI_BAD_INPUT : nn_cli_exit_code(s);
    }
    return NN_CLI_OK;
}

/* ---- attribute values ----------------------------------------------------- */

static bool parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static void describe_types(const nn_attribute_info *info, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < info->count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", nn_type_name(info->types[i]));
}

static void list_attributes(const nn_model *model, char *buf, size_t size)
{
    size_t used = 0;
    int n = nn_model_attribute_count(model);
    buf[0] = '\0';
    if (n == 0)
        snprintf(buf, size, "the model has none");
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                 i ? ", " : "available: ", nn_model_attribute(model, i)->name);
}

/* Split `text` at commas into at most `max` pieces (modifies text). */
static int split_commas(char *text, char **pieces, int max)
{
    int n = 0;
    char *p = text;
    for (;;) {
        char *comma = strchr(p, ',');
        if (n < max)
            pieces[n] = p;
        n++;
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

int nn_cli_attribute_assign(nn_model *model, const char *assignment)
{
    const char *model_path = nn_model_path(model);
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        nn_cli_error(NULL, "--set: expected ATTRIBUTE=VALUE, got '%s'", assignment);
        return NN_CLI_USAGE;
    }
    char name[256];
    size_t name_len = (size_t)(eq - assignment);
    if (name_len >= sizeof name) {
        nn_cli_error(NULL, "--set: attribute name too long");
        return NN_CLI_USAGE;
    }
    memcpy(name, assignment, name_len);
    name[name_len] = '\0';

    int index = nn_model_attribute_find(model, name);
    if (index < 0) {
        char available[1024];
        list_attributes(model, available, sizeof available);
        nn_cli_error(model_path, "unknown attribute '%s' (%s)", name, available);
        return NN_CLI_USAGE;
    }
    const nn_attribute_info *info = nn_model_attribute(model, index);
    char types[256];
    describe_types(info, types, sizeof types);

    char *text = strdup(eq + 1);
    char **pieces = calloc((size_t)info->count + 1, sizeof *pieces);
    nn_value *values = calloc((size_t)info->count + 1, sizeof *values);
    float **owned = calloc((size_t)info->count + 1, sizeof *owned);
    int code = NN_CLI_OK;
    if (!text || !pieces || !values || !owned) {
        nn_cli_error(NULL, "out of memory");
        code = NN_CLI_FAILURE;
        goto done;
    }
    /* A single string value may itself contain commas. */
    int given = info->count == 1 ? (pieces[0] = text, 1) : split_commas(text, pieces, info->count);
    if (given != info->count) {
        nn_cli_error(model_path, "attribute '%s' takes %d value%s (%s), got %d", name, info->count,
                     info->count == 1 ? "" : "s", types, given);
        code = NN_CLI_USAGE;
        goto done;
    }
    for (int i = 0; i < info->count; i++) {
        nn_value *v = &values[i];
        const char *piece = pieces[i];
        v->type = info->types[i];
        bool ok = true;
        switch (info->types[i]) {
        case NN_TYPE_BOOL: ok = parse_bool(piece, &v->b); break;
        case NN_TYPE_INT: {
            double d;
            ok = nn_cli_parse_double(piece, &d) && d == floor(d) && fabs(d) < 9.2e18;
            v->i = ok ? (int64_t)d : 0;
            break;
        }
        case NN_TYPE_FLOAT: ok = nn_cli_parse_double(piece, &v->f); break;
        case NN_TYPE_STRING: v->s = piece; break;
        case NN_TYPE_TENSOR:
        case NN_TYPE_BUFFER: {
            int sr = 0;
            int rc = nn_cli_sound_read_all(piece, &owned[i], &v->channels, &v->frames, &sr);
            if (rc != NN_CLI_OK) {
                code = rc;
                goto done;
            }
            v->data = owned[i];
            v->sample_rate = sr;
            /* A tensor element is one row: the sound file's first channel. */
            if (info->types[i] == NN_TYPE_TENSOR)
                v->channels = 1;
            break;
        }
        default: ok = false; break;
        }
        if (!ok) {
            nn_cli_error(model_path, "attribute '%s': value %d '%s' is not a %s (expected %s)", name, i + 1, piece,
                         nn_type_name(info->types[i]), types);
            code = NN_CLI_USAGE;
            goto done;
        }
    }
    nn_error err;
    nn_error_clear(&err);
    nn_status s = nn_model_attribute_set(model, index, values, info->count, &err);
    if (s != NN_OK) {
        nn_cli_error_report(model_path, &err);
        code = nn_cli_exit_code(s) == NN_CLI_USAGE ? NN_CLI_USAGE : NN_CLI_FAILURE;
    }
done:
    if (owned) {
        for (int i = 0; i < info->count; i++)
            free(owned[i]);
    }
    free(owned);
    free(values);
    free(pieces);
    free(text);
    return code;
}
