/* nn~ in C — tests of the download client against a real HTTP server on 127.0.0.1.
 * SPDX-License-Identifier: MIT
 *
 * tests/download/server.py serves a card list and the generated gain.ts model, and fails on
 * purpose for other cards (404, 500, invalid JSON, an HTML page, a truncated body, a stall,
 * redirects, bodies too large). For every case the test checks the status and message the
 * user gets, the events delivered by nn_downloader_poll, that the models folder holds
 * exactly what it should (never a partial or temporary file) and that freeing the
 * downloader leaves no thread behind. Refused cards must not reach the server at all. The
 * asynchronous list fetch is checked the same way: its one event, its failures, cancellation
 * by free, and that the downloader stays busy until every result has been delivered.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "nn/nn.h"

static test_server server;
static char scratch[4096];
static unsigned char *model_bytes;
static size_t model_size;

/* What the event callback saw, in order. */
typedef struct recorder {
    int started, progress, done, failed;
    int lists;        /* NN_DOWNLOAD_LIST events */
    int list_count;   /* cards in the last one */
    bool list_sorted; /* its cards were in strictly increasing order */
    bool event_card;  /* the last event had a card */
    char first_card[1100];
    int order_errors; /* a STARTED or PROGRESS after the final event, progress going back */
    uint64_t last_bytes;
    nn_status status;
    char message[NN_ERROR_MESSAGE_SIZE];
    char path[4096];
    char card[1100];
} recorder;

static void record(void *user, const nn_download_event *ev)
{
    recorder *r = user;
    bool final_seen = r->done + r->failed > 0;
    switch (ev->kind) {
    case NN_DOWNLOAD_STARTED:
        r->started++;
        if (final_seen || r->progress)
            r->order_errors++;
        break;
    case NN_DOWNLOAD_PROGRESS:
        r->progress++;
        if (final_seen || ev->bytes < r->last_bytes || (ev->total && ev->bytes > ev->total))
            r->order_errors++;
        r->last_bytes = ev->bytes;
        break;
    case NN_DOWNLOAD_LIST:
        r->lists++;
        r->status = ev->status;
        r->list_count = ev->cards ? ev->cards->count : -1;
        r->list_sorted = ev->cards != NULL;
        for (int i = 1; ev->cards && i < ev->cards->count; i++)
            r->list_sorted = r->list_sorted && strcmp(ev->cards->cards[i - 1], ev->cards->cards[i]) < 0;
        snprintf(r->first_card, sizeof r->first_card, "%s", r->list_count > 0 ? ev->cards->cards[0] : "");
        snprintf(r->message, sizeof r->message, "%s", ev->message ? ev->message : "");
        break;
    case NN_DOWNLOAD_DONE:
    case NN_DOWNLOAD_FAILED:
        if (ev->kind == NN_DOWNLOAD_DONE)
            r->done++;
        else
            r->failed++;
        r->status = ev->status;
        snprintf(r->message, sizeof r->message, "%s", ev->message ? ev->message : "");
        snprintf(r->path, sizeof r->path, "%s", ev->path ? ev->path : "");
        break;
    }
    r->event_card = ev->card != NULL;
    if (ev->kind != NN_DOWNLOAD_LIST && ev->cards)
        r->order_errors++;
    snprintf(r->card, sizeof r->card, "%s", ev->card ? ev->card : "");
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* Poll until `r` has seen the final event of one download (the test hangs, and ctest's
 * timeout fails it, if the download never ends). */
static void poll_until_final(nn_downloader *d, const recorder *r, int finals)
{
    for (;;) {
        nn_downloader_poll(d); /* the callback updates `r` */
        if (r->done + r->failed >= finals)
            break;
        sleep_ms(10);
    }
}

static void fresh_models_dir(const char *name, char *out, size_t size)
{
    if (snprintf(out, size, "%s/%s", scratch, name) >= (int)size)
        fail_msg("scratch path too long");
}

static void url_of(const char *root, char *buf, size_t size)
{
    test_server_url(&server, root, buf, size);
}

/* Tests compare with the count taken when they began: libtorch keeps its own pool alive
 * once a model was loaded, so a process-wide baseline would not do. */
static void assert_no_thread_left(int before)
{
    assert_int_equal(thread_count(), before);
}

/* A failure case: the server root or card asked for, the status and a piece of the message. */
typedef struct expected_failure {
    const char *what;
    nn_status status;
    const char *says;
} expected_failure;

/* What every test that drives one downloader needs: the thread baseline taken before it
 * exists, its models folder, what its callback saw, and the downloader itself. */
typedef struct fixture {
    int threads;
    char dir[4096];
    recorder r;
    nn_downloader *d;
    nn_error err;
} fixture;

/* Open a downloader on `url` with models folder `dir` (the scratch folder when NULL) that
 * records its events into f->r, or has no callback when `events` is false. */
static void fixture_open_url(fixture *f, const char *url, const char *dir, bool events)
{
    memset(f, 0, sizeof *f);
    f->threads = thread_count();
    if (snprintf(f->dir, sizeof f->dir, "%s", dir ? dir : scratch) >= (int)sizeof f->dir)
        fail_msg("models folder path too long");
    nn_status st = nn_downloader_new(url, f->dir, events ? record : NULL, events ? &f->r : NULL, &f->d, &f->err);
    if (st != NN_OK)
        fail_msg("nn_downloader_new(%s): %s", url, f->err.message);
}

/* The same against the test server's `root`, with a fresh models folder `sub` of the scratch
 * folder (the scratch folder itself when NULL). */
static void fixture_open(fixture *f, const char *root, const char *sub, bool events)
{
    char url[256], dir[4096];
    url_of(root, url, sizeof url);
    if (sub)
        fresh_models_dir(sub, dir, sizeof dir);
    fixture_open_url(f, url, sub ? dir : NULL, events);
}

/* Free the downloader: nothing it started may be left running. */
static void fixture_close(fixture *f)
{
    nn_downloader_free(f->d);
    f->d = NULL;
    assert_no_thread_left(f->threads);
}

static void assert_folder(const char *dir, int expected_count, const char *expected_names)
{
    char names[4096];
    int count = dir_list(dir, names, sizeof names);
    if (count != expected_count || (expected_names && strcmp(names, expected_names) != 0))
        fail_msg("folder %s holds %d entries '%s', expected %d '%s'", dir, count, names, expected_count,
                 expected_names ? expected_names : "");
}

static void assert_is_served_model(const char *path)
{
    size_t size = 0;
    unsigned char *data = file_read(path, &size);
    if (!data)
        fail_msg("cannot read %s", path);
    assert_int_equal(size, model_size);
    assert_memory_equal(data, model_bytes, model_size);
    free(data);
}

/* Download `card` with a new downloader into `dir`, poll to the end, free. */
static void download_one(const char *root, const char *dir, const char *card, const char *name, recorder *r)
{
    char url[256];
    url_of(root, url, sizeof url);
    fixture f;
    fixture_open_url(&f, url, dir, true);
    nn_status st = nn_downloader_start(f.d, card, name, &f.err);
    if (st != NN_OK)
        fail_msg("start %s: %s", card, f.err.message);
    assert_true(nn_downloader_busy(f.d) || nn_downloader_poll(f.d) >= 0);
    poll_until_final(f.d, &f.r, 1);
    assert_false(nn_downloader_busy(f.d));
    assert_int_equal(nn_downloader_poll(f.d), 0);
    fixture_close(&f);
    *r = f.r;
    assert_int_equal(r->order_errors, 0);
    assert_string_equal(r->card, card);
}

static void *idle_thread(void *arg)
{
    return arg;
}

static int setup(void **state)
{
    (void)state;
    /* ThreadSanitizer starts a helper thread of its own with the first pthread_create; start
     * one now so that it is already counted in every test's baseline. */
    pthread_t warm_up;
    if (pthread_create(&warm_up, NULL, idle_thread, NULL) != 0 || pthread_join(warm_up, NULL) != 0)
        return -1;
    if (test_server_start(&server, "gain.ts") != 0)
        return -1;
    model_bytes = file_read(server.model_path, &model_size);
    if (!model_bytes || scratch_dir(scratch, sizeof scratch) != 0)
        return -1;
    /* Short timeouts so that the stall case fails in seconds, not minutes. */
    setenv("NN_TILDE_HTTP_TIMEOUT", "2", 1);
    unsetenv("NN_TILDE_MAX_DOWNLOAD_BYTES");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&server);
    remove_tree(scratch);
    free(model_bytes);
    return 0;
}

static bool list_has(const nn_card_list *list, const char *card)
{
    for (int i = 0; i < list->count; i++)
        if (strcmp(list->cards[i], card) == 0)
            return true;
    return false;
}

static void test_list(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "api", NULL, false);
    nn_card_list list = {0, NULL};
    assert_int_equal(nn_downloader_list(f.d, &list, &f.err), NN_OK);
    /* 14 test cards + ircam/rave/isis; "odd" is not an object of models and is skipped. */
    assert_int_equal(list.count, 15);
    assert_true(list_has(&list, "test/models/gain"));
    assert_true(list_has(&list, "ircam/rave/isis"));
    assert_true(list_has(&list, "test/models/with space&x=1"));
    for (int i = 1; i < list.count; i++)
        assert_true(strcmp(list.cards[i - 1], list.cards[i]) < 0);
    assert_string_equal(list.cards[0], "ircam/rave/isis");
    nn_card_list_clear(&list);
    assert_int_equal(list.count, 0);
    assert_null(list.cards);
    nn_card_list_clear(NULL);
    fixture_close(&f);
}

static void test_list_failures(void **state)
{
    (void)state;
    static const expected_failure cases[] = {
        {"e404", NN_ERR_HTTP, "HTTP 404"},
        {"e500", NN_ERR_HTTP, "HTTP 500"},
        {"badjson", NN_ERR_BAD_RESPONSE, "not valid JSON"},
        {"notobject", NN_ERR_BAD_RESPONSE, "not a JSON object"},
        {"htmllist", NN_ERR_BAD_RESPONSE, "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture f;
        fixture_open(&f, cases[i].what, NULL, false);
        nn_card_list list = {0, NULL};
        nn_error_clear(&f.err);
        nn_status st = nn_downloader_list(f.d, &list, &f.err);
        if (st != cases[i].status || !strstr(f.err.message, cases[i].says) ||
            !strstr(f.err.message, "could not fetch the list of available models"))
            fail_msg("%s: status %d '%s', expected %d '%s'", cases[i].what, st, f.err.message, cases[i].status,
                     cases[i].says);
        assert_int_equal(f.err.status, cases[i].status);
        assert_int_equal(list.count, 0);
        assert_null(list.cards);
        fixture_close(&f);
    }

    /* Nothing listens on port 1: the connection is refused. */
    fixture f;
    fixture_open_url(&f, "http://127.0.0.1:1/", NULL, false);
    nn_card_list list = {0, NULL};
    assert_int_equal(nn_downloader_list(f.d, &list, &f.err), NN_ERR_NETWORK);
    assert_non_null(strstr(f.err.message, "127.0.0.1:1"));
    fixture_close(&f);
}

static void test_download_and_load(void **state)
{
    (void)state;
    char dir[4096];
    /* A folder that does not exist yet, two levels deep: the download creates it. */
    fresh_models_dir("new/models", dir, sizeof dir);
    recorder r;
    download_one("api", dir, "test/models/gain", NULL, &r);
    if (r.done != 1)
        fail_msg("download failed: %s", r.message);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.started, 1);
    assert_int_equal(r.status, NN_OK);
    char expect[4200];
    snprintf(expect, sizeof expect, "%s/gain.ts", dir);
    assert_string_equal(r.path, expect);
    assert_non_null(strstr(r.message, "downloaded"));
    assert_folder(dir, 1, "gain.ts");
    assert_is_served_model(expect);

    /* The downloaded file is found by bare name through the models folder and loads. */
    setenv("NN_TILDE_MODELS_DIR", dir, 1);
    char found[4096];
    nn_error err;
    assert_int_equal(nn_model_locate("gain", NULL, 0, found, sizeof found, &err), NN_OK);
    assert_string_equal(found, expect);
    unsetenv("NN_TILDE_MODELS_DIR");
    nn_model *model = NULL;
    nn_status st = nn_model_load(found, NULL, &model, &err);
    if (st != NN_OK)
        fail_msg("downloaded model does not load: %s", err.message);
    assert_int_equal(nn_model_method_find(model, "forward"), 0);
    nn_model_free(model);
}

static void test_download_failures(void **state)
{
    (void)state;
    static const expected_failure cases[] = {
        {"test/models/html", NN_ERR_BAD_RESPONSE, "not a model file (it starts with \"<!DOCTYPE html>"},
        {"test/models/truncated", NN_ERR_NETWORK, "truncated"},
        {"test/models/stall", NN_ERR_NETWORK, "timed out"},
        {"test/models/ftp", NN_ERR_NETWORK, "protocol other than http/https"},
        {"test/models/loop", NN_ERR_NETWORK, "too many redirects"},
        {"test/models/huge", NN_ERR_BAD_RESPONSE, "larger than the limit of 2147483648 bytes"},
        {"test/models/missing", NN_ERR_HTTP, "HTTP 404"},
        {"test/models/error", NN_ERR_HTTP, "HTTP 500"},
        {"test/models/empty", NN_ERR_BAD_RESPONSE, "empty file"},
        {"test/models/unknown", NN_ERR_BAD_CARD, "not available"},
        {"ircam/rave/isis", NN_ERR_HTTP, "HTTP 404"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char dir[4096], sub[64];
        snprintf(sub, sizeof sub, "failures-%zu", i);
        fresh_models_dir(sub, dir, sizeof dir);
        recorder r;
        download_one("api", dir, cases[i].what, NULL, &r);
        if (r.failed != 1 || r.done != 0 || r.status != cases[i].status || !strstr(r.message, cases[i].says))
            fail_msg("%s: done %d failed %d status %d '%s', expected %d '%s'", cases[i].what, r.done, r.failed,
                     r.status, r.message, cases[i].status, cases[i].says);
        assert_string_equal(r.path, "");
        /* Nothing partial: the folder was created for the download and is empty, or was
         * never created when the card is refused before any download. */
        assert_folder(dir, cases[i].status == NN_ERR_BAD_CARD ? -1 : 0, NULL);
    }
}

static void test_body_over_the_limit(void **state)
{
    (void)state;
    /* No Content-Length: only counting received bytes catches it. Set while no thread runs. */
    setenv("NN_TILDE_MAX_DOWNLOAD_BYTES", "1048576", 1);
    char dir[4096];
    fresh_models_dir("toolarge", dir, sizeof dir);
    recorder r;
    download_one("api", dir, "test/models/toolarge", NULL, &r);
    unsetenv("NN_TILDE_MAX_DOWNLOAD_BYTES");
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.status, NN_ERR_BAD_RESPONSE);
    assert_non_null(strstr(r.message, "larger than the limit of 1048576 bytes"));
    assert_folder(dir, 0, NULL);
}

static void test_models_folder_unusable(void **state)
{
    (void)state;
    /* A file where the models folder should be: the download fails with an I/O error that
     * names the folder, and the file is left alone. */
    char dir[4096];
    fresh_models_dir("not-a-folder", dir, sizeof dir);
    FILE *f = fopen(dir, "wb");
    assert_non_null(f);
    fclose(f);
    recorder r;
    download_one("api", dir, "test/models/gain", NULL, &r);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.status, NN_ERR_IO);
    assert_non_null(strstr(r.message, dir));
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_size, 0);
}

static void test_redirect_and_url_encoding(void **state)
{
    (void)state;
    char dir[4096];
    fresh_models_dir("redirect", dir, sizeof dir);
    recorder r;
    download_one("api", dir, "test/models/redirect", NULL, &r);
    if (r.done != 1)
        fail_msg("redirect: %s", r.message);
    char path[4200];
    snprintf(path, sizeof path, "%s/redirect.ts", dir);
    assert_is_served_model(path);

    /* The server only answers this card when '&', '=' and ' ' arrive URL-encoded. */
    download_one("api", dir, "test/models/with space&x=1", NULL, &r);
    if (r.done != 1)
        fail_msg("encoded card: %s", r.message);
    snprintf(path, sizeof path, "%s/with space&x=1.ts", dir);
    assert_is_served_model(path);
    assert_folder(dir, 2, "redirect.ts with space&x=1.ts");
}

static void test_bad_cards_make_no_request(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "api", "refused", true);
    int before = test_server_requests(&server);
    assert_true(before >= 0);
    static const char *const cards[] = {"../../etc/passwd",   "/etc/passwd/x",     "a/b/..",           "ircam/rave/..",
                                        "ircam\\rave/isis/x", "ircam/rave/is\nis", "ircam/rave",       "",
                                        "ircam//isis",        "a/b/c/d",           "test/models/.gain"};
    for (size_t i = 0; i < sizeof cards / sizeof *cards; i++) {
        nn_error_clear(&f.err);
        nn_status st = nn_downloader_start(f.d, cards[i], NULL, &f.err);
        if (st != NN_ERR_BAD_CARD)
            fail_msg("card '%s' not refused by start (status %d)", cards[i], st);
        assert_true(strlen(f.err.message) > 0);
        char path[256];
        assert_int_equal(nn_downloader_fetch(f.d, cards[i], NULL, path, sizeof path, &f.err), NN_ERR_BAD_CARD);
    }
    /* A custom name must not escape the folder either. */
    static const char *const names[] = {"../evil", "sub/evil", "..", ".hidden", "a\\b", "bad\x01name"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        nn_status st = nn_downloader_start(f.d, "test/models/gain", names[i], &f.err);
        if (st != NN_ERR_BAD_CARD)
            fail_msg("name '%s' not refused (status %d)", names[i], st);
    }
    assert_int_equal(nn_downloader_start(f.d, NULL, NULL, &f.err), NN_ERR_BAD_CARD);
    assert_int_equal(nn_downloader_start(NULL, "test/models/gain", NULL, &f.err), NN_ERR_INVALID_ARGUMENT);
    assert_false(nn_downloader_busy(f.d));
    assert_int_equal(nn_downloader_poll(f.d), 0);
    assert_int_equal(f.r.started + f.r.progress + f.r.done + f.r.failed, 0);
    fixture_close(&f);
    assert_int_equal(test_server_requests(&server), before);
    assert_folder(f.dir, -1, NULL); /* not even the folder was created */
}

static void test_same_card_twice(void **state)
{
    (void)state;
    /* One downloader: the second request is refused while the first runs. */
    fixture f;
    fixture_open(&f, "api", "twice", true);
    assert_int_equal(nn_downloader_start(f.d, "test/models/slow", NULL, &f.err), NN_OK);
    assert_true(nn_downloader_busy(f.d));
    assert_int_equal(nn_downloader_start(f.d, "test/models/slow", NULL, &f.err), NN_ERR_BUSY);
    assert_non_null(strstr(f.err.message, "already downloading"));
    /* The same target through a custom name is the same download. */
    assert_int_equal(nn_downloader_start(f.d, "test/models/gain", "slow", &f.err), NN_ERR_BUSY);
    assert_int_equal(nn_downloader_remove(f.d, "slow", &f.err), NN_ERR_BUSY);
    poll_until_final(f.d, &f.r, 1);
    assert_int_equal(f.r.done, 1);
    assert_true(f.r.progress >= 1);
    fixture_close(&f);

    /* Two downloaders (two objects, or two processes) at once: one good file. */
    fixture f1, f2;
    fixture_open(&f1, "api", "twice2", true);
    char url[256];
    url_of("api", url, sizeof url);
    fixture_open_url(&f2, url, f1.dir, true);
    assert_int_equal(nn_downloader_start(f1.d, "test/models/slow", NULL, &f1.err), NN_OK);
    assert_int_equal(nn_downloader_start(f2.d, "test/models/slow", NULL, &f2.err), NN_OK);
    while (f1.r.done + f1.r.failed + f2.r.done + f2.r.failed < 2) {
        nn_downloader_poll(f1.d);
        nn_downloader_poll(f2.d);
        sleep_ms(10);
    }
    fixture_close(&f2);
    fixture_close(&f1);
    assert_int_equal(f1.r.done, 1);
    assert_int_equal(f2.r.done, 1);
    assert_folder(f1.dir, 1, "slow.ts");
    char path[4200];
    snprintf(path, sizeof path, "%s/slow.ts", f1.dir);
    assert_is_served_model(path);
}

static void test_free_cancels(void **state)
{
    (void)state;
    /* A long stall window, so that only cancellation can end the transfer. */
    setenv("NN_TILDE_HTTP_TIMEOUT", "300", 1);
    fixture f;
    fixture_open(&f, "api", "cancel", true);
    assert_int_equal(nn_downloader_start(f.d, "test/models/stall", NULL, &f.err), NN_OK);
    /* Wait until the first 1000 bytes are in the temporary file, then delete the object. */
    while (f.r.last_bytes < 1000) {
        nn_downloader_poll(f.d);
        sleep_ms(10);
    }
    assert_int_equal(f.r.started, 1);
    assert_int_equal(dir_list(f.dir, (char[256]){0}, 256), 1); /* the hidden temporary file */
    fixture_close(&f);
    setenv("NN_TILDE_HTTP_TIMEOUT", "2", 1);
    assert_int_equal(f.r.done + f.r.failed, 0); /* no event after free */
    assert_folder(f.dir, 0, NULL);
}

static void test_fetch_remove_and_names(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "api", "fetch", true);

    char path[4096], expect[4200];
    nn_status st = nn_downloader_fetch(f.d, "test/models/gain", "my gain", path, sizeof path, &f.err);
    if (st != NN_OK)
        fail_msg("fetch: %s", f.err.message);
    snprintf(expect, sizeof expect, "%s/my gain.ts", f.dir);
    assert_string_equal(path, expect);
    assert_int_equal(f.r.done, 1);
    assert_is_served_model(expect);

    /* Already there: kept, reported as done, no request made. */
    int before = test_server_requests(&server);
    assert_int_equal(nn_downloader_fetch(f.d, "test/models/gain", "my gain.ts", path, sizeof path, &f.err), NN_OK);
    assert_string_equal(path, expect);
    assert_int_equal(f.r.done, 2);
    assert_non_null(strstr(f.r.message, "already downloaded"));
    assert_int_equal(test_server_requests(&server), before);

    assert_int_equal(nn_downloader_fetch(f.d, "test/models/html", NULL, path, sizeof path, &f.err),
                     NN_ERR_BAD_RESPONSE);
    assert_int_equal(f.err.status, NN_ERR_BAD_RESPONSE);
    assert_non_null(strstr(f.err.message, "not a model file"));
    assert_non_null(strstr(f.err.message, "download of test/models/html failed: "));
    assert_null(strstr(f.r.message, "download of"));
    assert_int_equal(f.r.failed, 1);
    assert_folder(f.dir, 1, "my gain.ts");

    /* remove: by name, by card, never outside the folder. */
    char outside[4200];
    snprintf(outside, sizeof outside, "%s/outside.ts", scratch);
    FILE *file = fopen(outside, "wb");
    assert_non_null(file);
    fclose(file);
    assert_int_equal(nn_downloader_remove(f.d, "../outside", &f.err), NN_ERR_FILE_NOT_FOUND);
    assert_int_equal(nn_downloader_remove(f.d, "..", &f.err), NN_ERR_BAD_CARD);
    assert_int_equal(nn_downloader_remove(f.d, "", &f.err), NN_ERR_BAD_CARD);
    assert_int_equal(nn_downloader_remove(f.d, "a/b/", &f.err), NN_ERR_BAD_CARD);
    struct stat sb;
    assert_int_equal(stat(outside, &sb), 0);

    assert_int_equal(nn_downloader_remove(f.d, "my gain", &f.err), NN_OK);
    assert_folder(f.dir, 0, NULL);
    assert_int_equal(nn_downloader_remove(f.d, "my gain", &f.err), NN_ERR_FILE_NOT_FOUND);
    assert_non_null(strstr(f.err.message, "could not find model my gain"));

    assert_int_equal(nn_downloader_fetch(f.d, "test/models/gain", NULL, path, sizeof path, &f.err), NN_OK);
    assert_int_equal(nn_downloader_remove(f.d, "test/models/gain", &f.err), NN_OK);
    assert_folder(f.dir, 0, NULL);
    char small[8];
    assert_int_equal(nn_downloader_fetch(f.d, "test/models/gain", NULL, small, sizeof small, &f.err),
                     NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_downloader_remove(f.d, "gain.ts", &f.err), NN_OK);
    assert_int_equal(nn_downloader_remove(NULL, "gain", &f.err), NN_ERR_INVALID_ARGUMENT);
    fixture_close(&f);
}

static void test_api_root_and_defaults(void **state)
{
    (void)state;
    int threads = thread_count();
    char good[256], broken[256], dir[4096];
    url_of("api", good, sizeof good);
    url_of("e404", broken, sizeof broken);
    fresh_models_dir("defaults", dir, sizeof dir);
    nn_error err;
    nn_downloader *d = NULL;

    /* NULL arguments take $NN_TILDE_API_URL and $NN_TILDE_MODELS_DIR. */
    setenv("NN_TILDE_API_URL", broken, 1);
    setenv("NN_TILDE_MODELS_DIR", dir, 1);
    assert_int_equal(nn_downloader_new(NULL, NULL, NULL, NULL, &d, &err), NN_OK);
    unsetenv("NN_TILDE_API_URL");
    unsetenv("NN_TILDE_MODELS_DIR");
    nn_card_list list = {0, NULL};
    assert_int_equal(nn_downloader_list(d, &list, &err), NN_ERR_HTTP);

    /* The root without its trailing slash works too. */
    good[strlen(good) - 1] = '\0';
    assert_int_equal(nn_downloader_set_api_url(d, good, &err), NN_OK);
    assert_int_equal(nn_downloader_list(d, &list, &err), NN_OK);
    assert_int_equal(list.count, 15);
    nn_card_list_clear(&list);
    char path[4096], expect[4200];
    assert_int_equal(nn_downloader_fetch(d, "test/models/gain", NULL, path, sizeof path, &err), NN_OK);
    snprintf(expect, sizeof expect, "%s/gain.ts", dir);
    assert_string_equal(path, expect);
    assert_int_equal(nn_downloader_remove(d, "gain", &err), NN_OK);

    assert_int_equal(nn_downloader_set_api_url(d, "ftp://127.0.0.1/", &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_downloader_set_api_url(d, "file:///etc/", &err), NN_ERR_INVALID_ARGUMENT);
    nn_downloader_free(d);
    nn_downloader_free(NULL);

    assert_int_equal(nn_downloader_new("file:///tmp/", dir, NULL, NULL, &d, &err), NN_ERR_INVALID_ARGUMENT);
    assert_null(d);
    assert_int_equal(nn_downloader_new(good, "relative/models", NULL, NULL, &d, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_downloader_new(good, dir, NULL, NULL, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_downloader_poll(NULL), 0);
    assert_false(nn_downloader_busy(NULL));
    assert_no_thread_left(threads);
}

/* Poll until `r` has seen `n` list results (LIST or a FAILED without a card). */
static void poll_until_lists(nn_downloader *d, const recorder *r, int n)
{
    while (r->lists + r->failed < n) {
        nn_downloader_poll(d);
        sleep_ms(10);
    }
}

/* Wait without polling until every thread the downloader started has ended: its result is
 * then ready but not delivered. */
static void wait_threads_gone(int before)
{
    while (thread_count() > before)
        sleep_ms(10);
}

static void test_list_async(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "api", "list-async", true);
    int before = test_server_requests(&server);
    assert_true(before >= 0);
    assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_OK);
    assert_true(nn_downloader_busy(f.d));
    /* One fetch at a time: a second request while the first is undelivered is refused. */
    nn_error_clear(&f.err);
    assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_ERR_BUSY);
    assert_non_null(strstr(f.err.message, "already being fetched"));
    poll_until_lists(f.d, &f.r, 1);
    if (f.r.lists != 1)
        fail_msg("list failed: %s", f.r.message);
    assert_int_equal(f.r.failed, 0);
    assert_int_equal(f.r.status, NN_OK);
    assert_false(f.r.event_card);
    assert_int_equal(f.r.list_count, 15);
    assert_true(f.r.list_sorted);
    assert_string_equal(f.r.first_card, "ircam/rave/isis");
    assert_non_null(strstr(f.r.message, "15 model(s) available from"));
    assert_false(nn_downloader_busy(f.d));
    assert_int_equal(nn_downloader_poll(f.d), 0);
    assert_int_equal(test_server_requests(&server), before + 1);

    /* The list is cached for the card check: the download makes one request, not two. */
    nn_status st = nn_downloader_fetch(f.d, "test/models/gain", NULL, NULL, 0, &f.err);
    if (st != NN_OK)
        fail_msg("fetch after list: %s", f.err.message);
    assert_int_equal(test_server_requests(&server), before + 2);

    /* Once delivered, the next fetch may start; each gives its own event. */
    assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_OK);
    poll_until_lists(f.d, &f.r, 2);
    assert_int_equal(f.r.lists, 2);
    assert_int_equal(f.r.list_count, 15);
    assert_int_equal(f.r.order_errors, 0);
    assert_int_equal(nn_downloader_list_start(NULL, &f.err), NN_ERR_INVALID_ARGUMENT);
    fixture_close(&f);
}

static void test_list_async_failures(void **state)
{
    (void)state;
    static const expected_failure cases[] = {
        {"e500", NN_ERR_HTTP, "HTTP 500"},
        {"badjson", NN_ERR_BAD_RESPONSE, "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture f;
        fixture_open(&f, cases[i].what, NULL, true);
        assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_OK);
        poll_until_lists(f.d, &f.r, 1);
        if (f.r.failed != 1 || f.r.lists != 0 || f.r.status != cases[i].status || !strstr(f.r.message, cases[i].says) ||
            !strstr(f.r.message, "could not fetch the list of available models"))
            fail_msg("%s: lists %d failed %d status %d '%s', expected %d '%s'", cases[i].what, f.r.lists, f.r.failed,
                     f.r.status, f.r.message, cases[i].status, cases[i].says);
        assert_false(f.r.event_card);
        assert_string_equal(f.r.path, "");
        assert_false(nn_downloader_busy(f.d));
        fixture_close(&f);
    }

    /* Nothing listens on port 1: the connection is refused. */
    fixture f;
    fixture_open_url(&f, "http://127.0.0.1:1/", NULL, true);
    assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_OK);
    poll_until_lists(f.d, &f.r, 1);
    assert_int_equal(f.r.failed, 1);
    assert_int_equal(f.r.status, NN_ERR_NETWORK);
    assert_non_null(strstr(f.r.message, "127.0.0.1:1"));
    fixture_close(&f);
}

static void test_list_async_cancelled_by_free(void **state)
{
    (void)state;
    /* A long stall window, so that only cancellation can end the transfer. */
    setenv("NN_TILDE_HTTP_TIMEOUT", "300", 1);
    fixture f;
    fixture_open(&f, "stalllist", NULL, true);
    int before = test_server_requests(&server);
    assert_true(before >= 0);
    assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_OK);
    /* Free only once the request is at the server and stalled. */
    while (test_server_requests(&server) == before) {
        assert_int_equal(nn_downloader_poll(f.d), 0);
        sleep_ms(10);
    }
    assert_true(nn_downloader_busy(f.d));
    fixture_close(&f);
    setenv("NN_TILDE_HTTP_TIMEOUT", "2", 1);
    assert_int_equal(f.r.lists + f.r.failed, 0); /* no event after free */
}

static void test_busy_until_delivered(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "api", "busy", true);

    /* A download that ended while nobody polled is still busy: its result is waiting. */
    assert_int_equal(nn_downloader_start(f.d, "test/models/gain", NULL, &f.err), NN_OK);
    wait_threads_gone(f.threads);
    assert_true(nn_downloader_busy(f.d));
    assert_int_equal(f.r.started + f.r.done + f.r.failed, 0);
    poll_until_final(f.d, &f.r, 1);
    assert_int_equal(f.r.done, 1);
    assert_false(nn_downloader_busy(f.d));

    /* The same for a list fetch. */
    assert_int_equal(nn_downloader_list_start(f.d, &f.err), NN_OK);
    wait_threads_gone(f.threads);
    assert_true(nn_downloader_busy(f.d));
    assert_int_equal(f.r.lists, 0);
    assert_int_equal(nn_downloader_poll(f.d), 1);
    assert_int_equal(f.r.lists, 1);
    assert_false(nn_downloader_busy(f.d));

    /* A model already there is reported at the next poll, and busy until then. */
    assert_int_equal(nn_downloader_start(f.d, "test/models/gain", NULL, &f.err), NN_OK);
    assert_true(nn_downloader_busy(f.d));
    assert_int_equal(nn_downloader_poll(f.d), 1);
    assert_int_equal(f.r.done, 2);
    assert_non_null(strstr(f.r.message, "already downloaded"));
    assert_false(nn_downloader_busy(f.d));
    assert_int_equal(f.r.order_errors, 0);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_list_failures),
        cmocka_unit_test(test_download_and_load),
        cmocka_unit_test(test_download_failures),
        cmocka_unit_test(test_body_over_the_limit),
        cmocka_unit_test(test_models_folder_unusable),
        cmocka_unit_test(test_redirect_and_url_encoding),
        cmocka_unit_test(test_bad_cards_make_no_request),
        cmocka_unit_test(test_same_card_twice),
        cmocka_unit_test(test_free_cancels),
        cmocka_unit_test(test_fetch_remove_and_names),
        cmocka_unit_test(test_api_root_and_defaults),
        cmocka_unit_test(test_list_async),
        cmocka_unit_test(test_list_async_failures),
        cmocka_unit_test(test_list_async_cancelled_by_free),
        cmocka_unit_test(test_busy_until_delivered),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
