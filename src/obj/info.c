/* nn~ in C — what an nn.info object means, for every host.
 * SPDX-License-Identifier: MIT
 *
 * [nn.info <model>] inspects a model file without running it on audio: its path, methods
 * with their parameters and labels, attributes with their types and current values, buffer
 * attributes and sample rate; and the models that can be downloaded from the model API.
 * The model is loaded on the main thread: inspection is not real-time work.
 *
 * Two wordings of the same facts: Pd's (one outlet of messages like `methods m1 m2` and
 * `params m 1 1 2 1`, and the downloadable models on the right), and the Max object's of
 * nn~ v1.6 (six outlets: the path, `method m` per method, `attribute a` per attribute,
 * `m channels_in 1`-style parameters, the model as a dictionary, the downloadable models as
 * a dictionary), without its bugs (the parameters report what the model declares).
 */
#include "obj_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nn_info_messages[] = {"bang",      "dump",       "set",        "load",   "path",
                                        "methods",   "attributes", "parameters", "models", "get_available_models",
                                        "dump_dict", "api",        "download",   "remove", "delete",
                                        NULL};

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

static void info_output(nn_info *x, nn_info_output what, const char *selector, int argc, const nn_atom *argv)
{
    x->host->output(x->owner, x->outlets[what], selector, argc, argv);
}

static bool info_need_model(nn_info *x, const char *what)
{
    if (x->model)
        return true;
    info_error(x, "%s: no model loaded (send 'set <model>')", what);
    return false;
}

static bool info_max(const nn_info *x)
{
    return x->style == NN_INFO_STYLE_MAX;
}

/* ---- the model's facts, in the host's wording ------------------------------------------------ */

static void info_path(nn_info *x)
{
    nn_atom a = nn_atom_symbol(x->model ? nn_model_path(x->model) : "none");
    info_output(x, NN_INFO_OUT_PATH, info_max(x) ? "symbol" : "path", 1, &a);
}

static void info_names(nn_info *x, bool attributes)
{
    if (!info_need_model(x, attributes ? "attributes" : "methods"))
        return;
    nn_info_output out = attributes ? NN_INFO_OUT_ATTRIBUTES : NN_INFO_OUT_METHODS;
    if (!info_max(x)) {
        if (attributes)
            nn_report_attributes(x->host, x->owner, x->outlets[out], x->model);
        else
            nn_report_methods(x->host, x->owner, x->outlets[out], x->model);
        return;
    }
    int count = attributes ? nn_model_attribute_count(x->model) : nn_model_method_count(x->model);
    for (int i = 0; i < count; i++) {
        nn_atom a =
            nn_atom_symbol(attributes ? nn_model_attribute(x->model, i)->name : nn_model_method(x->model, i)->name);
        info_output(x, out, attributes ? "attribute" : "method", 1, &a);
    }
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
        nn_report_value(x->host, x->owner, x->outlets[NN_INFO_OUT_PARAMS], a->name, &values);
    nn_value_list_clear(&values);
}

static void info_method_params(nn_info *x, int index)
{
    if (!info_max(x)) {
        nn_report_method_params(x->host, x->owner, x->outlets[NN_INFO_OUT_PARAMS], x->model, index);
        return;
    }
    const nn_method_info *m = nn_model_method(x->model, index);
    const char *keys[] = {"channels_in", "channels_out", "ratio_in", "ratio_out"};
    int values[] = {m->in_channels, m->out_channels, m->in_ratio, m->out_ratio};
    for (int k = 0; k < 4; k++) {
        nn_atom a[2] = {nn_atom_symbol(keys[k]), nn_atom_int(values[k])};
        info_output(x, NN_INFO_OUT_PARAMS, m->name, 2, a);
    }
}

static void info_attribute_params(nn_info *x, int index)
{
    if (!info_max(x)) {
        nn_report_attribute_types(x->host, x->owner, x->outlets[NN_INFO_OUT_PARAMS], x->model, index);
        info_value(x, index);
        return;
    }
    const nn_attribute_info *a = nn_model_attribute(x->model, index);
    nn_atom *atoms = calloc((size_t)a->count + 1, sizeof *atoms);
    if (!atoms)
        return;
    atoms[0] = nn_atom_symbol("attribute_type");
    for (int i = 0; i < a->count; i++)
        atoms[1 + i] = nn_atom_symbol(nn_type_name(a->types[i]));
    info_output(x, NN_INFO_OUT_PARAMS, a->name, a->count + 1, atoms);
    free(atoms);
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
        info_method_params(x, m);
    if (a >= 0)
        info_attribute_params(x, a);
}

/* The model dictionary: {methods: {m: {channels_in, channels_out, ratio_in, ratio_out,
 * input_labels, output_labels}}, attributes: {a: {attribute_type: [...]}}}. */
static void info_dump_dict(nn_info *x)
{
    if (!x->dicts) {
        info_error(x, "dump_dict: dictionaries are a Max feature; bang lists the same facts");
        return;
    }
    if (!info_need_model(x, "dump_dict"))
        return;
    void *dict = x->dicts->begin(x->owner);
    if (!dict)
        return;
    for (int i = 0; i < nn_model_method_count(x->model); i++) {
        const nn_method_info *m = nn_model_method(x->model, i);
        const char *keys[] = {"channels_in", "channels_out", "ratio_in", "ratio_out"};
        int values[] = {m->in_channels, m->out_channels, m->in_ratio, m->out_ratio};
        for (int k = 0; k < 4; k++) {
            const char *path[] = {"methods", m->name, keys[k]};
            nn_atom v = nn_atom_int(values[k]);
            x->dicts->set(dict, path, 3, 1, &v);
        }
        for (int input = 0; input < 2; input++) {
            const char *const *labels = input ? m->input_labels : m->output_labels;
            int count = input ? m->in_channels : m->out_channels;
            nn_atom *atoms = labels ? calloc((size_t)count + 1, sizeof *atoms) : NULL;
            if (!atoms)
                continue;
            for (int c = 0; c < count; c++)
                atoms[c] = nn_atom_symbol(labels[c] ? labels[c] : "");
            const char *path[] = {"methods", m->name, input ? "input_labels" : "output_labels"};
            x->dicts->set(dict, path, 3, count, atoms);
            free(atoms);
        }
    }
    for (int i = 0; i < nn_model_attribute_count(x->model); i++) {
        const nn_attribute_info *a = nn_model_attribute(x->model, i);
        nn_atom *atoms = calloc((size_t)a->count + 1, sizeof *atoms);
        if (!atoms)
            continue;
        for (int k = 0; k < a->count; k++)
            atoms[k] = nn_atom_symbol(nn_type_name(a->types[k]));
        const char *path[] = {"attributes", a->name, "attribute_type"};
        x->dicts->set(dict, path, 3, a->count, atoms);
        free(atoms);
    }
    x->dicts->end(x->owner, dict, x->dict_name, x->outlets[NN_INFO_OUT_DICT]);
}

static void info_bang(nn_info *x)
{
    if (info_max(x)) {
        /* As nn~ v1.6's Max object: names, every parameter, the dictionary, the catalogue. */
        if (!info_need_model(x, "bang"))
            return;
        info_names(x, false);
        info_names(x, true);
        for (int i = 0; i < nn_model_attribute_count(x->model); i++)
            info_attribute_params(x, i);
        for (int i = 0; i < nn_model_method_count(x->model); i++)
            info_method_params(x, i);
        info_dump_dict(x);
        nn_downloads_list(x->downloads);
        return;
    }
    info_path(x);
    if (!x->model)
        return;
    int out = x->outlets[NN_INFO_OUT_PARAMS];
    info_names(x, false);
    for (int i = 0; i < nn_model_method_count(x->model); i++)
        info_method_params(x, i);
    info_names(x, true);
    for (int i = 0; i < nn_model_attribute_count(x->model); i++)
        info_attribute_params(x, i);
    int n_buffers = nn_model_buffer_count(x->model);
    nn_atom *atoms = calloc((size_t)(n_buffers > 0 ? n_buffers : 1), sizeof *atoms);
    if (atoms) {
        for (int i = 0; i < n_buffers; i++)
            atoms[i] = nn_atom_symbol(nn_model_buffer_name(x->model, i));
        x->host->output(x->owner, out, "buffers", n_buffers, atoms);
        free(atoms);
    }
    /* The rate the file declares, not the host's that set_sample_rate stored since. */
    nn_atom sr = nn_atom_int(nn_model_declared_sample_rate(x->model));
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

/* ---- downloadable models -------------------------------------------------------------------- */

static void info_on_list(void *object, const nn_card_list *cards)
{
    nn_info *x = object;
    if (info_max(x) && x->dicts) {
        /* {source: {model: [name, ...]}}, from the cards source/model/name. */
        void *dict = x->dicts->begin(x->owner);
        if (!dict)
            return;
        for (int i = 0; i < cards->count; i++) {
            char card[NN_OBJ_TEXT];
            snprintf(card, sizeof card, "%s", cards->cards[i]);
            char *model = strchr(card, '/');
            char *name = model ? strchr(model + 1, '/') : NULL;
            if (!name)
                continue;
            *model++ = '\0';
            *name++ = '\0';
            const char *path[] = {card, model, name};
            nn_atom card_atom = nn_atom_symbol(cards->cards[i]);
            x->dicts->set(dict, path, 3, 1, &card_atom);
        }
        x->dicts->end(x->owner, dict, "", x->outlets[NN_INFO_OUT_MODELS]);
        return;
    }
    for (int i = 0; i < cards->count; i++) {
        nn_atom a = nn_atom_symbol(cards->cards[i]);
        info_output(x, NN_INFO_OUT_MODELS, "model", 1, &a);
    }
    nn_atom count = nn_atom_int(cards->count);
    info_output(x, NN_INFO_OUT_MODELS, "count", 1, &count);
}

void nn_info_create(nn_info *x, const nn_host *host, void *owner, const char *name, nn_info_style style,
                    const int outlets[NN_INFO_OUT_COUNT], const nn_dict_sink *dicts, int argc, const nn_atom *argv)
{
    x->host = host;
    x->owner = owner;
    x->name = name;
    x->style = style;
    memcpy(x->outlets, outlets, sizeof x->outlets);
    x->dicts = dicts;
    x->downloads = nn_downloads_new(host, owner, name, outlets[NN_INFO_OUT_MODELS], info_on_list, x);
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
    else if (!strcmp(selector, "methods"))
        info_names(x, false);
    else if (!strcmp(selector, "attributes"))
        info_names(x, true);
    else if (!strcmp(selector, "parameters"))
        info_parameters(x, argc, argv);
    else if (!strcmp(selector, "dump_dict"))
        info_dump_dict(x);
    else if (!strcmp(selector, "models") || !strcmp(selector, "get_available_models"))
        nn_downloads_list(x->downloads);
    else if (!nn_downloads_message(x->downloads, selector, argc, argv))
        info_error(x, "no method for '%s'", selector);
}
