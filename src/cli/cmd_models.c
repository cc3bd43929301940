/* nntilde models / download / delete — thin wrappers over the model downloader.
 * SPDX-License-Identifier: MIT
 *
 * The downloader (nn_downloader_*, src/core) does the work: API requests with
 * timeouts, card validation, temporary files renamed when complete. These
 * commands only turn its results and events into terminal output and exit
 * codes, so the Pd object and the CLI behave the same.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int downloader_exit_code(nn_status s)
{
    switch (s) {
    case NN_ERR_BAD_CARD:
    case NN_ERR_INVALID_ARGUMENT: return NN_CLI_USAGE;
    case NN_ERR_FILE_NOT_FOUND: return NN_CLI_BAD_INPUT;
    case NN_ERR_IO: return NN_CLI_BAD_OUTPUT;
    default: return NN_CLI_FAILURE;
    }
}

static bool want_help(int argc, char **argv, void (*usage)(FILE *))
{
    for (int i = 1; i < argc; i++) {
        if (nn_cli_is_help(argv[i])) {
            usage(stdout);
            return true;
        }
        if (strcmp(argv[i], "--version") == 0) {
            nn_cli_print_version();
            return true;
        }
    }
    return false;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- models ---------------------------------------------------------------- */

static void models_usage(FILE *to)
{
    fputs("usage: nntilde models [--installed]\n\n"
          "List the models installed in the models folder, then the model cards the download API\n"
          "offers (source/model/name; install one with 'nntilde download CARD').\n\n"
          "options:\n"
          "  --installed   only the installed models (no network access)\n\n"
          "environment: NN_TILDE_MODELS_DIR (models folder), NN_TILDE_API_URL (API root)\n"
          "exit codes: 0 ok, 1 the list could not be fetched, 2 usage error\n",
          to);
}

static void list_installed(const char *dir)
{
    printf("installed in %s:\n", dir);
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= 3 || strcmp(e->d_name + len - 3, ".ts") != 0 || e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[count] = strdup(e->d_name);
        if (names[count])
            names[count++][len - 3] = '\0';
    }
    if (d)
        closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_strings);
    for (size_t i = 0; i < count; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
    if (!count)
        printf("  (none)\n");
    free(names);
}

int nn_cli_models(int argc, char **argv)
{
    if (want_help(argc, argv, models_usage))
        return NN_CLI_OK;
    bool installed_only = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--installed") == 0) {
            installed_only = true;
        } else {
            nn_cli_error("models", "unexpected argument '%s' (try 'nntilde models --help')", argv[i]);
            return NN_CLI_USAGE;
        }
    }
    char dir[4096];
    if (nn_models_dir(dir, sizeof dir) != NN_OK) {
        nn_cli_error("models", "the models folder path is too long");
        return NN_CLI_FAILURE;
    }
    list_installed(dir);
    if (installed_only)
        return NN_CLI_OK;

    nn_error err;
    nn_error_clear(&err);
    nn_downloader *dl = NULL;
    nn_card_list cards = {0};
    nn_status s = nn_downloader_new(NULL, NULL, NULL, NULL, &dl, &err);
    if (s == NN_OK)
        s = nn_downloader_list(dl, &cards, &err);
    if (s != NN_OK) {
        nn_cli_error_report(nn_api_url(), &err);
        nn_downloader_free(dl);
        return downloader_exit_code(s);
    }
    printf("available from %s:\n", nn_api_url());
    for (int i = 0; i < cards.count; i++)
        printf("  %s\n", cards.cards[i]);
    if (!cards.count)
        printf("  (none)\n");
    nn_card_list_clear(&cards);
    nn_downloader_free(dl);
    return NN_CLI_OK;
}

/* ---- download --------------------------------------------------------------- */

static void download_usage(FILE *to)
{
    fputs("usage: nntilde download CARD [--name NAME] [--force]\n\n"
          "Download the model card CARD (source/model/name, as listed by 'nntilde models') into\n"
          "the models folder as NAME.ts (default: the card's last part) and print its path. Models\n"
          "there are found by bare name: 'nntilde run NAME ...', [nn~ NAME] in Pd. When NAME.ts is\n"
          "already there, nothing is downloaded and a note says so (exit 0); --force downloads it\n"
          "again and replaces it only once the new file is complete. A progress bar (bytes) is\n"
          "drawn when stderr is a terminal.\n\n"
          "options:\n"
          "  --name NAME   install under this name\n"
          "  -f, --force   download again over an installed model\n"
          "  -q, --quiet   no progress bar\n\n"
          "exit codes: 0 ok, 1 network or server failure, 2 bad card or usage error,\n"
          "4 the models folder cannot be written\n",
          to);
}

typedef struct download_state {
    nn_cli_progress progress;
    bool quiet;
    bool started;     /* the progress bar */
    bool transferred; /* a STARTED event came: the file was not already there */
    nn_status status;
    char message[NN_ERROR_MESSAGE_SIZE];
    char path[4096];
} download_state;

static void on_download(void *user, const nn_download_event *event)
{
    download_state *st = user;
    switch (event->kind) {
    case NN_DOWNLOAD_STARTED:
        st->transferred = true;
        if (!st->quiet)
            fprintf(stderr, "downloading %s\n", event->card ? event->card : "");
        break;
    case NN_DOWNLOAD_PROGRESS:
        if (!st->started && event->total > 0) {
            nn_cli_progress_begin_bytes(&st->progress, (int64_t)event->total, st->quiet);
            st->started = true;
        }
        if (st->started)
            nn_cli_progress_update(&st->progress, (int64_t)event->bytes);
        break;
    case NN_DOWNLOAD_DONE:
        if (st->started)
            nn_cli_progress_end(&st->progress);
        st->status = NN_OK;
        snprintf(st->path, sizeof st->path, "%s", event->path ? event->path : "");
        break;
    case NN_DOWNLOAD_FAILED:
        st->progress.enabled = false;
        st->status = event->status != NN_OK ? event->status : NN_ERR_NETWORK;
        snprintf(st->message, sizeof st->message, "%s", event->message ? event->message : nn_strerror(st->status));
        break;
    case NN_DOWNLOAD_LIST: break; /* the CLI lists with the blocking nn_downloader_list */
    }
}

/* One download through the core's downloader, waiting for it; the result is in `st`. */
static int fetch(const char *card, const char *name, download_state *st)
{
    nn_error err;
    nn_error_clear(&err);
    nn_downloader *dl = NULL;
    st->status = NN_ERR_INTERNAL;
    st->transferred = false;
    st->started = false;
    nn_status s = nn_downloader_new(NULL, NULL, on_download, st, &dl, &err);
    if (s == NN_OK)
        s = nn_downloader_start(dl, card, name, &err);
    if (s != NN_OK) {
        nn_cli_error_report(card, &err);
        nn_downloader_free(dl);
        return downloader_exit_code(s);
    }
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    while (nn_downloader_busy(dl)) {
        nn_downloader_poll(dl);
        nanosleep(&tick, NULL);
    }
    nn_downloader_poll(dl);
    nn_downloader_free(dl);
    if (st->status != NN_OK) {
        nn_cli_error(card, "%s", st->message[0] ? st->message : "download did not complete");
        return downloader_exit_code(st->status);
    }
    return NN_CLI_OK;
}

int nn_cli_download(int argc, char **argv)
{
    if (want_help(argc, argv, download_usage))
        return NN_CLI_OK;
    const char *card = NULL, *name = NULL;
    bool force = false;
    download_state st;
    memset(&st, 0, sizeof st);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strncmp(argv[i], "--name=", 7) == 0) {
            name = argv[i] + 7;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            st.quiet = true;
        } else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) {
            force = true;
        } else if (argv[i][0] != '-' && !card) {
            card = argv[i];
        } else {
            nn_cli_error("download", "unexpected argument '%s' (try 'nntilde download --help')", argv[i]);
            return NN_CLI_USAGE;
        }
    }
    if (!card) {
        nn_cli_error("download", "expected a CARD (try 'nntilde download --help')");
        return NN_CLI_USAGE;
    }
    int code = fetch(card, name, &st);
    if (code == NN_CLI_OK && !st.transferred && !force) {
        fprintf(stderr, "nntilde: %s: already installed at %s: nothing downloaded (--force downloads it again)\n", card,
                st.path);
    } else if (code == NN_CLI_OK && !st.transferred) {
        /* Set the installed file aside (same folder, hidden name) so that the downloader fetches
         * the card again; put it back if that fails, so --force never loses a working model. */
        char installed[4096], aside[4200];
        snprintf(installed, sizeof installed, "%s", st.path);
        const char *slash = strrchr(installed, '/');
        int dir_len = slash ? (int)(slash - installed) + 1 : 0;
        snprintf(aside, sizeof aside, "%.*s.%s.nntilde-replaced", dir_len, installed, installed + dir_len);
        if (rename(installed, aside) != 0) {
            nn_cli_error(installed, "cannot replace: %s", strerror(errno));
            return NN_CLI_BAD_OUTPUT;
        }
        code = fetch(card, name, &st);
        if (code == NN_CLI_OK) {
            unlink(aside);
        } else if (rename(aside, installed) != 0) {
            nn_cli_error(installed, "could not put the previous file back (it is %s): %s", aside, strerror(errno));
        }
    }
    if (code == NN_CLI_OK)
        printf("%s\n", st.path);
    return code;
}

/* ---- delete ------------------------------------------------------------------- */

static void delete_usage(FILE *to)
{
    fputs("usage: nntilde delete NAME\n\n"
          "Delete NAME.ts from the models folder (NAME may be a card: its last part is used).\n\n"
          "exit codes: 0 ok, 2 usage error, 3 no such model, 4 it cannot be removed\n",
          to);
}

int nn_cli_delete(int argc, char **argv)
{
    if (want_help(argc, argv, delete_usage))
        return NN_CLI_OK;
    if (argc != 2 || argv[1][0] == '-') {
        nn_cli_error("delete", "expected one NAME (try 'nntilde delete --help')");
        return NN_CLI_USAGE;
    }
    nn_error err;
    nn_error_clear(&err);
    nn_downloader *dl = NULL;
    nn_status s = nn_downloader_new(NULL, NULL, NULL, NULL, &dl, &err);
    if (s == NN_OK)
        s = nn_downloader_remove(dl, argv[1], &err);
    nn_downloader_free(dl);
    if (s != NN_OK) {
        nn_cli_error_report(argv[1], &err);
        return downloader_exit_code(s);
    }
    printf("deleted %s\n", argv[1]);
    return NN_CLI_OK;
}
