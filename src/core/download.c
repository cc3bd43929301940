/* nn~ in C — the IRCAM Forum model download client.
 * SPDX-License-Identifier: MIT
 *
 * Lists the cards the API offers and downloads one model file per card into the per-user
 * models folder. Each download runs in its own thread with libcurl; it writes to a private
 * temporary file (O_EXCL) in the target folder and renames it over the target only when the
 * transfer is complete, the HTTP status was 2xx and the bytes look like a TorchScript archive
 * (a zip file). Nothing on disk acts as a lock, so a crash leaves at worst a hidden temporary
 * file and never blocks a later download. The card list is fetched the same way, in a thread
 * of its own, for hosts whose main thread also runs audio. Threads only record state under
 * the downloader's mutex; events reach the frontend through nn_downloader_poll on its own
 * (main) thread.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"
#include "internal.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Defaults; NN_TILDE_HTTP_TIMEOUT and NN_TILDE_MAX_DOWNLOAD_BYTES override them (tests use
 * small values so that a stalled server or a large body is detected quickly). */
#define CONNECT_TIMEOUT_S 20L
#define STALL_TIMEOUT_S 30L
#define MAX_MODEL_BYTES ((int64_t)2 << 30)
#define MAX_LIST_BYTES ((size_t)16 << 20)
#define MAX_REDIRECTS 5L
#define PATH_SIZE 4096

typedef struct job job;

struct nn_downloader {
    char *api_url; /* always ends with '/' */
    char *models_dir;
    nn_download_fn on_event;
    void *user;
    unsigned next_id;
    atomic_bool cancel; /* set once, by nn_downloader_free */
    pthread_mutex_t lock;
    /* Guarded by `lock`: jobs not yet reaped by poll, and the last card list fetched. */
    job *jobs;
    nn_card_list cache;
    bool have_cache;
    /* The fetch of nn_downloader_list_start. The main thread alone starts and joins the
     * thread and sets `list_api_url` before starting it; the rest is guarded by `lock`. */
    pthread_t list_thread;
    bool list_has_thread;
    char *list_api_url;
    bool list_pending;  /* started, its event not delivered yet */
    bool list_finished; /* the result below is ready for poll */
    nn_status list_status;
    nn_card_list list_result;
    char list_message[NN_ERROR_MESSAGE_SIZE];
};

struct job {
    job *next;
    nn_downloader *owner;
    unsigned id;
    char *card;
    char *target;  /* <models_dir>/<name>.ts */
    char *api_url; /* snapshot: set_api_url must not change a running download */
    pthread_t thread;
    bool has_thread;
    /* Guarded by owner->lock until `finished`; immutable afterwards. */
    bool started_pending;
    bool progress_pending;
    uint64_t bytes, total;
    bool finished;
    nn_status status;
    char message[NN_ERROR_MESSAGE_SIZE];
};

/* ---- small helpers ------------------------------------------------------ */

/* Format into an NN_ERROR_MESSAGE_SIZE buffer; a long path may cut the message short, and
 * a truncated message is still worth reading. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
message_set(char *message, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, NN_ERROR_MESSAGE_SIZE, fmt, ap);
    va_end(ap);
}

/* A positive integer from the environment, or `fallback`. */
static int64_t env_int(const char *name, int64_t fallback)
{
    const char *v = getenv(name);
    if (!v || !v[0])
        return fallback;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *end == '\0' && x > 0 ? (int64_t)x : fallback;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

/* curl_global_init is not guaranteed thread-safe on every libcurl, and must run once per
 * process however many objects are created (reference bug 35: once per object). */
static void curl_init(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool is_http_url(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

static char *api_root_copy(const char *url)
{
    size_t n = strlen(url);
    bool slash = n > 0 && url[n - 1] == '/';
    char *root = malloc(n + 2);
    if (root)
        snprintf(root, n + 2, "%s%s", url, slash ? "" : "/");
    return root;
}

/* The file-name part of a card or name ("ircam/rave/isis" -> "isis"), without ".ts". */
static nn_status model_file_name(const char *name, char *out, size_t size, nn_error *err)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (n >= 3 && strcmp(base + n - 3, ".ts") == 0)
        n -= 3;
    if (n == 0)
        return nn_error_set(err, NN_ERR_BAD_CARD, "'%s' does not name a model", name);
    if (n >= size)
        return nn_error_set(err, NN_ERR_BAD_CARD, "model name '%s' is too long", name);
    if (base[0] == '.')
        return nn_error_set(err, NN_ERR_BAD_CARD, "model name '%s' starts with '.'", name);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)base[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            return nn_error_set(err, NN_ERR_BAD_CARD, "model name '%s' contains a forbidden character", name);
    }
    memcpy(out, base, n);
    out[n] = '\0';
    return NN_OK;
}

static nn_status make_dirs(const char *dir, nn_error *err)
{
    char path[PATH_SIZE];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return nn_error_set(err, NN_ERR_IO, "bad models folder '%s'", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return nn_error_set(err, NN_ERR_IO, "cannot create folder %s: %s", path, strerror(errno));
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return nn_error_set(err, NN_ERR_IO, "models folder %s is not a folder", dir);
    return NN_OK;
}

/* ---- one HTTP transfer -------------------------------------------------- */

typedef enum abort_reason { ABORT_NONE, ABORT_CANCELLED, ABORT_HTTP, ABORT_TOO_LARGE, ABORT_WRITE } abort_reason;

typedef struct transfer {
    CURL *curl;
    job *job; /* progress goes there; NULL for blocking list fetches */
    const atomic_bool *cancel;
    int fd; /* body goes to this file when >= 0, else to `mem` */
    char *mem;
    size_t mem_len, mem_cap;
    uint64_t received;
    uint64_t max_bytes;
    unsigned char head[64]; /* the first bytes, to recognise a zip file or quote an error page */
    size_t head_len;
    long http_code;
    bool status_checked;
    abort_reason reason;
    int write_errno;
    char errbuf[CURL_ERROR_SIZE];
} transfer;

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    transfer *t = user;
    size_t len = size * count;
    if (!t->status_checked) {
        /* An error page must never become a ".ts": stop at the first byte of a non-2xx body. */
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->http_code);
        if (t->http_code < 200 || t->http_code > 299) {
            t->reason = ABORT_HTTP;
            return 0;
        }
        t->status_checked = true;
    }
    if (t->received + len > t->max_bytes) {
        t->reason = ABORT_TOO_LARGE;
        return 0;
    }
    if (t->head_len < sizeof t->head) {
        size_t k = sizeof t->head - t->head_len;
        if (k > len)
            k = len;
        memcpy(t->head + t->head_len, data, k);
        t->head_len += k;
    }
    if (t->fd >= 0) {
        for (size_t done = 0; done < len;) {
            ssize_t w = write(t->fd, data + done, len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                t->write_errno = w < 0 ? errno : ENOSPC;
                t->reason = ABORT_WRITE;
                return 0;
            }
            done += (size_t)w;
        }
    } else {
        if (t->mem_len + len + 1 > t->mem_cap) {
            size_t cap = t->mem_cap ? t->mem_cap : 4096;
            while (cap < t->mem_len + len + 1)
                cap *= 2;
            char *grown = realloc(t->mem, cap);
            if (!grown) {
                t->write_errno = ENOMEM;
                t->reason = ABORT_WRITE;
                return 0;
            }
            t->mem = grown;
            t->mem_cap = cap;
        }
        memcpy(t->mem + t->mem_len, data, len);
        t->mem_len += len;
        t->mem[t->mem_len] = '\0';
    }
    t->received += len;
    return len;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    transfer *t = user;
    if (atomic_load(t->cancel)) {
        t->reason = ABORT_CANCELLED;
        return 1;
    }
    job *j = t->job;
    if (j && dlnow > 0) {
        pthread_mutex_lock(&j->owner->lock);
        if ((uint64_t)dlnow != j->bytes || (uint64_t)dltotal != j->total) {
            j->bytes = (uint64_t)dlnow;
            j->total = dltotal > 0 ? (uint64_t)dltotal : 0;
            j->progress_pending = true;
        }
        pthread_mutex_unlock(&j->owner->lock);
    }
    return 0;
}

/* Quote the start of an unexpected body for an error message, printable characters only. */
static void quote_head(const transfer *t, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < t->head_len && n + 1 < size && i < 40; i++) {
        unsigned char c = t->head[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    }
    out[n] = '\0';
}

/* GET `url` into `t` (its fd or memory). Returns NN_OK only for a complete 2xx answer;
 * otherwise `err` says what happened, in terms a user can act on. */
static nn_status http_get(transfer *t, const char *url, nn_error *err)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_result != CURLE_OK)
        return nn_error_set(err, NN_ERR_NETWORK, "cannot initialise libcurl: %s", curl_easy_strerror(curl_init_result));
    CURL *curl = curl_easy_init();
    if (!curl)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "cannot create an HTTP handle");
    long timeout = (long)env_int("NN_TILDE_HTTP_TIMEOUT", 0);
    t->curl = curl;
    t->errbuf[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "nn_tilde/" NN_VERSION_STRING);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout ? timeout : CONNECT_TIMEOUT_S);
    /* A stall, not a slow line, is the failure: less than 1 byte/s for the whole window. */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeout ? timeout : STALL_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_bytes);

    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t->http_code);
    curl_off_t expected = -1;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
    curl_easy_cleanup(curl);
    t->curl = NULL;

    const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
    if (t->reason == ABORT_CANCELLED)
        return nn_error_set(err, NN_ERR_CANCELLED, "cancelled");
    if (t->reason == ABORT_HTTP || (rc == CURLE_OK && (t->http_code < 200 || t->http_code > 299)))
        return nn_error_set(err, NN_ERR_HTTP, "server answered HTTP %ld for %s", t->http_code, url);
    if (t->reason == ABORT_TOO_LARGE || rc == CURLE_FILESIZE_EXCEEDED)
        return nn_error_set(err, NN_ERR_BAD_RESPONSE, "answer from %s is larger than the limit of %" PRIu64 " bytes",
                            url, t->max_bytes);
    if (t->reason == ABORT_WRITE)
        return nn_error_set(err, t->write_errno == ENOMEM ? NN_ERR_NO_MEMORY : NN_ERR_IO, "cannot store the answer: %s",
                            strerror(t->write_errno));
    switch (rc) {
    case CURLE_OK: return NN_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return nn_error_set(err, NN_ERR_NETWORK, "timed out after %" PRIu64 " bytes from %s (%s)", t->received, url,
                            detail);
    case CURLE_PARTIAL_FILE:
        if (expected > 0)
            return nn_error_set(err, NN_ERR_NETWORK,
                                "connection closed after %" PRIu64 " of %" PRId64 " bytes (truncated) from %s",
                                t->received, (int64_t)expected, url);
        return nn_error_set(err, NN_ERR_NETWORK, "connection closed early (truncated) from %s", url);
    case CURLE_TOO_MANY_REDIRECTS:
        return nn_error_set(err, NN_ERR_NETWORK, "too many redirects (more than %ld) from %s", MAX_REDIRECTS, url);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return nn_error_set(err, NN_ERR_NETWORK, "%s redirected to a protocol other than http/https (%s)", url, detail);
    default: return nn_error_set(err, NN_ERR_NETWORK, "cannot fetch %s: %s", url, detail);
    }
}

/* ---- the card list ------------------------------------------------------ */

static int compare_cards(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static nn_status list_push(nn_card_list *list, int *cap, const char *card)
{
    if (list->count == *cap) {
        int grown_cap = *cap ? *cap * 2 : 32;
        char **grown = realloc(list->cards, (size_t)grown_cap * sizeof *grown);
        if (!grown)
            return NN_ERR_NO_MEMORY;
        list->cards = grown;
        *cap = grown_cap;
    }
    char *copy = nn_string_copy(card);
    if (!copy)
        return NN_ERR_NO_MEMORY;
    list->cards[list->count++] = copy;
    return NN_OK;
}

/* Cards are the paths of the nested keys {source: {model: {name: ...}}}. Entries that are not
 * objects at the first two levels, or whose keys would not make a valid card, are skipped: a
 * single odd entry should not hide every other model. */
static nn_status parse_card_list(const char *text, const char *url, nn_card_list *out, nn_error *err)
{
    cJSON *root = cJSON_Parse(text);
    if (!root)
        return nn_error_set(err, NN_ERR_BAD_RESPONSE, "model list from %s is not valid JSON", url);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return nn_error_set(err, NN_ERR_BAD_RESPONSE, "model list from %s is not a JSON object", url);
    }
    nn_card_list list = {0, NULL};
    int cap = 0;
    nn_status st = NN_OK;
    const cJSON *source, *model, *name;
    cJSON_ArrayForEach(source, root)
    {
        if (!cJSON_IsObject(source) || !source->string || strchr(source->string, '/'))
            continue;
        cJSON_ArrayForEach(model, source)
        {
            if (!cJSON_IsObject(model) || !model->string || strchr(model->string, '/'))
                continue;
            cJSON_ArrayForEach(name, model)
            {
                char card[1100];
                if (!name->string || strchr(name->string, '/'))
                    continue;
                int n = snprintf(card, sizeof card, "%s/%s/%s", source->string, model->string, name->string);
                if (n < 0 || (size_t)n >= sizeof card || nn_card_validate(card, NULL) != NN_OK)
                    continue;
                if ((st = list_push(&list, &cap, card)) != NN_OK)
                    goto done;
            }
        }
    }
done:
    cJSON_Delete(root);
    if (st != NN_OK) {
        nn_card_list_clear(&list);
        return nn_error_set(err, st, "out of memory while reading the model list");
    }
    /* The original prints cards in sorted key order; keep that, whatever the server's order. */
    if (list.count > 1)
        qsort(list.cards, (size_t)list.count, sizeof *list.cards, compare_cards);
    *out = list;
    return NN_OK;
}

static nn_status fetch_card_list(const char *api_url, const atomic_bool *cancel, nn_card_list *out, nn_error *err)
{
    char url[PATH_SIZE];
    if (snprintf(url, sizeof url, "%savailable_models", api_url) >= (int)sizeof url)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "API URL is too long");
    transfer t = {.cancel = cancel, .fd = -1, .max_bytes = MAX_LIST_BYTES};
    nn_error why;
    nn_status st = http_get(&t, url, &why);
    if (st == NN_OK)
        st = parse_card_list(t.mem ? t.mem : "", url, out, &why);
    free(t.mem);
    if (st != NN_OK)
        return nn_error_set(err, st, "could not fetch the list of available models: %s", why.message);
    return NN_OK;
}

static bool list_contains(const nn_card_list *list, const char *card)
{
    return list->count > 0 &&
           bsearch(&card, list->cards, (size_t)list->count, sizeof *list->cards, compare_cards) != NULL;
}

static nn_status list_copy(const nn_card_list *from, nn_card_list *to)
{
    nn_card_list copy = {0, NULL};
    int cap = 0;
    for (int i = 0; i < from->count; i++) {
        if (list_push(&copy, &cap, from->cards[i]) != NN_OK) {
            nn_card_list_clear(&copy);
            return NN_ERR_NO_MEMORY;
        }
    }
    *to = copy;
    return NN_OK;
}

void nn_card_list_clear(nn_card_list *list)
{
    if (!list)
        return;
    for (int i = 0; i < list->count; i++)
        free(list->cards[i]);
    free(list->cards);
    list->cards = NULL;
    list->count = 0;
}

/* Replace the cached list (takes ownership of `list`), unless the API root changed while it
 * was fetched from `api_url`: a list from the old server must not vouch for cards now. */
static void cache_store(nn_downloader *d, const char *api_url, nn_card_list *list)
{
    pthread_mutex_lock(&d->lock);
    if (strcmp(d->api_url, api_url) == 0) {
        nn_card_list_clear(&d->cache);
        d->cache = *list;
        d->have_cache = true;
        list->count = 0;
        list->cards = NULL;
    }
    pthread_mutex_unlock(&d->lock);
    nn_card_list_clear(list);
}

/* ---- one download job --------------------------------------------------- */

/* Whether the card is offered; fetches the list when none is cached or the card is not in
 * the cached one (the server may have gained models since). */
static nn_status job_check_card(job *j, nn_error *err)
{
    nn_downloader *d = j->owner;
    pthread_mutex_lock(&d->lock);
    bool cached = d->have_cache;
    bool known = cached && list_contains(&d->cache, j->card);
    pthread_mutex_unlock(&d->lock);
    if (known)
        return NN_OK;
    nn_card_list list;
    nn_status st = fetch_card_list(j->api_url, &d->cancel, &list, err);
    if (st != NN_OK)
        return st;
    known = list_contains(&list, j->card);
    cache_store(d, j->api_url, &list);
    if (!known)
        return nn_error_set(err, NN_ERR_BAD_CARD, "model %s is not available from %s", j->card, j->api_url);
    return NN_OK;
}

static nn_status job_download(job *j, nn_error *err)
{
    nn_downloader *d = j->owner;
    nn_status st = make_dirs(d->models_dir, err);
    if (st != NN_OK)
        return st;

    char *escaped = curl_easy_escape(NULL, j->card, 0);
    if (!escaped)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    char url[PATH_SIZE];
    int n = snprintf(url, sizeof url, "%sdownload_model?model=%s", j->api_url, escaped);
    curl_free(escaped);
    if (n < 0 || (size_t)n >= sizeof url)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "download URL is too long");

    /* A hidden, unique temporary file next to the target: rename() is then atomic, and two
     * processes downloading the same card each write their own file. */
    char tmp[PATH_SIZE];
    const char *base = strrchr(j->target, '/') + 1;
    n = snprintf(tmp, sizeof tmp, "%s/.%s.part-XXXXXX", d->models_dir, base);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "models folder path is too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return nn_error_set(err, NN_ERR_IO, "cannot create a temporary file in %s: %s", d->models_dir, strerror(errno));

    uint64_t max_bytes = (uint64_t)env_int("NN_TILDE_MAX_DOWNLOAD_BYTES", MAX_MODEL_BYTES);
    transfer t = {.cancel = &d->cancel, .job = j, .fd = fd, .max_bytes = max_bytes};
    st = http_get(&t, url, err);
    if (st == NN_OK && t.received == 0)
        st = nn_error_set(err, NN_ERR_BAD_RESPONSE, "server sent an empty file for %s", j->card);
    if (st == NN_OK && (t.head_len < 4 || memcmp(t.head, "PK\x03\x04", 4) != 0)) {
        char quoted[64];
        quote_head(&t, quoted, sizeof quoted);
        st = nn_error_set(err, NN_ERR_BAD_RESPONSE, "server answer for %s is not a model file (it starts with \"%s\")",
                          j->card, quoted);
    }
    if (st == NN_OK && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
        st = nn_error_set(err, NN_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && st == NN_OK)
        st = nn_error_set(err, NN_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (st == NN_OK && rename(tmp, j->target) != 0)
        st = nn_error_set(err, NN_ERR_IO, "cannot rename %s to %s: %s", tmp, j->target, strerror(errno));
    if (st != NN_OK)
        unlink(tmp);
    return st;
}

static void *job_main(void *arg)
{
    job *j = arg;
    nn_error err;
    nn_error_clear(&err);
    nn_status st = job_check_card(j, &err);
    if (st == NN_OK)
        st = job_download(j, &err);
    pthread_mutex_lock(&j->owner->lock);
    j->status = st;
    /* A failure's message is the reason only: frontends print the card next to it. */
    if (st == NN_OK)
        message_set(j->message, "model %s downloaded at %s", j->card, j->target);
    else
        message_set(j->message, "%s", err.message);
    j->finished = true;
    pthread_mutex_unlock(&j->owner->lock);
    return NULL;
}

static void job_free(job *j)
{
    if (!j)
        return;
    free(j->card);
    free(j->target);
    free(j->api_url);
    free(j);
}

/* ---- public API --------------------------------------------------------- */

nn_status nn_downloader_new(const char *api_url, const char *models_dir, nn_download_fn on_event, void *user,
                            nn_downloader **out, nn_error *err)
{
    if (!out)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_downloader_new: NULL result");
    *out = NULL;
    if (!api_url)
        api_url = nn_api_url();
    if (!is_http_url(api_url))
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "API URL '%s' is not an http:// or https:// URL", api_url);
    char dir[PATH_SIZE];
    if (!models_dir) {
        if (nn_models_dir(dir, sizeof dir) != NN_OK)
            return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "cannot tell where the models folder is (HOME unset?)");
        models_dir = dir;
    }
    if (models_dir[0] != '/' || strlen(models_dir) >= PATH_SIZE - 300)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "models folder '%s' must be an absolute path", models_dir);

    nn_downloader *d = calloc(1, sizeof *d);
    if (!d)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    d->api_url = api_root_copy(api_url);
    d->models_dir = nn_string_copy(models_dir);
    if (!d->api_url || !d->models_dir || pthread_mutex_init(&d->lock, NULL) != 0) {
        free(d->api_url);
        free(d->models_dir);
        free(d);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    }
    /* Keep one trailing-slash-free spelling so that target paths compare equal. */
    size_t n = strlen(d->models_dir);
    while (n > 1 && d->models_dir[n - 1] == '/')
        d->models_dir[--n] = '\0';
    atomic_init(&d->cancel, false);
    d->on_event = on_event;
    d->user = user;
    *out = d;
    return NN_OK;
}

void nn_downloader_free(nn_downloader *d)
{
    if (!d)
        return;
    atomic_store(&d->cancel, true);
    /* Workers only touch the list under the lock to update their own entry, never to unlink
     * it, so the list can be walked without the lock once cancel is set. */
    for (job *j = d->jobs; j; j = j->next)
        if (j->has_thread)
            pthread_join(j->thread, NULL);
    while (d->jobs) {
        job *next = d->jobs->next;
        job_free(d->jobs);
        d->jobs = next;
    }
    if (d->list_has_thread)
        pthread_join(d->list_thread, NULL);
    free(d->list_api_url);
    nn_card_list_clear(&d->list_result);
    nn_card_list_clear(&d->cache);
    pthread_mutex_destroy(&d->lock);
    free(d->api_url);
    free(d->models_dir);
    free(d);
}

nn_status nn_downloader_set_api_url(nn_downloader *d, const char *api_url, nn_error *err)
{
    if (!d || !api_url)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_downloader_set_api_url: NULL argument");
    if (!is_http_url(api_url))
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "API URL '%s' is not an http:// or https:// URL", api_url);
    char *root = api_root_copy(api_url);
    if (!root)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    pthread_mutex_lock(&d->lock);
    free(d->api_url);
    d->api_url = root;
    nn_card_list_clear(&d->cache);
    d->have_cache = false;
    pthread_mutex_unlock(&d->lock);
    return NN_OK;
}

nn_status nn_downloader_list(nn_downloader *d, nn_card_list *out, nn_error *err)
{
    if (!d || !out)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_downloader_list: NULL argument");
    out->count = 0;
    out->cards = NULL;
    pthread_mutex_lock(&d->lock);
    char *api_url = nn_string_copy(d->api_url);
    pthread_mutex_unlock(&d->lock);
    if (!api_url)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    nn_card_list list;
    nn_status st = fetch_card_list(api_url, &d->cancel, &list, err);
    if (st == NN_OK && list_copy(&list, out) != NN_OK) {
        nn_card_list_clear(&list);
        st = nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    }
    if (st == NN_OK)
        cache_store(d, api_url, &list);
    free(api_url);
    return st;
}

static void *list_main(void *arg)
{
    nn_downloader *d = arg;
    nn_error err;
    nn_error_clear(&err);
    nn_card_list list = {0, NULL}, cached = {0, NULL};
    nn_status st = fetch_card_list(d->list_api_url, &d->cancel, &list, &err);
    if (st == NN_OK && list_copy(&list, &cached) != NN_OK) {
        nn_card_list_clear(&list);
        st = nn_error_set(&err, NN_ERR_NO_MEMORY, "out of memory");
    }
    if (st == NN_OK)
        cache_store(d, d->list_api_url, &cached);
    pthread_mutex_lock(&d->lock);
    d->list_status = st;
    d->list_result = list;
    if (st == NN_OK)
        message_set(d->list_message, "%d model(s) available from %s", list.count, d->list_api_url);
    else
        message_set(d->list_message, "%s", err.message);
    d->list_finished = true;
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

nn_status nn_downloader_list_start(nn_downloader *d, nn_error *err)
{
    if (!d)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_downloader_list_start: no downloader");
    pthread_mutex_lock(&d->lock);
    bool pending = d->list_pending;
    char *api_url = pending ? NULL : nn_string_copy(d->api_url);
    if (api_url) {
        d->list_pending = true;
        d->list_finished = false;
    }
    pthread_mutex_unlock(&d->lock);
    if (pending)
        return nn_error_set(err, NN_ERR_BUSY, "the list of models is already being fetched");
    if (!api_url)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    /* The previous fetch, if any, was joined when its event was delivered. */
    free(d->list_api_url);
    d->list_api_url = api_url;
    if (pthread_create(&d->list_thread, NULL, list_main, d) != 0) {
        pthread_mutex_lock(&d->lock);
        d->list_pending = false;
        pthread_mutex_unlock(&d->lock);
        return nn_error_set(err, NN_ERR_INTERNAL, "cannot start a thread to fetch the list of models");
    }
    d->list_has_thread = true;
    return NN_OK;
}

/* Queue a download; `*id_out` identifies the job for nn_downloader_fetch. */
static nn_status start_job(nn_downloader *d, const char *card, const char *name, unsigned *id_out, nn_error *err)
{
    if (!d)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "no downloader");
    nn_status st = nn_card_validate(card, err);
    if (st != NN_OK)
        return st;
    char file[256];
    if ((st = model_file_name(name && name[0] ? name : card, file, sizeof file, err)) != NN_OK)
        return st;
    if (name && name[0] && strchr(name, '/'))
        return nn_error_set(err, NN_ERR_BAD_CARD, "model name '%s' must not contain '/'", name);
    if (strstr(file, ".."))
        return nn_error_set(err, NN_ERR_BAD_CARD, "model name '%s' contains '..'", file);

    job *j = calloc(1, sizeof *j);
    if (!j)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    size_t target_size = strlen(d->models_dir) + strlen(file) + 5;
    j->owner = d;
    j->card = nn_string_copy(card);
    j->target = malloc(target_size);
    pthread_mutex_lock(&d->lock);
    j->api_url = nn_string_copy(d->api_url);
    pthread_mutex_unlock(&d->lock);
    if (!j->card || !j->target || !j->api_url) {
        job_free(j);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    }
    snprintf(j->target, target_size, "%s/%s.ts", d->models_dir, file);

    /* Only the main thread adds jobs, so this check and the insertion below cannot race. */
    for (job *o = d->jobs; o; o = o->next) {
        pthread_mutex_lock(&d->lock);
        bool running = !o->finished;
        pthread_mutex_unlock(&d->lock);
        if (running && strcmp(o->target, j->target) == 0) {
            nn_error_set(err, NN_ERR_BUSY, "model %s is already downloading to %s", o->card, o->target);
            job_free(j);
            return NN_ERR_BUSY;
        }
    }

    struct stat sb;
    bool present = stat(j->target, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
    j->id = ++d->next_id;
    j->started_pending = !present;
    if (present) {
        /* Like the original: an existing model is kept (remove it to download it again). */
        j->finished = true;
        j->status = NN_OK;
        message_set(j->message, "model %s is already downloaded at %s", j->card, j->target);
    } else if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
        job_free(j);
        return nn_error_set(err, NN_ERR_INTERNAL, "cannot start a download thread");
    } else {
        j->has_thread = true;
    }
    pthread_mutex_lock(&d->lock);
    j->next = d->jobs;
    d->jobs = j;
    pthread_mutex_unlock(&d->lock);
    if (id_out)
        *id_out = j->id;
    return NN_OK;
}

nn_status nn_downloader_start(nn_downloader *d, const char *card, const char *name, nn_error *err)
{
    return start_job(d, card, name, NULL, err);
}

typedef struct outcome {
    unsigned id;
    bool seen;
    nn_status status;
    char message[NN_ERROR_MESSAGE_SIZE];
    char path[PATH_SIZE];
} outcome;

typedef struct pending {
    job *job;
    bool started, progress, finished;
    uint64_t bytes, total;
} pending;

static int poll_jobs(nn_downloader *d, outcome *watch)
{
    pthread_mutex_lock(&d->lock);
    int n = 0;
    for (job *j = d->jobs; j; j = j->next)
        n++;
    pending *p = n ? malloc((size_t)n * sizeof *p) : NULL;
    if (!p) {
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    /* Snapshot and detach finished jobs under the lock; call back without it so that a
     * callback may start another download. */
    int count = 0;
    for (job **link = &d->jobs; *link;) {
        job *j = *link;
        pending *e = &p[count++];
        *e = (pending){j, j->started_pending, j->progress_pending, j->finished, j->bytes, j->total};
        j->started_pending = false;
        j->progress_pending = false;
        if (j->finished)
            *link = j->next;
        else
            link = &j->next;
    }
    pthread_mutex_unlock(&d->lock);

    int delivered = 0;
    for (int i = count - 1; i >= 0; i--) {
        job *j = p[i].job;
        nn_download_event ev = {.card = j->card, .path = j->target, .bytes = p[i].bytes, .total = p[i].total};
        char message[NN_ERROR_MESSAGE_SIZE];
        if (p[i].started) {
            snprintf(message, sizeof message, "downloading model %s...", j->card);
            ev.kind = NN_DOWNLOAD_STARTED;
            ev.message = message;
            if (d->on_event)
                d->on_event(d->user, &ev);
            delivered++;
        }
        if (p[i].progress && !(p[i].finished && j->status != NN_OK)) {
            ev.kind = NN_DOWNLOAD_PROGRESS;
            ev.message = "";
            if (d->on_event)
                d->on_event(d->user, &ev);
            delivered++;
        }
        if (p[i].finished) {
            if (j->has_thread)
                pthread_join(j->thread, NULL);
            ev.kind = j->status == NN_OK ? NN_DOWNLOAD_DONE : NN_DOWNLOAD_FAILED;
            ev.status = j->status;
            ev.message = j->message;
            if (j->status != NN_OK)
                ev.path = NULL;
            if (d->on_event)
                d->on_event(d->user, &ev);
            delivered++;
            if (watch && watch->id == j->id) {
                watch->seen = true;
                watch->status = j->status;
                snprintf(watch->message, sizeof watch->message, "%s", j->message);
                snprintf(watch->path, sizeof watch->path, "%s", j->target);
            }
            job_free(j);
        }
    }
    free(p);
    return delivered;
}

/* Deliver the result of nn_downloader_list_start once it is ready. */
static int poll_list(nn_downloader *d)
{
    nn_card_list cards = {0, NULL};
    nn_status st = NN_OK;
    char message[NN_ERROR_MESSAGE_SIZE];
    pthread_mutex_lock(&d->lock);
    bool ready = d->list_finished;
    if (ready) {
        cards = d->list_result;
        d->list_result = (nn_card_list){0, NULL};
        st = d->list_status;
        memcpy(message, d->list_message, sizeof message);
        d->list_finished = false;
        /* Delivered from here on: the callback may start the next fetch. */
        d->list_pending = false;
    }
    pthread_mutex_unlock(&d->lock);
    if (!ready)
        return 0;
    pthread_join(d->list_thread, NULL);
    d->list_has_thread = false;
    nn_download_event ev = {.kind = st == NN_OK ? NN_DOWNLOAD_LIST : NN_DOWNLOAD_FAILED,
                            .status = st,
                            .message = message,
                            .cards = st == NN_OK ? &cards : NULL};
    if (d->on_event)
        d->on_event(d->user, &ev);
    nn_card_list_clear(&cards);
    return 1;
}

static int poll_all(nn_downloader *d, outcome *watch)
{
    int delivered = poll_list(d);
    return delivered + poll_jobs(d, watch);
}

int nn_downloader_poll(nn_downloader *d)
{
    return d ? poll_all(d, NULL) : 0;
}

nn_status nn_downloader_fetch(nn_downloader *d, const char *card, const char *name, char *path_out, size_t size,
                              nn_error *err)
{
    outcome *o = calloc(1, sizeof *o);
    if (!o)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    nn_status st = start_job(d, card, name, &o->id, err);
    /* Polling here delivers progress to the callback (a CLI progress bar) while we wait. */
    while (st == NN_OK && !o->seen) {
        poll_all(d, o);
        if (!o->seen)
            nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    if (st == NN_OK) {
        st = o->status;
        if (st != NN_OK)
            nn_error_set(err, st, "download of %s failed: %s", card, o->message);
        else if (path_out && size > 0 && snprintf(path_out, size, "%s", o->path) >= (int)size)
            st = nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "path %s does not fit in %zu bytes", o->path, size);
    }
    free(o);
    return st;
}

nn_status nn_downloader_remove(nn_downloader *d, const char *name, nn_error *err)
{
    if (!d || !name)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_downloader_remove: NULL argument");
    char file[256];
    nn_status st = model_file_name(name, file, sizeof file, err);
    if (st != NN_OK)
        return st;
    if (strstr(file, ".."))
        return nn_error_set(err, NN_ERR_BAD_CARD, "model name '%s' contains '..'", name);
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/%s.ts", d->models_dir, file);
    for (job *j = d->jobs; j; j = j->next) {
        pthread_mutex_lock(&d->lock);
        bool running = !j->finished;
        pthread_mutex_unlock(&d->lock);
        if (running && strcmp(j->target, path) == 0)
            return nn_error_set(err, NN_ERR_BUSY, "model %s is being downloaded; try again when it is done", name);
    }
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return nn_error_set(err, NN_ERR_FILE_NOT_FOUND, "could not find model %s (no %s)", name, path);
    if (S_ISDIR(sb.st_mode))
        return nn_error_set(err, NN_ERR_NOT_A_FILE, "%s is a folder, not a model file", path);
    if (unlink(path) != 0)
        return nn_error_set(err, NN_ERR_IO, "cannot delete %s: %s", path, strerror(errno));
    return NN_OK;
}

bool nn_downloader_busy(const nn_downloader *d)
{
    if (!d)
        return false;
    nn_downloader *m = (nn_downloader *)d;
    /* Poll reaps a job only when it delivers its final event, so a job still in the list is
     * work the caller has not seen the end of, finished or not. */
    pthread_mutex_lock(&m->lock);
    bool busy = m->jobs != NULL || m->list_pending;
    pthread_mutex_unlock(&m->lock);
    return busy;
}
