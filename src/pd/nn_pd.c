/* nn~ in C — helpers shared by the Pure Data objects [nn~] and [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * Model lookup through Pd's own search path before the core's models folder, the messages
 * that describe a model, and the model downloads, so that [nn~ ...] and [nn.info] speak the
 * same vocabulary and behave alike. Everything here runs on Pd's main thread.
 */
#include "nn_pd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nn_status nn_pd_locate(const t_canvas *canvas, const char *name, char *out, size_t size, nn_error *err)
{
    char file[MAXPDSTRING];
    size_t len = strlen(name);
    if (len == 0)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "empty model name");
    bool has_suffix = len >= 3 && strcmp(name + len - 3, ".ts") == 0;
    if (snprintf(file, sizeof file, "%s%s", name, has_suffix ? "" : ".ts") >= (int)sizeof file)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "model name '%s' is too long", name);

    if (!sys_isabsolutepath(file)) {
        char dir[MAXPDSTRING];
        char *base = NULL;
        int fd = canvas ? canvas_open(canvas, file, "", dir, &base, MAXPDSTRING, 1)
                        : open_via_path(".", file, "", dir, &base, MAXPDSTRING, 1);
        if (fd >= 0) {
            sys_close(fd);
            char joined[MAXPDSTRING * 2];
            snprintf(joined, sizeof joined, "%s/%s", dir, base);
            if (strlen(joined) >= size)
                return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "path of model '%s' is too long", name);
            sys_unbashfilename(joined, out);
            return NN_OK;
        }
    }
    const char *dirs[1];
    int n_dirs = 0;
    if (canvas)
        dirs[n_dirs++] = canvas_getdir(canvas)->s_name;
    return nn_model_locate(file, dirs, n_dirs, out, size, err);
}

static void output_symbols(t_outlet *outlet, const char *selector, const char *first, const char *const *names,
                           int count)
{
    int n = count + (first ? 1 : 0);
    t_atom *atoms = getbytes(sizeof(t_atom) * (size_t)(n > 0 ? n : 1));
    /* SETSYMBOL evaluates its atom argument twice: no side effects in it. */
    int k = 0;
    if (first) {
        SETSYMBOL(&atoms[k], gensym(first));
        k++;
    }
    for (int i = 0; i < count; i++, k++)
        SETSYMBOL(&atoms[k], gensym(names[i] ? names[i] : ""));
    outlet_anything(outlet, gensym(selector), n, atoms);
    freebytes(atoms, sizeof(t_atom) * (size_t)(n > 0 ? n : 1));
}

static void output_model_names(t_outlet *outlet, const char *selector, const nn_model *model, bool attributes)
{
    int count = attributes ? nn_model_attribute_count(model) : nn_model_method_count(model);
    const char **names = getbytes(sizeof(char *) * (size_t)(count > 0 ? count : 1));
    for (int i = 0; i < count; i++)
        names[i] = attributes ? nn_model_attribute(model, i)->name : nn_model_method(model, i)->name;
    output_symbols(outlet, selector, NULL, names, count);
    freebytes(names, sizeof(char *) * (size_t)(count > 0 ? count : 1));
}

void nn_pd_output_methods(t_outlet *outlet, const nn_model *model)
{
    output_model_names(outlet, "methods", model, false);
}

void nn_pd_output_attributes(t_outlet *outlet, const nn_model *model)
{
    output_model_names(outlet, "attributes", model, true);
}

void nn_pd_output_method_params(t_outlet *outlet, const nn_model *model, int index)
{
    const nn_method_info *m = nn_model_method(model, index);
    if (!m)
        return;
    t_atom atoms[5];
    SETSYMBOL(&atoms[0], gensym(m->name));
    SETFLOAT(&atoms[1], (t_float)m->in_channels);
    SETFLOAT(&atoms[2], (t_float)m->in_ratio);
    SETFLOAT(&atoms[3], (t_float)m->out_channels);
    SETFLOAT(&atoms[4], (t_float)m->out_ratio);
    outlet_anything(outlet, gensym("params"), 5, atoms);
    output_symbols(outlet, "input_labels", m->name, (const char *const *)m->input_labels,
                   m->input_labels ? m->in_channels : 0);
    output_symbols(outlet, "output_labels", m->name, (const char *const *)m->output_labels,
                   m->output_labels ? m->out_channels : 0);
}

void nn_pd_output_attribute_types(t_outlet *outlet, const nn_model *model, int index)
{
    const nn_attribute_info *a = nn_model_attribute(model, index);
    if (!a)
        return;
    const char **names = getbytes(sizeof(char *) * (size_t)(a->count > 0 ? a->count : 1));
    for (int i = 0; i < a->count; i++)
        names[i] = nn_type_name(a->types[i]);
    output_symbols(outlet, "types", a->name, names, a->count);
    freebytes(names, sizeof(char *) * (size_t)(a->count > 0 ? a->count : 1));
}

void nn_pd_output_value(t_outlet *outlet, const char *attribute, const nn_value_list *values)
{
    int n = 1 + (values ? values->count : 0);
    t_atom *atoms = getbytes(sizeof(t_atom) * (size_t)n);
    SETSYMBOL(&atoms[0], gensym(attribute));
    for (int i = 1; i < n; i++) {
        const nn_value *v = &values->values[i - 1];
        switch (v->type) {
        case NN_TYPE_BOOL: SETFLOAT(&atoms[i], v->b ? 1 : 0); break;
        case NN_TYPE_INT: SETFLOAT(&atoms[i], (t_float)v->i); break;
        case NN_TYPE_FLOAT: SETFLOAT(&atoms[i], (t_float)v->f); break;
        case NN_TYPE_STRING:
        case NN_TYPE_TENSOR:
        case NN_TYPE_BUFFER: {
            char text[MAXPDSTRING];
            nn_value_format(v, text, sizeof text);
            /* Tensor reprs carry newlines; a Pd symbol with one would break the console. */
            for (char *c = text; *c; c++)
                if (*c == '\n' || *c == '\r')
                    *c = ' ';
            SETSYMBOL(&atoms[i], gensym(text));
            break;
        }
        }
    }
    outlet_anything(outlet, gensym("value"), n, atoms);
    freebytes(atoms, sizeof(t_atom) * (size_t)n);
}

void nn_pd_types_text(const nn_attribute_info *info, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < info->count && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", nn_type_name(info->types[i]));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void nn_pd_atoms_text(int argc, const t_atom *argv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (argc == 0)
        snprintf(buf, size, "nothing");
    for (int i = 0; i < argc && used + 2 < size; i++) {
        char one[MAXPDSTRING];
        atom_string(&argv[i], one, sizeof one);
        int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", one);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

t_symbol *nn_pd_one_symbol(void *owner, const char *prefix, const char *usage, int argc, const t_atom *argv)
{
    if (argc == 1 && argv[0].a_type == A_SYMBOL)
        return argv[0].a_w.w_symbol;
    char given[MAXPDSTRING];
    nn_pd_atoms_text(argc, argv, given, sizeof given);
    pd_error(owner, "%s: %s, got %s", prefix, usage, given);
    return NULL;
}

/* ---- model downloads ------------------------------------------------------------------- */

/* Each Pd object is its own module with its own copy of this list. */
static nn_pd_downloads *nn_pd_downloads_live;

static void nn_pd_downloads_at_exit(void)
{
    for (nn_pd_downloads *d = nn_pd_downloads_live; d; d = d->next_live) {
        nn_downloader_free(d->downloader);
        d->downloader = NULL;
    }
    nn_pd_downloads_live = NULL;
}

static void nn_pd_downloads_on_event(void *user, const nn_download_event *event)
{
    nn_pd_downloads *d = user;
    const char *card = event->card ? event->card : "";
    switch (event->kind) {
    case NN_DOWNLOAD_STARTED: post("%s: downloading model %s...", d->prefix, card); break;
    case NN_DOWNLOAD_PROGRESS: break;
    case NN_DOWNLOAD_DONE: {
        const char *path = event->path ? event->path : "";
        post("%s: model %s downloaded to %s", d->prefix, card, path);
        t_atom a[2];
        SETSYMBOL(&a[0], gensym(card));
        SETSYMBOL(&a[1], gensym(path));
        outlet_anything(d->outlet, gensym("downloaded"), 2, a);
        break;
    }
    case NN_DOWNLOAD_FAILED: {
        const char *why = event->message ? event->message : nn_strerror(event->status);
        if (!event->card)
            pd_error(d->owner, "%s: could not fetch the list of models: %s", d->prefix, why);
        else
            pd_error(d->owner, "%s: download of %s failed: %s", d->prefix, event->card, why);
        break;
    }
    case NN_DOWNLOAD_LIST: d->on_list(d->owner, event->cards); break;
    }
}

static void nn_pd_downloads_tick(nn_pd_downloads *d)
{
    if (!d->downloader)
        return;
    nn_downloader_poll(d->downloader);
    /* A result not yet delivered counts as busy, so asking after the poll misses none. */
    if (nn_downloader_busy(d->downloader))
        clock_delay(d->clock, d->poll_ms);
}

void nn_pd_downloads_init(nn_pd_downloads *d, void *owner, const char *prefix, t_outlet *outlet, nn_pd_cards_fn on_list,
                          bool show_given, double poll_ms)
{
    static bool exit_registered;
    d->owner = owner;
    d->prefix = prefix;
    d->outlet = outlet;
    d->on_list = on_list;
    d->show_given = show_given;
    d->poll_ms = poll_ms;
    d->clock = clock_new(d, (t_method)nn_pd_downloads_tick);
    d->downloader = NULL;
    d->api_url = NULL;
    d->next_live = nn_pd_downloads_live;
    nn_pd_downloads_live = d;
    if (!exit_registered && atexit(nn_pd_downloads_at_exit) == 0)
        exit_registered = true;
}

void nn_pd_downloads_free(nn_pd_downloads *d)
{
    for (nn_pd_downloads **p = &nn_pd_downloads_live; *p; p = &(*p)->next_live)
        if (*p == d) {
            *p = d->next_live;
            break;
        }
    nn_downloader_free(d->downloader);
    d->downloader = NULL;
    clock_free(d->clock);
}

static nn_downloader *nn_pd_downloads_get(nn_pd_downloads *d)
{
    if (d->downloader)
        return d->downloader;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_new(d->api_url ? d->api_url->s_name : NULL, NULL, nn_pd_downloads_on_event, d, &d->downloader,
                          &err) != NN_OK) {
        pd_error(d->owner, "%s: model download unavailable: %s", d->prefix, err.message);
        d->downloader = NULL;
    }
    return d->downloader;
}

/* A usage error, with the atoms given when this object prints them. */
static void nn_pd_downloads_usage(nn_pd_downloads *d, const char *usage, int argc, const t_atom *argv)
{
    char given[MAXPDSTRING];
    nn_pd_atoms_text(argc, argv, given, sizeof given);
    pd_error(d->owner, "%s: %s%s%s", d->prefix, usage, d->show_given ? ", got " : "", d->show_given ? given : "");
}

void nn_pd_downloads_api(nn_pd_downloads *d, t_symbol *url)
{
    if (!*url->s_name) {
        pd_error(d->owner, "%s: api needs the URL of the model API", d->prefix);
        return;
    }
    d->api_url = url;
    nn_error err;
    nn_error_clear(&err);
    if (d->downloader && nn_downloader_set_api_url(d->downloader, url->s_name, &err) != NN_OK)
        pd_error(d->owner, "%s: api: %s", d->prefix, err.message);
}

/* The request runs in the downloader's thread (Pd's main thread also runs audio). */
void nn_pd_downloads_list(nn_pd_downloads *d)
{
    nn_downloader *downloader = nn_pd_downloads_get(d);
    if (!downloader)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_list_start(downloader, &err) != NN_OK)
        pd_error(d->owner, "%s: could not fetch the list of models: %s", d->prefix, err.message);
    clock_delay(d->clock, 0);
}

void nn_pd_downloads_download(nn_pd_downloads *d, int argc, t_atom *argv)
{
    if (argc < 1 || argc > 2 || argv[0].a_type != A_SYMBOL || (argc == 2 && argv[1].a_type != A_SYMBOL)) {
        nn_pd_downloads_usage(d, "download needs a model card (source/model/name) and optionally a file name", argc,
                              argv);
        return;
    }
    nn_downloader *downloader = nn_pd_downloads_get(d);
    if (!downloader)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_start(downloader, argv[0].a_w.w_symbol->s_name, argc == 2 ? argv[1].a_w.w_symbol->s_name : NULL,
                            &err) != NN_OK)
        pd_error(d->owner, "%s: download: %s", d->prefix, err.message);
    clock_delay(d->clock, 0);
}

void nn_pd_downloads_remove(nn_pd_downloads *d, t_symbol *s, int argc, t_atom *argv)
{
    if (argc != 1 || argv[0].a_type != A_SYMBOL) {
        char usage[MAXPDSTRING];
        snprintf(usage, sizeof usage, "%s needs one model name or card", s->s_name);
        nn_pd_downloads_usage(d, usage, argc, argv);
        return;
    }
    nn_downloader *downloader = nn_pd_downloads_get(d);
    if (!downloader)
        return;
    const char *name = argv[0].a_w.w_symbol->s_name;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_remove(downloader, name, &err) != NN_OK)
        pd_error(d->owner, "%s: %s: %s", d->prefix, s->s_name, err.message);
    else
        post("%s: model %s deleted", d->prefix, name);
}
