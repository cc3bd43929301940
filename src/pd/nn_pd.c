/* nn~ in C — helpers shared by the Pure Data objects [nn~] and [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * Model lookup through Pd's own search path before the core's models folder, and the
 * messages that describe a model, so that [nn~ ...] `dump` and [nn.info] speak the same
 * vocabulary. Everything here runs on Pd's main thread.
 */
#include "nn_pd.h"

#include <stdio.h>
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

void nn_pd_output_methods(t_outlet *outlet, const nn_model *model)
{
    int count = nn_model_method_count(model);
    const char **names = getbytes(sizeof(char *) * (size_t)(count > 0 ? count : 1));
    for (int i = 0; i < count; i++)
        names[i] = nn_model_method(model, i)->name;
    output_symbols(outlet, "methods", NULL, names, count);
    freebytes(names, sizeof(char *) * (size_t)(count > 0 ? count : 1));
}

void nn_pd_output_attributes(t_outlet *outlet, const nn_model *model)
{
    int count = nn_model_attribute_count(model);
    const char **names = getbytes(sizeof(char *) * (size_t)(count > 0 ? count : 1));
    for (int i = 0; i < count; i++)
        names[i] = nn_model_attribute(model, i)->name;
    output_symbols(outlet, "attributes", NULL, names, count);
    freebytes(names, sizeof(char *) * (size_t)(count > 0 ? count : 1));
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
