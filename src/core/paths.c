/* nn~ in C — where model files live: the per-user models folder, lookup by name, the
 * download API root and model-card checks.
 * SPDX-License-Identifier: MIT
 *
 * Every frontend finds a model the same way: an absolute path is taken as is, a bare name
 * ("isis", "isis.ts") is searched in the folders the host knows (patch folder, search path),
 * then in the one per-user models folder that downloads go to, then in the folders of the
 * example models that ship with the frontend (nn_model_locate_bundled). Card validation lives
 * here too because it is what keeps a server-supplied or user-typed card from naming a file
 * outside that folder.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Length of `s` without trailing slashes, keeping a lone "/". */
static size_t trimmed_length(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    return n;
}

static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return home;
    /* A daemon or a sanitised environment may lack HOME; the password database still knows. */
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

static nn_status write_path(char *buf, size_t size, const char *base, const char *suffix)
{
    int n = snprintf(buf, size, "%.*s%s", (int)trimmed_length(base), base, suffix);
    if (n < 0 || (size_t)n >= size) {
        if (size > 0)
            buf[0] = '\0';
        return NN_ERR_INVALID_ARGUMENT;
    }
    return NN_OK;
}

nn_status nn_models_dir(char *buf, size_t size)
{
    if (!buf || size == 0)
        return NN_ERR_INVALID_ARGUMENT;
    const char *dir = getenv("NN_TILDE_MODELS_DIR");
    if (dir && dir[0] == '/')
        return write_path(buf, size, dir, "");
    if (dir && dir[0]) {
        /* Relative to the folder the program started in, made absolute now so that every
         * later lookup and download agrees on one folder. */
        char cwd[4096], joined[8192];
        if (!getcwd(cwd, sizeof cwd))
            return NN_ERR_INVALID_ARGUMENT;
        int n = snprintf(joined, sizeof joined, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, dir);
        if (n < 0 || (size_t)n >= sizeof joined)
            return NN_ERR_INVALID_ARGUMENT;
        return write_path(buf, size, joined, "");
    }
    /* The XDG base-directory rules say a relative XDG_DATA_HOME is invalid and must be ignored. */
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/')
        return write_path(buf, size, xdg, "/nn_tilde/models");
    const char *home = home_dir();
    if (!home) {
        buf[0] = '\0';
        return NN_ERR_INVALID_ARGUMENT;
    }
#if defined(__APPLE__)
    return write_path(buf, size, home, "/Library/Application Support/nn_tilde/models");
#else
    return write_path(buf, size, home, "/.local/share/nn_tilde/models");
#endif
}

static bool ends_with_ts(const char *name)
{
    size_t n = strlen(name);
    return n >= 3 && strcmp(name + n - 3, ".ts") == 0;
}

/* 1: a regular file; 0: nothing there; -1: something that is not a regular file (a FIFO
 * would block whoever opens it, a device never ends): refused before anything opens it. */
static int path_kind(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return S_ISREG(st.st_mode) ? 1 : -1;
}

/* Accumulates the "searched: ..." part of a not-found message, dropping what does not fit
 * rather than failing: the message is for a person, the first places matter most. */
typedef struct searched {
    char text[NN_ERROR_MESSAGE_SIZE];
    size_t len;
} searched;

static void searched_add(searched *s, const char *path)
{
    if (s->len >= sizeof s->text - 1)
        return;
    int n = snprintf(s->text + s->len, sizeof s->text - s->len, "%s%s", s->len ? ", " : "", path);
    if (n > 0)
        s->len += (size_t)n;
    if (s->len > sizeof s->text - 1)
        s->len = sizeof s->text - 1;
}

/* Try `dir/file`; on success the path is in `out`. */
static nn_status try_candidate(const char *dir, const char *file, char *out, size_t size, searched *s)
{
    char path[4096];
    int n = dir ? snprintf(path, sizeof path, "%.*s/%s", (int)trimmed_length(dir), dir, file)
                : snprintf(path, sizeof path, "%s", file);
    if (n < 0 || (size_t)n >= sizeof path)
        return NN_ERR_FILE_NOT_FOUND;
    searched_add(s, path);
    int kind = path_kind(path);
    if (kind == 0)
        return NN_ERR_FILE_NOT_FOUND;
    if (kind < 0) {
        if ((size_t)n < size)
            memcpy(out, path, (size_t)n + 1);
        return NN_ERR_NOT_A_FILE;
    }
    if ((size_t)n >= size)
        return NN_ERR_INVALID_ARGUMENT;
    memcpy(out, path, (size_t)n + 1);
    return NN_OK;
}

static nn_status locate(const char *name, const char *const *dirs, int n_dirs, const char *const *bundled,
                        int n_bundled, char *out, size_t size, nn_error *err)
{
    if (!name || !name[0])
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "no model name given");
    if (!out || size == 0)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_locate: no output buffer");
    out[0] = '\0';

    char file[4096];
    int n = snprintf(file, sizeof file, "%s%s", name, ends_with_ts(name) ? "" : ".ts");
    if (n < 0 || (size_t)n >= sizeof file)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "model name is too long");

    searched s = {.len = 0};
    nn_status st;
    if (name[0] == '/') {
        /* An absolute path names one file; ".ts" is still added for "[nn~ /path/model]". */
        st = try_candidate(NULL, name, out, size, &s);
        if (st == NN_ERR_FILE_NOT_FOUND && !ends_with_ts(name))
            st = try_candidate(NULL, file, out, size, &s);
    } else {
        st = NN_ERR_FILE_NOT_FOUND;
        for (int i = 0; dirs && i < n_dirs && st == NN_ERR_FILE_NOT_FOUND; i++)
            if (dirs[i] && dirs[i][0])
                st = try_candidate(dirs[i], file, out, size, &s);
        char models[4096];
        if (st == NN_ERR_FILE_NOT_FOUND && nn_models_dir(models, sizeof models) == NN_OK)
            st = try_candidate(models, file, out, size, &s);
        /* The models that ship with the frontend come last, so that a file of the same name
         * next to the user's work or downloaded by them takes precedence. */
        for (int i = 0; bundled && i < n_bundled && st == NN_ERR_FILE_NOT_FOUND; i++)
            if (bundled[i] && bundled[i][0])
                st = try_candidate(bundled[i], file, out, size, &s);
    }
    if (st == NN_ERR_INVALID_ARGUMENT)
        return nn_error_set(err, st, "path of model '%s' does not fit in %zu bytes", name, size);
    if (st == NN_ERR_NOT_A_FILE) {
        nn_status refused = nn_error_set(err, st, "model '%s': %s is not a regular file (a FIFO, device or socket): refused",
                                         name, out);
        out[0] = '\0';
        return refused;
    }
    if (st != NN_OK)
        return nn_error_set(err, st, "model '%s' not found; searched: %s", name, s.len ? s.text : "nowhere");
    return NN_OK;
}

nn_status nn_model_locate(const char *name, const char *const *dirs, int n_dirs, char *out, size_t size, nn_error *err)
{
    return locate(name, dirs, n_dirs, NULL, 0, out, size, err);
}

nn_status nn_model_locate_bundled(const char *name, const char *const *dirs, int n_dirs, const char *const *bundled,
                                  int n_bundled, char *out, size_t size, nn_error *err)
{
    return locate(name, dirs, n_dirs, bundled, n_bundled, out, size, err);
}

const char *nn_api_url(void)
{
    const char *url = getenv("NN_TILDE_API_URL");
    return url && url[0] ? url : NN_API_URL_DEFAULT;
}

#define NN_CARD_MAX 1024

nn_status nn_card_validate(const char *card, nn_error *err)
{
    if (!card || !card[0])
        return nn_error_set(err, NN_ERR_BAD_CARD, "empty model card (expected source/model/name)");
    size_t len = strlen(card);
    if (len > NN_CARD_MAX)
        return nn_error_set(err, NN_ERR_BAD_CARD, "model card is longer than %d characters", NN_CARD_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)card[i];
        if (c < 0x20 || c == 0x7f)
            return nn_error_set(err, NN_ERR_BAD_CARD, "model card contains a control character");
        if (c == '\\')
            return nn_error_set(err, NN_ERR_BAD_CARD, "model card '%s' contains a backslash", card);
    }
    if (card[0] == '/')
        return nn_error_set(err, NN_ERR_BAD_CARD, "model card '%s' starts with '/'", card);
    if (strstr(card, ".."))
        return nn_error_set(err, NN_ERR_BAD_CARD, "model card '%s' contains '..'", card);

    int parts = 1;
    bool empty_part = false;
    const char *start = card;
    for (const char *p = card;; p++) {
        if (*p == '/' || *p == '\0') {
            if (p == start)
                empty_part = true;
            if (*p == '\0')
                break;
            parts++;
            start = p + 1;
        }
    }
    if (parts != 3 || empty_part)
        return nn_error_set(err, NN_ERR_BAD_CARD,
                            "'%s' is not a model card: expected three non-empty parts source/model/name "
                            "(e.g. ircam/rave/isis)",
                            card);
    /* The last part becomes the file name: a leading dot would hide the file. */
    if (start[0] == '.')
        return nn_error_set(err, NN_ERR_BAD_CARD, "model card '%s' has a name starting with '.'", card);
    return NN_OK;
}
