/* nn~ in C — atoms, console lines, model lookup and the model reports of the object layer.
 * SPDX-License-Identifier: MIT
 *
 * The vocabulary both objects and both hosts speak: how an atom prints, how a console line
 * is prefixed, where a model is looked for, and the messages that describe a model
 * (`methods`, `attributes`, `params`, `types`, `value`).
 */
#define _GNU_SOURCE /* dladdr */
#include "obj_internal.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- atoms -------------------------------------------------------------------------------- */

nn_atom nn_atom_int(long long value)
{
    nn_atom a = {NN_ATOM_INT, value, (double)value, NULL};
    return a;
}

nn_atom nn_atom_float(double value)
{
    nn_atom a = {NN_ATOM_FLOAT, 0, value, NULL};
    return a;
}

nn_atom nn_atom_symbol(const char *text)
{
    nn_atom a = {NN_ATOM_SYMBOL, 0, 0.0, text ? text : ""};
    return a;
}

bool nn_atom_number(const nn_atom *a, double *out)
{
    if (a->type == NN_ATOM_INT)
        *out = (double)a->i;
    else if (a->type == NN_ATOM_FLOAT)
        *out = a->f;
    else
        return false;
    return true;
}

bool nn_atom_whole(const nn_atom *a, long long *out)
{
    if (a->type == NN_ATOM_INT) {
        *out = a->i;
        return true;
    }
    /* Refuse rather than truncate: 2.7 is not an int. */
    double f = 0;
    if (!nn_atom_number(a, &f) || !isfinite(f) || f != floor(f) || fabs(f) > 9007199254740992.0)
        return false;
    *out = (long long)f;
    return true;
}

void nn_atom_text(const nn_atom *a, char *buf, size_t size)
{
    switch (a->type) {
    case NN_ATOM_INT: snprintf(buf, size, "%lld", a->i); break;
    case NN_ATOM_FLOAT: snprintf(buf, size, "%g", a->f); break;
    case NN_ATOM_SYMBOL: snprintf(buf, size, "%s", a->s ? a->s : ""); break;
    }
}

void nn_atoms_text(int argc, const nn_atom *argv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (argc == 0)
        snprintf(buf, size, "nothing");
    for (int i = 0; i < argc && used + 2 < size; i++) {
        char one[NN_OBJ_TEXT];
        nn_atom_text(&argv[i], one, sizeof one);
        int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", one);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ---- console ------------------------------------------------------------------------------- */

void nn_obj_vprint(const nn_host *host, void *owner, const char *name, nn_console_level level, const char *fmt,
                   va_list ap)
{
    char text[NN_OBJ_TEXT];
    int used = host->prefix_console ? snprintf(text, sizeof text, "%s: ", name) : 0;
    if (used < 0 || (size_t)used >= sizeof text)
        used = 0;
    vsnprintf(text + used, sizeof text - (size_t)used, fmt, ap);
    host->console(owner, level, text);
}

void nn_obj_print(const nn_host *host, void *owner, const char *name, nn_console_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nn_obj_vprint(host, owner, name, level, fmt, ap);
    va_end(ap);
}

/* ---- lookup --------------------------------------------------------------------------------- */

/* A byte whose address lies in the binary this layer is linked into (the external). */
static const char own_binary_anchor = 0;

/* The folder of that binary: an external finds its package wherever the user put it. */
static bool own_binary_dir(char *out, size_t size)
{
#ifdef _WIN32
    HMODULE module = NULL;
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCSTR)&own_binary_anchor, &module))
        return false;
    DWORD n = GetModuleFileNameA(module, out, (DWORD)size);
    if (n == 0 || n >= size)
        return false;
    for (char *c = out; *c; c++)
        if (*c == '\\')
            *c = '/';
#else
    Dl_info info;
    if (!dladdr(&own_binary_anchor, &info) || !info.dli_fname || strlen(info.dli_fname) >= size)
        return false;
    snprintf(out, size, "%s", info.dli_fname);
#endif
    char *slash = strrchr(out, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

bool nn_obj_package_models_dir(const nn_host *host, char *out, size_t size)
{
    char dir[NN_OBJ_TEXT];
    if (!host->package_models || !own_binary_dir(dir, sizeof dir))
        return false;
    char joined[NN_OBJ_TEXT * 2];
    snprintf(joined, sizeof joined, "%s/%s", dir, host->package_models);
#ifdef _WIN32
    char *resolved = _fullpath(NULL, joined, 0);
#else
    char *resolved = realpath(joined, NULL); /* "externals/../models" reads badly in errors */
#endif
    int n = snprintf(out, size, "%s", resolved ? resolved : joined);
    free(resolved);
    return n > 0 && (size_t)n < size;
}

/* Appends `dir/file` (trailing slashes of `dir` dropped) to the ", "-separated `list`. */
static void locate_list_add(char *list, size_t size, const char *dir, const char *file)
{
    size_t used = strlen(list), dir_len = strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    if (used + 1 < size)
        snprintf(list + used, size - used, "%s%.*s/%s", used ? ", " : "", (int)dir_len, dir, file);
}

/* The not-found message of a bare name: every path tried, in order. The host's list is
 * shortened (never the paths after it) when the whole does not fit in one message. */
static nn_status locate_not_found(const nn_host *host, void *owner, const char *name, const char *file,
                                  const char *patch, const char *package, nn_error *err)
{
    char host_list[NN_OBJ_TEXT] = "", tail[NN_OBJ_TEXT] = "";
    if (host->search_path_text)
        host->search_path_text(owner, file, host_list, sizeof host_list);
    else if (patch && *patch)
        locate_list_add(host_list, sizeof host_list, patch, file);
    if (package)
        locate_list_add(tail, sizeof tail, package, file);
    char models[NN_OBJ_TEXT];
    if (nn_models_dir(models, sizeof models) == NN_OK)
        locate_list_add(tail, sizeof tail, models, file);
    const char *summary = !host->search_path_text ? host->search_path_name : NULL;
    char head[NN_ERROR_MESSAGE_SIZE];
    int head_len = snprintf(head, sizeof head, "model '%s' not found; searched: ", name);
    size_t room = sizeof head - (head_len > 0 ? (size_t)head_len : 0);
    size_t need_tail = strlen(tail) + 2 + (summary ? strlen(summary) + 8 : 0) + 1;
    if (strlen(host_list) + need_tail > room && room > need_tail + 4) {
        size_t keep = room - need_tail - 4;
        host_list[keep] = '\0';
        strcat(host_list, "...");
    }
    return nn_error_set(err, NN_ERR_FILE_NOT_FOUND, "%s%s%s%s%s%s%s", head, host_list,
                        host_list[0] && tail[0] ? ", " : "", tail, summary ? " (and " : "", summary ? summary : "",
                        summary ? ")" : "");
}

nn_status nn_obj_locate(const nn_host *host, void *owner, const char *name, char *out, size_t size, nn_error *err)
{
    char file[NN_OBJ_TEXT];
    size_t len = strlen(name);
    if (len == 0)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "empty model name");
    bool has_suffix = len >= 3 && strcmp(name + len - 3, ".ts") == 0;
    if (snprintf(file, sizeof file, "%s%s", name, has_suffix ? "" : ".ts") >= (int)sizeof file)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "model name '%s' is too long", name);
    if (file[0] != '/' && host->find_file && host->find_file(owner, file, out, size))
        return NN_OK;
    const char *dirs[2];
    int n_dirs = 0;
    const char *patch = host->patch_dir ? host->patch_dir(owner) : NULL;
    if (patch && *patch)
        dirs[n_dirs++] = patch;
    char package[NN_OBJ_TEXT];
    bool has_package = nn_obj_package_models_dir(host, package, sizeof package);
    if (has_package)
        dirs[n_dirs++] = package;
    nn_status status = nn_model_locate(file, dirs, n_dirs, out, size, err);
    if (status != NN_ERR_FILE_NOT_FOUND || file[0] == '/' || !err)
        return status;
    return locate_not_found(host, owner, name, file, patch, has_package ? package : NULL, err);
}

/* ---- reports --------------------------------------------------------------------------------- */

const char *nn_file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void nn_names_text(const nn_model *model, bool attributes, const char *empty, char *buf, size_t size)
{
    int count = attributes ? nn_model_attribute_count(model) : nn_model_method_count(model);
    size_t used = 0;
    snprintf(buf, size, "%s", count == 0 ? empty : "");
    for (int i = 0; i < count && used < size; i++) {
        const char *name = attributes ? nn_model_attribute(model, i)->name : nn_model_method(model, i)->name;
        int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void nn_types_text(const nn_attribute_info *info, char *buf, size_t size)
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

/* `selector [first] names...` as symbols. */
static void report_symbols(const nn_host *host, void *owner, int outlet, const char *selector, const char *first,
                           const char *const *names, int count)
{
    int n = count + (first ? 1 : 0);
    nn_atom *atoms = calloc((size_t)(n > 0 ? n : 1), sizeof *atoms);
    if (!atoms)
        return;
    int k = 0;
    if (first)
        atoms[k++] = nn_atom_symbol(first);
    for (int i = 0; i < count; i++)
        atoms[k++] = nn_atom_symbol(names[i] ? names[i] : "");
    host->output(owner, outlet, selector, n, atoms);
    free(atoms);
}

static void report_names(const nn_host *host, void *owner, int outlet, const char *selector, const nn_model *model,
                         bool attributes)
{
    int count = attributes ? nn_model_attribute_count(model) : nn_model_method_count(model);
    const char **names = calloc((size_t)(count > 0 ? count : 1), sizeof *names);
    if (!names)
        return;
    for (int i = 0; i < count; i++)
        names[i] = attributes ? nn_model_attribute(model, i)->name : nn_model_method(model, i)->name;
    report_symbols(host, owner, outlet, selector, NULL, names, count);
    free(names);
}

void nn_report_methods(const nn_host *host, void *owner, int outlet, const nn_model *model)
{
    report_names(host, owner, outlet, "methods", model, false);
}

void nn_report_attributes(const nn_host *host, void *owner, int outlet, const nn_model *model)
{
    report_names(host, owner, outlet, "attributes", model, true);
}

/* Channel labels, as one word each where the host asks for it (nn_host.label_words). */
static void report_labels(const nn_host *host, void *owner, int outlet, const char *selector, const char *method,
                          const char *const *labels, int count)
{
    if (!host->label_words || count <= 0) {
        report_symbols(host, owner, outlet, selector, method, labels, count);
        return;
    }
    char **words = calloc((size_t)count, sizeof *words);
    if (!words)
        return;
    for (int i = 0; i < count; i++) {
        const char *label = labels[i] ? labels[i] : "";
        if (!strncmp(label, "(signal) ", 9))
            label += 9;
        words[i] = malloc(strlen(label) + 1);
        if (!words[i])
            continue;
        strcpy(words[i], label);
        for (char *c = words[i]; *c; c++)
            if (*c == ' ')
                *c = '_';
    }
    report_symbols(host, owner, outlet, selector, method, (const char *const *)words, count);
    for (int i = 0; i < count; i++)
        free(words[i]);
    free(words);
}

void nn_report_method_params(const nn_host *host, void *owner, int outlet, const nn_model *model, int index)
{
    const nn_method_info *m = nn_model_method(model, index);
    if (!m)
        return;
    nn_atom atoms[5] = {nn_atom_symbol(m->name), nn_atom_int(m->in_channels), nn_atom_int(m->in_ratio),
                        nn_atom_int(m->out_channels), nn_atom_int(m->out_ratio)};
    host->output(owner, outlet, "params", 5, atoms);
    report_labels(host, owner, outlet, "input_labels", m->name, (const char *const *)m->input_labels,
                  m->input_labels ? m->in_channels : 0);
    report_labels(host, owner, outlet, "output_labels", m->name, (const char *const *)m->output_labels,
                  m->output_labels ? m->out_channels : 0);
}

void nn_report_attribute_types(const nn_host *host, void *owner, int outlet, const nn_model *model, int index)
{
    const nn_attribute_info *a = nn_model_attribute(model, index);
    if (!a)
        return;
    const char **names = calloc((size_t)(a->count > 0 ? a->count : 1), sizeof *names);
    if (!names)
        return;
    for (int i = 0; i < a->count; i++)
        names[i] = nn_type_name(a->types[i]);
    report_symbols(host, owner, outlet, "types", a->name, names, a->count);
    free(names);
}

void nn_report_value(const nn_host *host, void *owner, int outlet, const char *attribute, const nn_value_list *values)
{
    int n = 1 + (values ? values->count : 0);
    nn_atom *atoms = calloc((size_t)n, sizeof *atoms);
    char(*texts)[NN_OBJ_TEXT] = calloc((size_t)n, sizeof *texts);
    if (!atoms || !texts) {
        free(atoms);
        free(texts);
        return;
    }
    atoms[0] = nn_atom_symbol(attribute);
    for (int i = 1; i < n; i++) {
        const nn_value *v = &values->values[i - 1];
        switch (v->type) {
        case NN_TYPE_BOOL: atoms[i] = nn_atom_int(v->b ? 1 : 0); break;
        case NN_TYPE_INT: atoms[i] = nn_atom_int(v->i); break;
        case NN_TYPE_FLOAT: atoms[i] = nn_atom_float(v->f); break;
        case NN_TYPE_STRING:
        case NN_TYPE_TENSOR:
        case NN_TYPE_BUFFER:
            nn_value_format(v, texts[i], sizeof texts[i]);
            /* Tensor reprs carry newlines; a symbol with one would break a console. */
            for (char *c = texts[i]; *c; c++)
                if (*c == '\n' || *c == '\r')
                    *c = ' ';
            atoms[i] = nn_atom_symbol(texts[i]);
            break;
        }
    }
    host->output(owner, outlet, "value", n, atoms);
    free(texts);
    free(atoms);
}
