/* nn~ in C — what an nn.info object means, for every host.
 * SPDX-License-Identifier: MIT
 *
 * [nn.info <model>] inspects a model file without running it on audio: its path, methods
 * with their parameters and labels, attributes with their types and current values, buffer
 * attributes and sample rate (NN_INFO_OUT_MODEL); and the models that can be downloaded
 * from the model API (NN_INFO_OUT_MODELS). The model is loaded on the main thread:
 * inspection is not real-time work.
 */
#include "obj_internal.h"

#include <stdlib.h>
#include <string.h>

const char *const nn_info_messages[] = {"bang",       "dump",   "set", "load",     "path",   "methods", "attributes",
                                        "parameters", "models", "api", "download", "remove", "delete",  NULL};

static void info_error(nn_info *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void info_error(nn_info *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nn_obj_vprint(x->host, x->owner, x->name, NN_CONSOLE_ERROR, fmt, ap);
    va_end(ap);
}

static int info_out(const nn_info *x)
{
    return x->outlets[NN_INFO_OUT_MODEL];
}

static bool info_need_model(nn_info *x, const char *what)
{
    if (x->model)
        return true;
    info_error(x, "%s: no model loaded (send 'set <model>')", what);
    return false;
}

static void info_value(nn_info *x, int index)
{
    nn_value_list values = {0, NULL};
    nn_error err;
    nn_error_clear(&err);
    const nn_attribute_info *a = nn_model_attribute(x->model, index);
    if (nn_model_attribute_get(x->model, index, &values, &err) != NN_OK)
        info_error(x, "value of %s: %s", a->name, err.message);
    else
        nn_report_value(x->host, x->owner, info_out(x), a->name, &values);
    nn_value_list_clear(&values);
}

static void info_path(nn_info *x)
{
    nn_atom a = nn_atom_symbol(x->model ? nn_model_path(x->model) : "none");
    x->host->output(x->owner, info_out(x), "path", 1, &a);
}

static void info_parameters(nn_info *x, int argc, const nn_atom *argv)
{
    if (argc != 1 || argv[0].type != NN_ATOM_SYMBOL) {
        char given[NN_OBJ_TEXT];
        nn_atoms_text(argc, argv, given, sizeof given);
        info_error(x, "parameters needs one method or attribute name, got %s", given);
        return;
    }
    if (!info_need_model(x, "parameters"))
        return;
    const char *name = argv[0].s;
    int m = nn_model_method_find(x->model, name);
    int a = nn_model_attribute_find(x->model, name);
    if (m < 0 && a < 0) {
        info_error(x, "parameters: '%s' is neither a method nor an attribute of %s", name, nn_model_path(x->model));
        return;
    }
    if (m >= 0)
        nn_report_method_params(x->host, x->owner, info_out(x), x->model, m);
    if (a >= 0) {
        nn_report_attribute_types(x->host, x->owner, info_out(x), x->model, a);
        info_value(x, a);
    }
}

static void info_bang(nn_info *x)
{
    info_path(x);
    if (!x->model)
        return;
    int out = info_out(x);
    nn_report_methods(x->host, x->owner, out, x->model);
    for (int i = 0; i < nn_model_method_count(x->model); i++)
        nn_report_method_params(x->host, x->owner, out, x->model, i);
    nn_report_attributes(x->host, x->owner, out, x->model);
    for (int i = 0; i < nn_model_attribute_count(x->model); i++) {
        nn_report_attribute_types(x->host, x->owner, out, x->model, i);
        info_value(x, i);
    }
    int n_buffers = nn_model_buffer_count(x->model);
    nn_atom *atoms = calloc((size_t)(n_buffers > 0 ? n_buffers : 1), sizeof *atoms);
    if (atoms) {
        for (int i = 0; i < n_buffers; i++)
            atoms[i] = nn_atom_symbol(nn_model_buffer_name(x->model, i));
        x->host->output(x->owner, out, "buffers", n_buffers, atoms);
        free(atoms);
    }
    nn_atom sr = nn_atom_int(nn_model_sample_rate(x->model));
    x->host->output(x->owner, out, "samplerate", 1, &sr);
}

static void info_set(nn_info *x, const char *selector, int argc, const nn_atom *argv)
{
    if (argc != 1 || argv[0].type != NN_ATOM_SYMBOL) {
        char given[NN_OBJ_TEXT];
        nn_atoms_text(argc, argv, given, sizeof given);
        info_error(x, "%s needs one model name or path, got %s", selector, given);
        return;
    }
    const char *name = argv[0].s;
    char path[NN_OBJ_TEXT];
    nn_error err;
    nn_error_clear(&err);
    if (nn_obj_locate(x->host, x->owner, name, path, sizeof path, &err) != NN_OK) {
        info_error(x, "could not find model '%s': %s", name, err.message);
        return;
    }
    nn_model_config config = nn_model_config_default();
    config.sample_rate = (int)x->host->sample_rate(x->owner);
    nn_model *model = NULL;
    if (nn_model_load(path, &config, &model, &err) != NN_OK) {
        info_error(x, "could not load model '%s': %s", name, err.message);
        return;
    }
    nn_model_free(x->model);
    x->model = model;
}

static void info_on_list(void *object, const nn_card_list *cards)
{
    nn_info *x = object;
    int out = x->outlets[NN_INFO_OUT_MODELS];
    for (int i = 0; i < cards->count; i++) {
        nn_atom a = nn_atom_symbol(cards->cards[i]);
        x->host->output(x->owner, out, "model", 1, &a);
    }
    nn_atom count = nn_atom_int(cards->count);
    x->host->output(x->owner, out, "count", 1, &count);
}

void nn_info_create(nn_info *x, const nn_host *host, void *owner, const char *name, int model_outlet, int models_outlet,
                    int argc, const nn_atom *argv)
{
    x->host = host;
    x->owner = owner;
    x->name = name;
    x->outlets[NN_INFO_OUT_MODEL] = model_outlet;
    x->outlets[NN_INFO_OUT_MODELS] = models_outlet;
    x->downloads = nn_downloads_new(host, owner, name, models_outlet, info_on_list, x);
    if (argc >= 1)
        info_set(x, "set", 1, argv);
    if (argc > 1)
        info_error(x, "takes one argument (a model name or path); extra arguments ignored");
}

void nn_info_destroy(nn_info *x)
{
    nn_downloads_free(x->downloads);
    x->downloads = NULL;
    nn_model_free(x->model);
    x->model = NULL;
}

void nn_info_tick(nn_info *x)
{
    if (nn_downloads_tick(x->downloads))
        x->host->poll_later(x->owner, 20.0);
}

void nn_info_message(nn_info *x, const char *selector, int argc, const nn_atom *argv)
{
    if (!strcmp(selector, "bang") || !strcmp(selector, "dump"))
        info_bang(x);
    else if (!strcmp(selector, "set") || !strcmp(selector, "load"))
        info_set(x, selector, argc, argv);
    else if (!strcmp(selector, "path"))
        info_path(x);
    else if (!strcmp(selector, "methods")) {
        if (info_need_model(x, "methods"))
            nn_report_methods(x->host, x->owner, info_out(x), x->model);
    } else if (!strcmp(selector, "attributes")) {
        if (info_need_model(x, "attributes"))
            nn_report_attributes(x->host, x->owner, info_out(x), x->model);
    } else if (!strcmp(selector, "parameters"))
        info_parameters(x, argc, argv);
    else if (!strcmp(selector, "models"))
        nn_downloads_list(x->downloads);
    else if (!nn_downloads_message(x->downloads, selector, argc, argv))
        info_error(x, "no method for '%s'", selector);
}
