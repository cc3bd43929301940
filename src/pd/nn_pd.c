/* nn~ in C — Pure Data's host table for the object layer.
 * SPDX-License-Identifier: MIT
 *
 * Everything the layer asks of a host, in Pd's terms: console lines (errors clickable
 * through pd_error), messages out of the object's message outlets, the patch's folder and
 * Pd's search path (canvas_open), Pd arrays for tensor and buffer attributes, the poll
 * clock, and canvas_update_dsp when cords change.
 */
#include "nn_pd.h"

#include "g_canvas.h"
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__APPLE__)
#include <crt_externs.h>
#endif

static void pd_console(void *owner, nn_console_level level, const char *text)
{
    switch (level) {
    case NN_CONSOLE_POST: post("%s", text); break;
    case NN_CONSOLE_ERROR: pd_error(owner, "%s", text); break;
    case NN_CONSOLE_DEBUG: logpost(owner, PD_DEBUG, "%s", text); break;
    }
}

static void pd_output(void *owner, int outlet, const char *selector, int argc, const nn_atom *argv)
{
    nn_pd_object *x = owner;
    if (outlet < 0 || outlet > 1 || !x->outlets[outlet])
        return;
    t_atom *atoms = getbytes(sizeof(t_atom) * (size_t)(argc > 0 ? argc : 1));
    for (int i = 0; i < argc; i++) {
        /* SETSYMBOL/SETFLOAT evaluate their atom argument twice: no side effects in it. */
        t_atom *a = &atoms[i];
        switch (argv[i].type) {
        case NN_ATOM_INT: SETFLOAT(a, (t_float)argv[i].i); break;
        case NN_ATOM_FLOAT: SETFLOAT(a, (t_float)argv[i].f); break;
        case NN_ATOM_SYMBOL: SETSYMBOL(a, gensym(argv[i].s)); break;
        }
    }
    outlet_anything(x->outlets[outlet], gensym(selector), argc, atoms);
    freebytes(atoms, sizeof(t_atom) * (size_t)(argc > 0 ? argc : 1));
}

/* canvas_open opens what it finds, and opening a FIFO blocks Pd's main thread: every place
 * it would look is checked first, and a name that is not a regular file somewhere is left to
 * the core lookup, which refuses it with a message instead of opening it. */
typedef struct pd_candidate {
    const char *file;
    bool special;
    char path[MAXPDSTRING * 2];
} pd_candidate;

static int pd_candidate_check(const char *dir, void *user)
{
    pd_candidate *c = user;
    struct stat st;
    snprintf(c->path, sizeof c->path, "%s/%s", dir, c->file);
    if (stat(c->path, &st) == 0 && !S_ISREG(st.st_mode))
        c->special = true;
    return !c->special;
}

static bool pd_find_file(void *owner, const char *file, char *out, size_t size)
{
    nn_pd_object *x = owner;
    if (sys_isabsolutepath(file))
        return false;
    pd_candidate candidate = {file, false, ""};
    if (x->canvas) {
        pd_candidate_check(canvas_getdir(x->canvas)->s_name, &candidate);
        if (!candidate.special)
            canvas_path_iterate(x->canvas, pd_candidate_check, &candidate);
    }
    if (candidate.special) {
        pd_error(NULL, "nn~: %s is not a regular file (a FIFO, device or socket): refused", candidate.path);
        return false;
    }
    char dir[MAXPDSTRING];
    char *base = NULL;
    int fd = x->canvas ? canvas_open(x->canvas, file, "", dir, &base, MAXPDSTRING, 1)
                       : open_via_path(".", file, "", dir, &base, MAXPDSTRING, 1);
    if (fd < 0)
        return false;
    sys_close(fd);
    char joined[MAXPDSTRING * 2];
    snprintf(joined, sizeof joined, "%s/%s", dir, base);
    if (strlen(joined) >= size || strlen(joined) >= MAXPDSTRING)
        return false;
    sys_unbashfilename(joined, out);
    return true;
}

typedef struct pd_path_list {
    const char *file;
    char *buf;
    size_t size;
} pd_path_list;

/* Appends `dir/file` to the list, with runs of '/' collapsed (Pd's standard folders end in
 * '/', and folders from [declare -stdpath] are joined to them). */
static int pd_path_list_add(const char *dir, void *data)
{
    pd_path_list *list = data;
    char path[MAXPDSTRING * 2];
    snprintf(path, sizeof path, "%s/%s", dir, list->file);
    size_t used = strlen(list->buf);
    if (used && used + 2 < list->size) {
        memcpy(list->buf + used, ", ", 3);
        used += 2;
    }
    for (const char *c = path; *c && used + 1 < list->size; c++)
        if (!(*c == '/' && c > path && c[-1] == '/'))
            list->buf[used++] = *c;
    if (list->size)
        list->buf[used < list->size ? used : list->size - 1] = '\0';
    return 1;
}

/* What canvas_open tries, in its order: the [declare] paths, the patch folder, then Pd's
 * search path (-path, the preferences, the standard folders). */
static void pd_search_path_text(void *owner, const char *file, char *buf, size_t size)
{
    nn_pd_object *x = owner;
    pd_path_list list = {file, buf, size};
    if (size)
        buf[0] = '\0';
    canvas_path_iterate(x->canvas, pd_path_list_add, &list);
}

static const char *pd_patch_dir(void *owner)
{
    nn_pd_object *x = owner;
    return x->canvas ? canvas_getdir(x->canvas)->s_name : NULL;
}

static bool pd_read_array(void *owner, const char *name, nn_type type, nn_host_array *out, char *why, size_t why_size)
{
    (void)owner;
    (void)type;
    t_garray *array = (t_garray *)pd_findbyclass(gensym(name), garray_class);
    if (!array) {
        snprintf(why, why_size, "there is no Pd array named '%s'", name);
        return false;
    }
    int n = 0;
    t_word *words = NULL;
    if (!garray_getfloatwords(array, &n, &words)) {
        snprintf(why, why_size, "Pd array '%s' does not hold floats", name);
        return false;
    }
    float *data = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    if (!data) {
        snprintf(why, why_size, "out of memory reading Pd array '%s'", name);
        return false;
    }
    for (int i = 0; i < n; i++)
        data[i] = words[i].w_float;
    out->data = data;
    out->channels = 1;
    out->frames = n;
    out->sample_rate = sys_getsr();
    return true;
}

static void pd_poll_later(void *owner, double ms)
{
    nn_pd_object *x = owner;
    clock_delay(x->poll_clock, ms);
}

static double pd_now_ms(void *owner)
{
    (void)owner;
    return clock_gettimesince(0);
}

static double pd_sample_rate(void *owner)
{
    (void)owner;
    return sys_getsr();
}

static void pd_io_changed(void *owner)
{
    (void)owner;
    canvas_update_dsp();
}

const nn_host nn_pd_host = {
    .console = pd_console,
    .output = pd_output,
    .find_file = pd_find_file,
    .patch_dir = pd_patch_dir,
    .read_array = pd_read_array,
    .poll_later = pd_poll_later,
    .now_ms = pd_now_ms,
    .sample_rate = pd_sample_rate,
    .io_changed = pd_io_changed,
    .prefix_console = true,
    .search_path_name = "Pd's search path",
    .array_name = "a Pd array",
    .package_models = "models",
    .search_path_text = pd_search_path_text,
    .label_words = true,
};

void nn_pd_atoms_fill(nn_atom *atoms, int argc, const t_atom *argv)
{
    for (int i = 0; i < argc; i++) {
        if (argv[i].a_type == A_FLOAT) {
            atoms[i] = nn_atom_float(argv[i].a_w.w_float);
        } else if (argv[i].a_type == A_SYMBOL) {
            atoms[i] = nn_atom_symbol(argv[i].a_w.w_symbol->s_name);
        } else {
            /* Dollars and separators as Pd prints them (symbols are interned: they outlive us). */
            char text[MAXPDSTRING];
            atom_string(&argv[i], text, sizeof text);
            atoms[i] = nn_atom_symbol(gensym(text)->s_name);
        }
    }
}

nn_atom *nn_pd_atoms(int argc, const t_atom *argv, nn_atom *stack, int stack_size)
{
    nn_atom *atoms = argc <= stack_size ? stack : malloc(sizeof(nn_atom) * (size_t)(argc > 0 ? argc : 1));
    if (atoms && argv)
        nn_pd_atoms_fill(atoms, argc, argv);
    return atoms;
}

void nn_pd_atoms_free(nn_atom *atoms, const nn_atom *stack)
{
    if (atoms != stack)
        free(atoms);
}

#if defined(__APPLE__) || defined(_WIN32)
/* Scans the arguments for -batch / -nobatch; the last one wins, as in Pd's own parser. */
static bool pd_batch_in(int argc, char *const *argv)
{
    bool batch = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-batch"))
            batch = true;
        else if (!strcmp(argv[i], "-nobatch"))
            batch = false;
    }
    return batch;
}
#endif

bool nn_pd_batch(void)
{
#if defined(__APPLE__)
    return pd_batch_in(*_NSGetArgc(), *_NSGetArgv());
#elif defined(_WIN32)
    return pd_batch_in(__argc, __argv);
#else
    /* /proc/self/cmdline: the arguments, each ended by '\0' (the first is the program). */
    FILE *file = fopen("/proc/self/cmdline", "rb");
    if (!file)
        return false;
    bool batch = false, first = true;
    char arg[16];
    size_t used = 0;
    int c;
    while ((c = fgetc(file)) != EOF) {
        if (c != '\0') {
            if (used < sizeof arg - 1)
                arg[used] = (char)c;
            used++;
            continue;
        }
        arg[used < sizeof arg ? used : sizeof arg - 1] = '\0';
        if (!first && used < sizeof arg && !strcmp(arg, "-batch"))
            batch = true;
        else if (!first && used < sizeof arg && !strcmp(arg, "-nobatch"))
            batch = false;
        first = false;
        used = 0;
    }
    fclose(file);
    return batch;
#endif
}
