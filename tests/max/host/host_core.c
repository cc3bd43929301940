/* nn~ in C — test host for Max externals: paths and the search path, loading externals,
 * and the C API that drives instances (maxhost.h).
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "host_internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

short host_loading_path; /* path id of the external being loaded (class_getpath) */

/* ------------------------------------------------------------------ paths */

/* Max names folders by path ids. The host's ids are 1 + an index in this table; a folder
 * is in the search path (locatefile_extended) only when added with maxhost_searchpath_add.
 * The folder an external was loaded from is class_getpath of its classes. */
#define HOST_MAX_PATHS 64
static struct {
    char dir[MAX_PATH_CHARS];
    int searched;
} paths[HOST_MAX_PATHS];
static int npaths;

static short path_register(const char *dir, int searched)
{
    for (int i = 0; i < npaths; i++)
        if (strcmp(paths[i].dir, dir) == 0) {
            paths[i].searched |= searched;
            return (short)(i + 1);
        }
    if (npaths == HOST_MAX_PATHS)
        host_fatal("more than %d folders", HOST_MAX_PATHS);
    snprintf(paths[npaths].dir, sizeof paths[npaths].dir, "%s", dir);
    paths[npaths].searched = searched;
    return (short)(++npaths);
}

static const char *path_dir(short path)
{
    return path >= 1 && path <= npaths ? paths[path - 1].dir : NULL;
}

void maxhost_searchpath_add(const char *dir)
{
    path_register(dir, 1);
}

/* dir + "/" + file into out; -1 when it does not fit. */
static int path_join(char *out, size_t outlen, const char *dir, const char *file)
{
    size_t a = strlen(dir), b = strlen(file);
    if (a + 1 + b + 1 > outlen)
        return -1;
    memcpy(out, dir, a);
    out[a] = '/';
    memcpy(out + a + 1, file, b + 1);
    return 0;
}

/* Max finds files by name without opening them (a FIFO on the search path is found, not
 * opened): anything there that is not a folder. */
static int file_exists(const char *full)
{
    struct stat st;
    return stat(full, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* 0 and the folder's path id when found (an absolute name is found where it is). */
short locatefile_extended(char *name, short *outvol, t_fourcc *outtype, C74_CONST t_fourcc *filetypelist,
                          short numtypes)
{
    (void)filetypelist, (void)numtypes;
    if (outtype)
        *outtype = 0;
    if (!name || !name[0])
        return 1;
    if (name[0] == '/') {
        if (!file_exists(name))
            return 1;
        char filename[MAX_FILENAME_CHARS];
        short p;
        path_frompathname(name, &p, filename);
        if (outvol)
            *outvol = p;
        memcpy(name, filename, strlen(filename) + 1);
        return 0;
    }
    for (int i = 0; i < npaths; i++) {
        if (!paths[i].searched)
            continue;
        char full[MAX_PATH_CHARS];
        if (path_join(full, sizeof full, paths[i].dir, name) == 0 && file_exists(full)) {
            if (outvol)
                *outvol = (short)(i + 1);
            return 0;
        }
    }
    return 1;
}

t_max_err path_toabsolutesystempath(const short in_path, const char *in_filename, char *out_filepath)
{
    if (!in_filename || !out_filepath)
        return MAX_ERR_INVALID_PTR;
    const char *dir = path_dir(in_path);
    if (in_filename[0] == '/')
        snprintf(out_filepath, MAX_PATH_CHARS, "%s", in_filename);
    else if (dir && in_filename[0])
        return path_join(out_filepath, MAX_PATH_CHARS, dir, in_filename) == 0 ? MAX_ERR_NONE : MAX_ERR_GENERIC;
    else if (dir)
        snprintf(out_filepath, MAX_PATH_CHARS, "%s", dir);
    else
        return MAX_ERR_GENERIC;
    return MAX_ERR_NONE;
}

short path_topathname(C74_CONST short path, C74_CONST char *file, char *name)
{
    return path_toabsolutesystempath(path, file ? file : "", name) == MAX_ERR_NONE ? 0 : 1;
}

short path_frompathname(C74_CONST char *name, short *path, char *filename)
{
    if (!name || name[0] != '/')
        return 1;
    const char *slash = strrchr(name, '/');
    char dir[MAX_PATH_CHARS];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - name > 0 ? slash - name : 1), name);
    if (path)
        *path = path_register(dir, 0);
    if (filename)
        snprintf(filename, MAX_FILENAME_CHARS, "%s", slash + 1);
    return 0;
}

long path_exists(short path, const char *filename)
{
    char full[MAX_PATH_CHARS];
    return path_toabsolutesystempath(path, filename, full) == MAX_ERR_NONE && file_exists(full);
}

/* The default folder is the current directory of the test. */
short path_getdefault(void)
{
    char cwd[MAX_PATH_CHARS];
    if (!getcwd(cwd, sizeof cwd))
        return 0;
    return path_register(cwd, 0);
}

short path_nameconform(C74_CONST char *src, char *dst, long style, long type)
{
    (void)style, (void)type;
    snprintf(dst, MAX_PATH_CHARS, "%s", src);
    return 0;
}

short class_getpath(t_class *x)
{
    return x ? ((hclass *)x)->path : 0;
}

/* ------------------------------------------------------------------ loading and driving */

static int initialised;

void maxhost_init(void)
{
    if (initialised)
        return;
    initialised = 1;
    host_sched_init();
    host_internal_class("attr", sizeof(hattr), NULL);
}

typedef struct loaded {
    char path[1024];
    void *handle;
    struct loaded *next;
} loaded;
static loaded *loadeds;

int maxhost_load(const char *path, char *err, size_t errlen)
{
    maxhost_init();
    for (loaded *l = loadeds; l; l = l->next)
        if (strcmp(l->path, path) == 0)
            return 0;
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        /* dlerror names the first undefined symbol: a Max API function this host lacks. */
        const char *e = dlerror();
        if (err && errlen)
            snprintf(err, errlen, "%s", e ? e : "dlopen failed");
        return -1;
    }
    void (*ext_main_fn)(void *) = NULL;
    *(void **)&ext_main_fn = dlsym(h, "ext_main");
    if (!ext_main_fn) {
        if (err && errlen)
            snprintf(err, errlen, "%s: no ext_main", path);
        dlclose(h);
        return -1;
    }
    loaded *l = host_calloc(1, sizeof *l);
    snprintf(l->path, sizeof l->path, "%s", path);
    l->handle = h;
    l->next = loadeds;
    loadeds = l;
    char filename[MAX_FILENAME_CHARS], *abs = realpath(path, NULL);
    if (abs)
        path_frompathname(abs, &host_loading_path, filename);
    free(abs);
    ext_main_fn(NULL);
    host_loading_path = 0;
    return 0;
}

maxhost_obj *maxhost_new(const char *classname, const char *args)
{
    maxhost_init();
    hclass *c = (hclass *)class_findbyname(NULL, gensym(classname));
    if (!c || !c->mnew) {
        host_consolef(MAXHOST_ERROR, NULL, "%s: No such object", classname);
        return NULL;
    }
    t_atom *av;
    long ac = host_parse_atoms(args, &av);
    void *x = NULL;
    t_symbol *s = gensym(classname);
    char t0 = c->newtypes[0];
    if (t0 == A_GIMME) {
        x = ((void *(*)(t_symbol *, long, t_atom *))c->mnew)(s, ac, av);
    } else if (t0 == A_NOTHING) {
        x = ((void *(*)(void))c->mnew)();
    } else {
        /* Typed constructors: words only (longs and symbols), as most externals use. */
        void *w[MSG_MAXARG] = {0};
        long n = (long)strlen(c->newtypes);
        for (long i = 0; i < n; i++) {
            char t = c->newtypes[i];
            if (t == A_LONG || t == A_DEFLONG)
                w[i] = (void *)(t_ptr_int)(i < ac ? atom_getlong(av + i) : 0);
            else if (t == A_SYM || t == A_DEFSYM)
                w[i] = i < ac ? atom_getsym(av + i) : gensym("");
            else
                host_fatal("class %s: constructor argument type %d not modelled", classname, t);
        }
        x = ((void *(*)(void *, void *, void *, void *, void *, void *, void *))c->mnew)(w[0], w[1], w[2], w[3], w[4],
                                                                                         w[5], w[6]);
    }
    free(av);
    if (!x)
        return NULL;
    hinstance *h = host_instance_of(x);
    if (!h)
        host_fatal("class %s: the new method returned an object not made by object_alloc", classname);
    return h;
}

void maxhost_free(maxhost_obj *o)
{
    if (o)
        object_free(o->obj);
}

void *maxhost_object(maxhost_obj *o)
{
    return o ? o->obj : NULL;
}

int maxhost_send(maxhost_obj *o, long inlet, const char *message)
{
    if (!o)
        return -1;
    t_atom *av;
    long ac = host_parse_atoms(message, &av);
    t_max_err e = MAX_ERR_GENERIC;
    long ninlets = o->ninlets > 0 ? o->ninlets : 1;
    if (inlet < 0 || inlet >= ninlets) {
        free(av);
        host_consolef(MAXHOST_ERROR, NULL, "test host: a %s object has no inlet %ld", o->cls->name->s_name, inlet);
        return -1;
    }
    char kind = inlet > 0 && inlet < HOST_MAX_INLETS ? o->inlet_kind[inlet] : 0;
    if ((kind == 'i' || kind == 'f') && ac == 1 && (av[0].a_type == A_LONG || av[0].a_type == A_FLOAT)) {
        char sel[32];
        snprintf(sel, sizeof sel, "%s%d", kind == 'i' ? "in" : "ft", (int)inlet);
        t_max_err err = host_dispatch(o->obj, gensym(sel), 1, av);
        free(av);
        return err == MAX_ERR_NONE ? 0 : -1;
    }
    long saved = host_current_inlet;
    host_current_inlet = inlet;
    if (ac == 0) {
        e = host_dispatch(o->obj, gensym("bang"), 0, NULL);
    } else if (av[0].a_type == A_LONG || av[0].a_type == A_FLOAT) {
        if (ac == 1)
            e = host_dispatch(o->obj, gensym(av[0].a_type == A_LONG ? "int" : "float"), 1, av);
        else
            e = host_dispatch(o->obj, gensym("list"), ac, av);
    } else {
        e = host_dispatch(o->obj, av[0].a_w.w_sym, ac - 1, av + 1);
    }
    host_current_inlet = saved;
    free(av);
    return e == MAX_ERR_NONE ? 0 : -1;
}

int maxhost_loadbang(maxhost_obj *o)
{
    method fn = o ? object_getmethod(o->obj, gensym("loadbang")) : NULL;
    if (!fn)
        return -1;
    ((void (*)(void *))fn)(o->obj);
    return 0;
}

const char *maxhost_assist(maxhost_obj *o, int io, long index, char *buf, size_t buflen)
{
    if (!buf || buflen == 0)
        return "";
    char s[512] = "";
    method fn = o ? object_getmethod(o->obj, gensym("assist")) : NULL;
    if (fn)
        ((void (*)(void *, void *, long, long, char *))fn)(o->obj, NULL, io, index, s);
    snprintf(buf, buflen, "%s", s);
    return buf;
}

int maxhost_attr_set(maxhost_obj *o, const char *attr, const char *values)
{
    if (!o)
        return -1;
    t_atom *av;
    long ac = host_parse_atoms(values, &av);
    t_max_err e = object_attr_setvalueof(o->obj, gensym(attr), ac, av);
    free(av);
    return e == MAX_ERR_NONE ? 0 : -1;
}

int maxhost_attr_get(maxhost_obj *o, const char *attr, char *out, size_t outlen)
{
    if (!o)
        return -1;
    long ac = 0;
    t_atom *av = NULL;
    t_max_err e = object_attr_getvalueof(o->obj, gensym(attr), &ac, &av);
    if (e != MAX_ERR_NONE)
        return -1;
    host_atoms_text(ac, av, out, outlen);
    sysmem_freeptr(av);
    return 0;
}

void host_record_outlet(houtlet *o, t_symbol *s, long ac, const t_atom *av)
{
    hinstance *h = host_instance_of(o->owner);
    if (!h)
        return;
    long index = -1;
    for (long i = 0; i < h->noutlets; i++)
        if (h->outlets[i] == o)
            index = h->noutlets - 1 - i;
    maxhost_log_entry e;
    memset(&e, 0, sizeof e);
    e.outlet = index;
    char args[900];
    host_atoms_text(ac, av, args, sizeof args);
    snprintf(e.text, sizeof e.text, "%s%s%s", s ? s->s_name : "", ac ? " " : "", args);
    pthread_mutex_lock(&host_lock);
    if (h->nlog == h->caplog) {
        h->caplog = h->caplog ? h->caplog * 2 : 32;
        h->log = realloc(h->log, (size_t)h->caplog * sizeof *h->log);
        if (!h->log)
            host_fatal("out of memory");
    }
    h->log[h->nlog++] = e;
    pthread_mutex_unlock(&host_lock);
}

long maxhost_outlet_count(maxhost_obj *o)
{
    return o ? o->noutlets : 0;
}
const char *maxhost_outlet_type(maxhost_obj *o, long outlet)
{
    if (!o || outlet < 0 || outlet >= o->noutlets)
        return "";
    houtlet *ol = o->outlets[o->noutlets - 1 - outlet];
    return ol->type ? ol->type->s_name : "";
}
long maxhost_log_count(maxhost_obj *o)
{
    pthread_mutex_lock(&host_lock);
    long n = o ? o->nlog : 0;
    pthread_mutex_unlock(&host_lock);
    return n;
}
int maxhost_log_get(maxhost_obj *o, long i, maxhost_log_entry *out)
{
    int r = -1;
    pthread_mutex_lock(&host_lock);
    if (o && out && i >= 0 && i < o->nlog) {
        *out = o->log[i];
        r = 0;
    }
    pthread_mutex_unlock(&host_lock);
    return r;
}
long maxhost_log_find(maxhost_obj *o, long outlet, const char *text)
{
    long found = -1;
    pthread_mutex_lock(&host_lock);
    for (long i = 0; o && i < o->nlog && found < 0; i++)
        if ((outlet < 0 || o->log[i].outlet == outlet) && strstr(o->log[i].text, text ? text : ""))
            found = i;
    pthread_mutex_unlock(&host_lock);
    return found;
}
void maxhost_log_clear(maxhost_obj *o)
{
    pthread_mutex_lock(&host_lock);
    if (o)
        o->nlog = 0;
    pthread_mutex_unlock(&host_lock);
}

void maxhost_reset(void)
{
    maxhost_init();
    for (;;) {
        pthread_mutex_lock(&host_lock);
        hinstance *h = host_instances();
        pthread_mutex_unlock(&host_lock);
        if (!h)
            break;
        object_free(h->obj);
    }
    host_sched_reset();
    host_buffers_reset();
    host_dict_reset();
    maxhost_console_clear();
}
