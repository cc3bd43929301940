/* nn~ in C — the model downloads every object offers (`api`, listing, `download`, `remove`).
 * SPDX-License-Identifier: MIT
 *
 * One downloader per object, made on first use, whose events the object's own poll tick
 * delivers on the host's main thread. Listing runs in the downloader's thread: in Pd the
 * main thread also runs audio, and in Max it runs the user interface. Every live downloader
 * is stopped by an exit handler, since hosts may exit without freeing objects.
 */
#include "obj_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nn_obj_downloads {
    const nn_host *host;
    void *owner;
    const char *name;
    int outlet;
    nn_obj_cards_fn on_list;
    void *object;
    nn_downloader *downloader;
    char *api_url;
    struct nn_obj_downloads *next_live;
};

/* Each external links its own copy of the layer, so each has its own list. */
static nn_obj_downloads *downloads_live;

static void downloads_at_exit(void)
{
    for (nn_obj_downloads *d = downloads_live; d; d = d->next_live) {
        nn_downloader_free(d->downloader);
        d->downloader = NULL;
    }
    downloads_live = NULL;
}

static void downloads_on_event(void *user, const nn_download_event *event)
{
    nn_obj_downloads *d = user;
    const char *card = event->card ? event->card : "";
    switch (event->kind) {
    case NN_DOWNLOAD_STARTED:
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_POST, "downloading model %s...", card);
        break;
    case NN_DOWNLOAD_PROGRESS: break;
    case NN_DOWNLOAD_DONE: {
        const char *path = event->path ? event->path : "";
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_POST, "model %s downloaded to %s", card, path);
        nn_atom a[2] = {nn_atom_symbol(card), nn_atom_symbol(path)};
        d->host->output(d->owner, d->outlet, "downloaded", 2, a);
        break;
    }
    case NN_DOWNLOAD_FAILED: {
        const char *why = event->message ? event->message : nn_strerror(event->status);
        if (!event->card)
            nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "%s", why); /* the core names the list */
        else
            nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "download of %s failed: %s", event->card, why);
        break;
    }
    case NN_DOWNLOAD_LIST: d->on_list(d->object, event->cards); break;
    }
}

nn_obj_downloads *nn_downloads_new(const nn_host *host, void *owner, const char *name, int outlet,
                                   nn_obj_cards_fn on_list, void *object)
{
    static bool exit_registered;
    nn_obj_downloads *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->host = host;
    d->owner = owner;
    d->name = name;
    d->outlet = outlet;
    d->on_list = on_list;
    d->object = object;
    d->next_live = downloads_live;
    downloads_live = d;
    if (!exit_registered && atexit(downloads_at_exit) == 0)
        exit_registered = true;
    return d;
}

void nn_downloads_free(nn_obj_downloads *d)
{
    if (!d)
        return;
    for (nn_obj_downloads **p = &downloads_live; *p; p = &(*p)->next_live)
        if (*p == d) {
            *p = d->next_live;
            break;
        }
    nn_downloader_free(d->downloader);
    free(d->api_url);
    free(d);
}

static nn_downloader *downloads_get(nn_obj_downloads *d)
{
    if (d->downloader)
        return d->downloader;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_new(d->api_url, NULL, downloads_on_event, d, &d->downloader, &err) != NN_OK) {
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "model download unavailable: %s", err.message);
        d->downloader = NULL;
    }
    return d->downloader;
}

bool nn_downloads_tick(nn_obj_downloads *d)
{
    if (!d || !d->downloader)
        return false;
    nn_downloader_poll(d->downloader);
    /* A result not yet delivered counts as busy, so asking after the poll misses none. */
    return nn_downloader_busy(d->downloader);
}

static void downloads_usage(nn_obj_downloads *d, const char *usage, int argc, const nn_atom *argv)
{
    char given[NN_OBJ_TEXT];
    nn_atoms_text(argc, argv, given, sizeof given);
    nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "%s, got %s", usage, given);
}

static void downloads_api(nn_obj_downloads *d, int argc, const nn_atom *argv)
{
    if (argc != 1 || argv[0].type != NN_ATOM_SYMBOL || !argv[0].s[0]) {
        downloads_usage(d, "api needs the URL of the model API", argc, argv);
        return;
    }
    char *url = malloc(strlen(argv[0].s) + 1);
    if (!url)
        return;
    strcpy(url, argv[0].s);
    free(d->api_url);
    d->api_url = url;
    nn_error err;
    nn_error_clear(&err);
    if (d->downloader && nn_downloader_set_api_url(d->downloader, url, &err) != NN_OK)
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "api: %s", err.message);
}

void nn_downloads_list(nn_obj_downloads *d)
{
    nn_downloader *downloader = downloads_get(d);
    if (!downloader)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_list_start(downloader, &err) != NN_OK)
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "model list: %s", err.message);
    d->host->poll_later(d->owner, 0);
}

static void downloads_download(nn_obj_downloads *d, int argc, const nn_atom *argv)
{
    if (argc < 1 || argc > 2 || argv[0].type != NN_ATOM_SYMBOL || (argc == 2 && argv[1].type != NN_ATOM_SYMBOL)) {
        downloads_usage(d, "download needs a model card (source/model/name) and optionally a file name", argc, argv);
        return;
    }
    nn_downloader *downloader = downloads_get(d);
    if (!downloader)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_start(downloader, argv[0].s, argc == 2 ? argv[1].s : NULL, &err) != NN_OK)
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "download: %s", err.message);
    d->host->poll_later(d->owner, 0);
}

static void downloads_remove(nn_obj_downloads *d, const char *selector, int argc, const nn_atom *argv)
{
    if (argc != 1 || argv[0].type != NN_ATOM_SYMBOL) {
        char usage[NN_OBJ_TEXT];
        snprintf(usage, sizeof usage, "%s needs one model name or card", selector);
        downloads_usage(d, usage, argc, argv);
        return;
    }
    nn_downloader *downloader = downloads_get(d);
    if (!downloader)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_remove(downloader, argv[0].s, &err) != NN_OK)
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_ERROR, "%s: %s", selector, err.message);
    else
        nn_obj_print(d->host, d->owner, d->name, NN_CONSOLE_POST, "model %s deleted", argv[0].s);
}

bool nn_downloads_message(nn_obj_downloads *d, const char *selector, int argc, const nn_atom *argv)
{
    if (!strcmp(selector, "api"))
        downloads_api(d, argc, argv);
    else if (!strcmp(selector, "download"))
        downloads_download(d, argc, argv);
    else if (!strcmp(selector, "remove") || !strcmp(selector, "delete"))
        downloads_remove(d, selector, argc, argv);
    else
        return false;
    return true;
}
