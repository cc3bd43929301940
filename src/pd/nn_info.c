/* nn~ in C — the Pure Data object [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * [nn.info <model>] inspects a model file without running it on audio: its path, methods
 * with their parameters and labels, attributes with their types and current values, buffer
 * attributes and sample rate, as Pd messages on the left outlet; the models that can be
 * downloaded from the model API go out of the right outlet. The model is loaded on the main
 * thread (inspection is not real-time work); downloads run in the core's downloader thread
 * and report back through a clock.
 */
#include "m_pd.h"
#include "nn/nn.h"
#include "nn_pd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define NN_PD_EXPORT __attribute__((visibility("default")))
#else
#define NN_PD_EXPORT
#endif

#define NN_INFO_POLL_MS 20.0

static t_class *nn_info_class;
static struct nn_info *nn_info_live;

typedef struct nn_info {
    t_object obj;
    t_canvas *canvas;
    t_outlet *out;
    t_outlet *models_out;
    t_clock *poll_clock;
    nn_model *model;
    nn_downloader *downloader;
    t_symbol *api_url;
    struct nn_info *next_live; /* list of live objects, for nn_info_at_exit */
} t_nn_info;

static bool nn_info_need_model(t_nn_info *x, const char *what)
{
    if (x->model)
        return true;
    pd_error(x, "nn.info: %s: no model loaded (send 'set <model>')", what);
    return false;
}

static void nn_info_output_value(t_nn_info *x, int index)
{
    nn_value_list values = {0, NULL};
    nn_error err;
    nn_error_clear(&err);
    const nn_attribute_info *a = nn_model_attribute(x->model, index);
    if (nn_model_attribute_get(x->model, index, &values, &err) != NN_OK)
        pd_error(x, "nn.info: value of %s: %s", a->name, err.message);
    else
        nn_pd_output_value(x->out, a->name, &values);
    nn_value_list_clear(&values);
}

static void nn_info_path(t_nn_info *x)
{
    t_atom a;
    SETSYMBOL(&a, gensym(x->model ? nn_model_path(x->model) : "none"));
    outlet_anything(x->out, gensym("path"), 1, &a);
}

static void nn_info_methods(t_nn_info *x)
{
    if (nn_info_need_model(x, "methods"))
        nn_pd_output_methods(x->out, x->model);
}

static void nn_info_attributes(t_nn_info *x)
{
    if (nn_info_need_model(x, "attributes"))
        nn_pd_output_attributes(x->out, x->model);
}

static void nn_info_parameters(t_nn_info *x, t_symbol *name)
{
    if (!nn_info_need_model(x, "parameters"))
        return;
    int m = nn_model_method_find(x->model, name->s_name);
    int a = nn_model_attribute_find(x->model, name->s_name);
    if (m < 0 && a < 0) {
        pd_error(x, "nn.info: parameters: '%s' is neither a method nor an attribute of %s", name->s_name,
                 nn_model_path(x->model));
        return;
    }
    if (m >= 0)
        nn_pd_output_method_params(x->out, x->model, m);
    if (a >= 0) {
        nn_pd_output_attribute_types(x->out, x->model, a);
        nn_info_output_value(x, a);
    }
}

static void nn_info_bang(t_nn_info *x)
{
    nn_info_path(x);
    if (!x->model)
        return;
    nn_pd_output_methods(x->out, x->model);
    for (int i = 0; i < nn_model_method_count(x->model); i++)
        nn_pd_output_method_params(x->out, x->model, i);
    nn_pd_output_attributes(x->out, x->model);
    for (int i = 0; i < nn_model_attribute_count(x->model); i++) {
        nn_pd_output_attribute_types(x->out, x->model, i);
        nn_info_output_value(x, i);
    }
    int n_buffers = nn_model_buffer_count(x->model);
    t_atom *atoms = getbytes(sizeof(t_atom) * (size_t)(n_buffers > 0 ? n_buffers : 1));
    for (int i = 0; i < n_buffers; i++)
        SETSYMBOL(&atoms[i], gensym(nn_model_buffer_name(x->model, i)));
    outlet_anything(x->out, gensym("buffers"), n_buffers, atoms);
    freebytes(atoms, sizeof(t_atom) * (size_t)(n_buffers > 0 ? n_buffers : 1));
    t_atom sr;
    SETFLOAT(&sr, (t_float)nn_model_sample_rate(x->model));
    outlet_anything(x->out, gensym("samplerate"), 1, &sr);
}

static void nn_info_set(t_nn_info *x, t_symbol *s, int argc, t_atom *argv)
{
    if (argc != 1 || argv[0].a_type != A_SYMBOL) {
        pd_error(x, "nn.info: %s needs one model name or path", s->s_name);
        return;
    }
    const char *name = argv[0].a_w.w_symbol->s_name;
    char path[MAXPDSTRING];
    nn_error err;
    nn_error_clear(&err);
    if (nn_pd_locate(x->canvas, name, path, sizeof path, &err) != NN_OK) {
        pd_error(x, "nn.info: could not find model '%s': %s", name, err.message);
        return;
    }
    nn_model_config config = nn_model_config_default();
    config.sample_rate = (int)sys_getsr();
    nn_model *model = NULL;
    if (nn_model_load(path, &config, &model, &err) != NN_OK) {
        pd_error(x, "nn.info: could not load model '%s': %s", name, err.message);
        return;
    }
    nn_model_free(x->model);
    x->model = model;
}

/* ---- downloadable models ---------------------------------------------------------------- */

static void nn_info_on_download(void *user, const nn_download_event *event)
{
    t_nn_info *x = user;
    switch (event->kind) {
    case NN_DOWNLOAD_STARTED: post("nn.info: downloading model %s...", event->card ? event->card : ""); break;
    case NN_DOWNLOAD_PROGRESS: break;
    case NN_DOWNLOAD_DONE: {
        post("nn.info: model %s downloaded to %s", event->card ? event->card : "", event->path ? event->path : "");
        t_atom a[2];
        SETSYMBOL(&a[0], gensym(event->card ? event->card : ""));
        SETSYMBOL(&a[1], gensym(event->path ? event->path : ""));
        outlet_anything(x->models_out, gensym("downloaded"), 2, a);
        break;
    }
    case NN_DOWNLOAD_FAILED:
        if (!event->card)
            pd_error(x, "nn.info: could not fetch the list of models: %s",
                     event->message ? event->message : nn_strerror(event->status));
        else
            pd_error(x, "nn.info: download of %s failed: %s", event->card,
                     event->message ? event->message : nn_strerror(event->status));
        break;
    case NN_DOWNLOAD_LIST: {
        for (int i = 0; i < event->cards->count; i++) {
            t_atom a;
            SETSYMBOL(&a, gensym(event->cards->cards[i]));
            outlet_anything(x->models_out, gensym("model"), 1, &a);
        }
        t_atom count;
        SETFLOAT(&count, (t_float)event->cards->count);
        outlet_anything(x->models_out, gensym("count"), 1, &count);
        break;
    }
    }
}

static void nn_info_tick(t_nn_info *x)
{
    if (!x->downloader)
        return;
    nn_downloader_poll(x->downloader);
    /* A result not yet delivered counts as busy, so asking after the poll misses none. */
    if (nn_downloader_busy(x->downloader))
        clock_delay(x->poll_clock, NN_INFO_POLL_MS);
}

static nn_downloader *nn_info_downloader(t_nn_info *x)
{
    if (x->downloader)
        return x->downloader;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_new(x->api_url ? x->api_url->s_name : NULL, NULL, nn_info_on_download, x, &x->downloader,
                          &err) != NN_OK) {
        pd_error(x, "nn.info: model download unavailable: %s", err.message);
        x->downloader = NULL;
    }
    return x->downloader;
}

static void nn_info_api(t_nn_info *x, t_symbol *url)
{
    if (!*url->s_name) {
        pd_error(x, "nn.info: api needs the URL of the model API");
        return;
    }
    x->api_url = url;
    nn_error err;
    nn_error_clear(&err);
    if (x->downloader && nn_downloader_set_api_url(x->downloader, url->s_name, &err) != NN_OK)
        pd_error(x, "nn.info: api: %s", err.message);
}

/* The request runs in the downloader's thread (Pd's main thread also runs audio); the poll
 * clock sends the cards out when they arrive (nn_info_on_download). */
static void nn_info_models(t_nn_info *x)
{
    nn_downloader *d = nn_info_downloader(x);
    if (!d)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_list_start(d, &err) != NN_OK)
        pd_error(x, "nn.info: could not fetch the list of models: %s", err.message);
    clock_delay(x->poll_clock, 0);
}

static void nn_info_download(t_nn_info *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    if (argc < 1 || argc > 2 || argv[0].a_type != A_SYMBOL || (argc == 2 && argv[1].a_type != A_SYMBOL)) {
        pd_error(x, "nn.info: download needs a model card (source/model/name) and optionally a file name");
        return;
    }
    nn_downloader *d = nn_info_downloader(x);
    if (!d)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_start(d, argv[0].a_w.w_symbol->s_name, argc == 2 ? argv[1].a_w.w_symbol->s_name : NULL,
                            &err) != NN_OK)
        pd_error(x, "nn.info: download: %s", err.message);
    clock_delay(x->poll_clock, 0);
}

static void nn_info_remove(t_nn_info *x, t_symbol *s, int argc, t_atom *argv)
{
    if (argc != 1 || argv[0].a_type != A_SYMBOL) {
        pd_error(x, "nn.info: %s needs one model name or card", s->s_name);
        return;
    }
    nn_downloader *d = nn_info_downloader(x);
    if (!d)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_downloader_remove(d, argv[0].a_w.w_symbol->s_name, &err) != NN_OK)
        pd_error(x, "nn.info: %s: %s", s->s_name, err.message);
    else
        post("nn.info: model %s deleted", argv[0].a_w.w_symbol->s_name);
}

/* ---- creation ----------------------------------------------------------------------------- */

static void *nn_info_new(t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_nn_info *x = (t_nn_info *)pd_new(nn_info_class);
    x->canvas = canvas_getcurrent();
    x->out = outlet_new(&x->obj, NULL);
    x->models_out = outlet_new(&x->obj, NULL);
    x->poll_clock = clock_new(x, (t_method)nn_info_tick);
    if (argc >= 1)
        nn_info_set(x, gensym("set"), 1, argv);
    if (argc > 1)
        pd_error(x, "nn.info: takes one argument (a model name or path); extra arguments ignored");
    x->next_live = nn_info_live;
    nn_info_live = x;
    return x;
}

/* `pd quit` exits without freeing objects: stop download threads first. */
static void nn_info_at_exit(void)
{
    for (t_nn_info *x = nn_info_live; x; x = x->next_live) {
        nn_downloader_free(x->downloader);
        x->downloader = NULL;
    }
    nn_info_live = NULL;
}

static void nn_info_free(t_nn_info *x)
{
    for (t_nn_info **p = &nn_info_live; *p; p = &(*p)->next_live)
        if (*p == x) {
            *p = x->next_live;
            break;
        }
    nn_downloader_free(x->downloader);
    nn_model_free(x->model);
    clock_free(x->poll_clock);
}

/* Pd derives the setup name of a class whose name holds a '.' by hex-encoding it. */
NN_PD_EXPORT void setup_nn0x2einfo(void)
{
    nn_info_class = class_new(gensym("nn.info"), (t_newmethod)(t_method)nn_info_new, (t_method)nn_info_free,
                              sizeof(t_nn_info), CLASS_DEFAULT, A_GIMME, 0);
    atexit(nn_info_at_exit);
    class_addbang(nn_info_class, nn_info_bang);
    class_addmethod(nn_info_class, (t_method)nn_info_bang, gensym("dump"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_set, gensym("set"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_set, gensym("load"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_path, gensym("path"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_methods, gensym("methods"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_attributes, gensym("attributes"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_parameters, gensym("parameters"), A_SYMBOL, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_models, gensym("models"), 0);
    class_addmethod(nn_info_class, (t_method)nn_info_api, gensym("api"), A_DEFSYM, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_download, gensym("download"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_remove, gensym("remove"), A_GIMME, 0);
    class_addmethod(nn_info_class, (t_method)nn_info_remove, gensym("delete"), A_GIMME, 0);
}
