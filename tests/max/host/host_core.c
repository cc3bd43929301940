/* nn~ in C — test host for Max externals: symbols, memory, atoms, the console, classes,
 * objects, message dispatch, the registry and loading.
 * SPDX-License-Identifier: MIT
 *
 * Each function below that carries a Max API name implements that function for externals
 * loaded by the host (the program exports them). Behaviour follows the SDK documentation;
 * where the documentation is silent the choice is written next to the code.
 */
#define _GNU_SOURCE
#include "host_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static short loading_path; /* path id of the external being loaded (class_getpath) */
static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;

/* The host or an object broke the Max API's contract: stop the test loudly. */
_Noreturn void host_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("maxhost: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(NULL);
    /* Exit status 70 (EX_SOFTWARE), not abort: a test can expect this failure. */
    _exit(70);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        host_fatal("out of memory");
    return p;
}

/* ------------------------------------------------------------------ symbols */

#define SYMTAB_SIZE 4096
typedef struct hsym {
    t_symbol sym;
    struct hsym *next;
} hsym;
static hsym *symtab[SYMTAB_SIZE];
static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;

t_symbol *gensym(C74_CONST char *s)
{
    if (!s)
        s = "";
    unsigned long h = 5381;
    for (const char *p = s; *p; p++)
        h = h * 33u + (unsigned char)*p;
    h %= SYMTAB_SIZE;
    pthread_mutex_lock(&sym_lock);
    for (hsym *e = symtab[h]; e; e = e->next)
        if (strcmp(e->sym.s_name, s) == 0) {
            pthread_mutex_unlock(&sym_lock);
            return &e->sym;
        }
    hsym *e = xcalloc(1, sizeof *e);
    e->sym.s_name = strdup(s);
    if (!e->sym.s_name)
        host_fatal("out of memory");
    e->next = symtab[h];
    symtab[h] = e;
    pthread_mutex_unlock(&sym_lock);
    return &e->sym;
}

/* No translations in the host: the untranslated text. */
t_symbol *gensym_tr(const char *s)
{
    return gensym(s);
}
char *str_tr(const char *s)
{
    return (char *)s;
}

/* commonsyms.c asks for the table once, in common_symbols_init(). Every field is
 * gensym of its own name without the s_ prefix (host_commonsyms.c, generated). */
t_common_symbols_table *host_commonsyms_make(void);
t_common_symbols_table *common_symbols_gettable(void)
{
    static t_common_symbols_table *table;
    pthread_mutex_lock(&host_lock);
    if (!table)
        table = host_commonsyms_make();
    pthread_mutex_unlock(&host_lock);
    return table;
}

/* ------------------------------------------------------------------ memory */

t_ptr sysmem_newptr(t_ptr_size size)
{
    return malloc(size ? size : 1);
}
t_ptr sysmem_newptrclear(t_ptr_size size)
{
    return calloc(1, size ? size : 1);
}
t_ptr sysmem_resizeptr(void *ptr, t_ptr_size newsize)
{
    return realloc(ptr, newsize ? newsize : 1);
}
t_ptr sysmem_resizeptrclear(void *ptr, t_ptr_size newsize)
{
    /* The old size is unknown here (Max keeps it); the host's contract: new bytes are not
     * cleared. Objects that need cleared growth use sysmem_newptrclear and copy. */
    return realloc(ptr, newsize ? newsize : 1);
}
void sysmem_freeptr(void *ptr)
{
    free(ptr);
}
void sysmem_copyptr(const void *src, void *dst, t_ptr_size bytes)
{
    memmove(dst, src, bytes);
}
/* getbytes/freebytes are macros over sysmem_* in the SDK (MM_UNIFIED). */
char *getbytes16(t_getbytes_size size)
{
    return aligned_alloc(16, ((size_t)size + 15) / 16 * 16 + 16);
}
void freebytes16(char *mem, t_getbytes_size size)
{
    (void)size;
    free(mem);
}

/* ------------------------------------------------------------------ atoms */

t_max_err atom_setlong(t_atom *a, t_atom_long b)
{
    if (!a)
        return MAX_ERR_INVALID_PTR;
    a->a_type = A_LONG;
    a->a_w.w_long = b;
    return MAX_ERR_NONE;
}
t_max_err atom_setfloat(t_atom *a, double b)
{
    if (!a)
        return MAX_ERR_INVALID_PTR;
    a->a_type = A_FLOAT;
    a->a_w.w_float = (t_atom_float)b;
    return MAX_ERR_NONE;
}
t_max_err atom_setsym(t_atom *a, t_symbol *b)
{
    if (!a)
        return MAX_ERR_INVALID_PTR;
    a->a_type = A_SYM;
    a->a_w.w_sym = b;
    return MAX_ERR_NONE;
}
t_max_err atom_setobj(t_atom *a, void *b)
{
    if (!a)
        return MAX_ERR_INVALID_PTR;
    a->a_type = A_OBJ;
    a->a_w.w_obj = b;
    return MAX_ERR_NONE;
}
t_atom_long atom_getlong(const t_atom *a)
{
    if (!a)
        return 0;
    if (a->a_type == A_LONG)
        return a->a_w.w_long;
    if (a->a_type == A_FLOAT)
        return (t_atom_long)a->a_w.w_float;
    return 0;
}
t_atom_float atom_getfloat(const t_atom *a)
{
    if (!a)
        return 0;
    if (a->a_type == A_FLOAT)
        return a->a_w.w_float;
    if (a->a_type == A_LONG)
        return (t_atom_float)a->a_w.w_long;
    return 0;
}
t_symbol *atom_getsym(const t_atom *a)
{
    if (a && a->a_type == A_SYM)
        return a->a_w.w_sym;
    return gensym("");
}
void *atom_getobj(const t_atom *a)
{
    if (a && a->a_type == A_OBJ)
        return a->a_w.w_obj;
    return NULL;
}
long atom_gettype(const t_atom *a)
{
    return a ? a->a_type : A_NOTHING;
}
t_atom_long atom_getcharfix(const t_atom *a)
{
    t_atom_long v = atom_getlong(a);
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

t_max_err atom_arg_getlong(t_atom_long *c, long idx, long ac, const t_atom *av)
{
    if (!c || idx < 0 || idx >= ac || !av)
        return MAX_ERR_GENERIC;
    if (av[idx].a_type != A_LONG && av[idx].a_type != A_FLOAT)
        return MAX_ERR_GENERIC;
    *c = atom_getlong(av + idx);
    return MAX_ERR_NONE;
}
long atom_arg_getfloat(float *c, long idx, long ac, const t_atom *av)
{
    if (!c || idx < 0 || idx >= ac || !av)
        return MAX_ERR_GENERIC;
    if (av[idx].a_type != A_LONG && av[idx].a_type != A_FLOAT)
        return MAX_ERR_GENERIC;
    *c = (float)atom_getfloat(av + idx);
    return MAX_ERR_NONE;
}
long atom_arg_getdouble(double *c, long idx, long ac, const t_atom *av)
{
    if (!c || idx < 0 || idx >= ac || !av)
        return MAX_ERR_GENERIC;
    if (av[idx].a_type != A_LONG && av[idx].a_type != A_FLOAT)
        return MAX_ERR_GENERIC;
    *c = atom_getfloat(av + idx);
    return MAX_ERR_NONE;
}
long atom_arg_getsym(t_symbol **c, long idx, long ac, const t_atom *av)
{
    if (!c || idx < 0 || idx >= ac || !av || av[idx].a_type != A_SYM)
        return MAX_ERR_GENERIC;
    *c = av[idx].a_w.w_sym;
    return MAX_ERR_NONE;
}

/* Max's text for one atom: ints as %ld, floats with up to 6 decimals (trailing zeros
 * dropped, as Max prints them), symbols as is. */
static void atom_text1(const t_atom *a, char *out, size_t len)
{
    switch (a->a_type) {
    case A_LONG: snprintf(out, len, "%lld", (long long)a->a_w.w_long); break;
    case A_FLOAT: {
        snprintf(out, len, "%.6f", (double)a->a_w.w_float);
        char *dot = strchr(out, '.');
        if (dot) {
            char *end = out + strlen(out) - 1;
            while (end > dot + 1 && *end == '0')
                *end-- = 0;
        }
        break;
    }
    case A_SYM: snprintf(out, len, "%s", a->a_w.w_sym ? a->a_w.w_sym->s_name : ""); break;
    case A_OBJ: snprintf(out, len, "<object %s>", host_object_name(a->a_w.w_obj)); break;
    default: snprintf(out, len, "<atom type %ld>", (long)a->a_type); break;
    }
}

void host_atoms_text(long ac, const t_atom *av, char *out, size_t outlen)
{
    size_t used = 0;
    if (outlen)
        out[0] = 0;
    for (long i = 0; i < ac && used + 1 < outlen; i++) {
        char one[512];
        atom_text1(av + i, one, sizeof one);
        int n = snprintf(out + used, outlen - used, "%s%s", i ? " " : "", one);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

t_max_err atom_gettext(long ac, t_atom *av, long *textsize, char **text, long flags)
{
    (void)flags;
    if (!textsize || !text)
        return MAX_ERR_INVALID_PTR;
    char buf[8192];
    host_atoms_text(ac, av, buf, sizeof buf);
    size_t n = strlen(buf) + 1;
    if (!*text || *textsize < (long)n) {
        *text = sysmem_newptr(n);
        if (!*text)
            return MAX_ERR_OUT_OF_MEM;
    }
    memcpy(*text, buf, n);
    *textsize = (long)n;
    return MAX_ERR_NONE;
}

/* Text to atoms as a message box: ints, floats, symbols, "quoted symbols". */
static long parse_atoms(const char *text, t_atom **out)
{
    long cap = 8, n = 0;
    t_atom *av = xcalloc((size_t)cap, sizeof *av);
    const char *p = text ? text : "";
    char tok[4096];
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        size_t len = 0;
        int quoted = 0;
        if (*p == '"') {
            quoted = 1;
            p++;
            while (*p && *p != '"' && len + 1 < sizeof tok)
                tok[len++] = *p++;
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && len + 1 < sizeof tok)
                tok[len++] = *p++;
        }
        tok[len] = 0;
        if (n == cap) {
            cap *= 2;
            av = realloc(av, (size_t)cap * sizeof *av);
            if (!av)
                host_fatal("out of memory");
        }
        char *end = NULL;
        if (!quoted && len) {
            errno = 0;
            long long l = strtoll(tok, &end, 10);
            if (*end == 0 && errno == 0) {
                atom_setlong(av + n++, (t_atom_long)l);
                continue;
            }
            double d = strtod(tok, &end);
            if (*end == 0 && (tok[0] == '-' || tok[0] == '+' || tok[0] == '.' || (tok[0] >= '0' && tok[0] <= '9'))) {
                atom_setfloat(av + n++, d);
                continue;
            }
        }
        atom_setsym(av + n++, gensym(tok));
    }
    *out = av;
    return n;
}

t_max_err atom_setparse(long *ac, t_atom **av, C74_CONST char *parsestr)
{
    if (!ac || !av)
        return MAX_ERR_INVALID_PTR;
    t_atom *tmp;
    long n = parse_atoms(parsestr, &tmp);
    if (!*av || *ac < n) {
        *av = (t_atom *)sysmem_newptr((t_ptr_size)(n ? n : 1) * sizeof(t_atom));
        if (!*av) {
            free(tmp);
            return MAX_ERR_OUT_OF_MEM;
        }
    }
    memcpy(*av, tmp, (size_t)n * sizeof(t_atom));
    *ac = n;
    free(tmp);
    return MAX_ERR_NONE;
}

/* ------------------------------------------------------------------ console */

static maxhost_console_line *console;
static long nconsole, capconsole;
static int console_echo;

void maxhost_console_echo(int on)
{
    console_echo = on;
}

void host_console(maxhost_level level, t_object *x, const char *fmt, va_list ap)
{
    maxhost_console_line line;
    memset(&line, 0, sizeof line);
    line.level = level;
    if (x)
        snprintf(line.object, sizeof line.object, "%s", host_object_name(x));
    vsnprintf(line.text, sizeof line.text, fmt ? fmt : "", ap);
    pthread_mutex_lock(&console_lock);
    if (nconsole == capconsole) {
        capconsole = capconsole ? capconsole * 2 : 64;
        console = realloc(console, (size_t)capconsole * sizeof *console);
        if (!console)
            host_fatal("out of memory");
    }
    console[nconsole++] = line;
    pthread_mutex_unlock(&console_lock);
    if (console_echo)
        fprintf(stderr, "[max %s] %s%s%s\n",
                level == MAXHOST_ERROR  ? "error"
                : level == MAXHOST_WARN ? "warn"
                                        : "post",
                line.object, line.object[0] ? ": " : "", line.text);
}

void host_consolef(maxhost_level level, t_object *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_console(level, x, fmt, ap);
    va_end(ap);
}

void post(C74_CONST char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_console(MAXHOST_POST, NULL, fmt, ap);
    va_end(ap);
}
void cpost(C74_CONST char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_console(MAXHOST_POST, NULL, fmt, ap);
    va_end(ap);
}
void error(C74_CONST char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_console(MAXHOST_ERROR, NULL, fmt, ap);
    va_end(ap);
}
void object_post(t_object *x, C74_CONST char *s, ...)
{
    va_list ap;
    va_start(ap, s);
    host_console(MAXHOST_POST, x, s, ap);
    va_end(ap);
}
void object_error(t_object *x, C74_CONST char *s, ...)
{
    va_list ap;
    va_start(ap, s);
    host_console(MAXHOST_ERROR, x, s, ap);
    va_end(ap);
}
void object_warn(t_object *x, C74_CONST char *s, ...)
{
    va_list ap;
    va_start(ap, s);
    host_console(MAXHOST_WARN, x, s, ap);
    va_end(ap);
}
void object_error_obtrusive(t_object *x, C74_CONST char *s, ...)
{
    va_list ap;
    va_start(ap, s);
    host_console(MAXHOST_ERROR, x, s, ap);
    va_end(ap);
}

long maxhost_console_count(void)
{
    pthread_mutex_lock(&console_lock);
    long n = nconsole;
    pthread_mutex_unlock(&console_lock);
    return n;
}
int maxhost_console_get(long i, maxhost_console_line *out)
{
    int r = -1;
    pthread_mutex_lock(&console_lock);
    if (i >= 0 && i < nconsole && out) {
        *out = console[i];
        r = 0;
    }
    pthread_mutex_unlock(&console_lock);
    return r;
}
long maxhost_console_find(int level, const char *text)
{
    long found = -1;
    pthread_mutex_lock(&console_lock);
    for (long i = 0; i < nconsole && found < 0; i++)
        if ((level < 0 || (int)console[i].level == level) && strstr(console[i].text, text ? text : ""))
            found = i;
    pthread_mutex_unlock(&console_lock);
    return found;
}
long maxhost_console_count_level(int level)
{
    long n = 0;
    pthread_mutex_lock(&console_lock);
    for (long i = 0; i < nconsole; i++)
        n += (int)console[i].level == level;
    pthread_mutex_unlock(&console_lock);
    return n;
}
void maxhost_console_clear(void)
{
    pthread_mutex_lock(&console_lock);
    nconsole = 0;
    pthread_mutex_unlock(&console_lock);
}

/* ------------------------------------------------------------------ classes */

static hclass *classes;
static hinstance *instances;

hclass *host_class_of(void *x)
{
    if (!x)
        return NULL;
    t_object *o = x;
    if (o->o_magic != MAGIC)
        return NULL;
    return (hclass *)o->o_messlist;
}

hinstance *host_instance_of(void *x)
{
    if (!x)
        return NULL;
    pthread_mutex_lock(&host_lock);
    hinstance *h = instances;
    while (h && h->obj != x)
        h = h->next;
    pthread_mutex_unlock(&host_lock);
    return h;
}

const char *host_object_name(t_object *x)
{
    hclass *c = host_class_of(x);
    return c && c->name ? c->name->s_name : "";
}

static void copy_types(char *dst, va_list ap)
{
    int i = 0;
    for (;;) {
        int t = va_arg(ap, int);
        if (t == A_NOTHING || i == MSG_MAXARG)
            break;
        dst[i++] = (char)t;
    }
    dst[i] = 0;
}

t_class *class_new(C74_CONST char *name, C74_CONST method mnew, C74_CONST method mfree, long size,
                   C74_CONST method mmenu, short type, ...)
{
    (void)mmenu;
    hclass *c = xcalloc(1, sizeof *c);
    c->name = gensym(name);
    c->mnew = mnew;
    c->mfree = mfree;
    c->size = size;
    c->c.c_sym = c->name;
    c->c.c_size = (t_getbytes_size)size;
    c->c.c_freefun = mfree;
    c->newtypes[0] = (char)type;
    if (type != A_NOTHING) {
        /* The SDK declares class_new(..., short type, ...): va_start after a promoted
         * parameter is undefined in ISO C, but every ABI Max runs on passes the promoted
         * short in an int-sized slot, which is what Max itself relies on. */
        va_list ap;
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wvarargs"
#endif
        va_start(ap, type);
#ifdef __clang__
#pragma clang diagnostic pop
#endif
        copy_types(c->newtypes + 1, ap);
        va_end(ap);
    }
    if (size < (long)sizeof(t_object))
        host_fatal("class_new(%s): size %ld is smaller than t_object", name, size);
    return &c->c;
}

hclass *host_internal_class(const char *name, long size, void (*freefn)(t_object *))
{
    pthread_mutex_lock(&host_lock);
    for (hclass *c = classes; c; c = c->next)
        if (c->internal && strcmp(c->name->s_name, name) == 0) {
            pthread_mutex_unlock(&host_lock);
            return c;
        }
    pthread_mutex_unlock(&host_lock);
    hclass *c = (hclass *)class_new(name, NULL, NULL, size, NULL, 0);
    c->internal = 1;
    c->internal_free = freefn;
    c->name_space = gensym("nobox");
    pthread_mutex_lock(&host_lock);
    c->next = classes;
    classes = c;
    pthread_mutex_unlock(&host_lock);
    return c;
}

t_object *host_internal_alloc(hclass *c)
{
    t_object *o = xcalloc(1, (size_t)c->size);
    o->o_messlist = (t_messlist *)c;
    o->o_magic = MAGIC;
    return o;
}

t_max_err class_addmethod(t_class *tc, C74_CONST method m, C74_CONST char *name, ...)
{
    hclass *c = (hclass *)tc;
    if (!c || !name)
        return MAX_ERR_INVALID_PTR;
    t_symbol *s = gensym(name);
    hmethod *hm = host_find_method(c, s);
    if (!hm) {
        if (c->nmethods == c->capmethods) {
            c->capmethods = c->capmethods ? c->capmethods * 2 : 16;
            c->methods = realloc(c->methods, (size_t)c->capmethods * sizeof *c->methods);
            if (!c->methods)
                host_fatal("out of memory");
        }
        hm = c->methods + c->nmethods++;
        memset(hm, 0, sizeof *hm);
    }
    hm->name = s;
    hm->fn = m;
    va_list ap;
    va_start(ap, name);
    copy_types(hm->types, ap);
    va_end(ap);
    return MAX_ERR_NONE;
}

hmethod *host_find_method(hclass *c, t_symbol *s)
{
    if (!c)
        return NULL;
    for (long i = 0; i < c->nmethods; i++)
        if (c->methods[i].name == s)
            return c->methods + i;
    return NULL;
}

t_max_err class_register(t_symbol *name_space, t_class *tc)
{
    hclass *c = (hclass *)tc;
    if (!c)
        return MAX_ERR_INVALID_PTR;
    c->name_space = name_space;
    c->path = loading_path;
    pthread_mutex_lock(&host_lock);
    c->next = classes;
    classes = c;
    pthread_mutex_unlock(&host_lock);
    return MAX_ERR_NONE;
}

t_class *class_findbyname(t_symbol *name_space, t_symbol *classname)
{
    pthread_mutex_lock(&host_lock);
    hclass *c = classes;
    while (c && !(c->name == classname && !c->internal && (!name_space || c->name_space == name_space)))
        c = c->next;
    pthread_mutex_unlock(&host_lock);
    return c ? &c->c : NULL;
}

t_symbol *class_nameget(t_class *c)
{
    return c ? ((hclass *)c)->name : NULL;
}
t_symbol *object_classname(void *x)
{
    hclass *c = host_class_of(x);
    return c ? c->name : gensym("");
}

t_max_err class_sticky(t_class *x, t_symbol *stickyname, t_symbol *s, t_object *o)
{
    (void)x, (void)stickyname, (void)s, (void)o;
    return MAX_ERR_NONE;
}
t_max_err class_sticky_clear(t_class *x, t_symbol *stickyname, t_symbol *s)
{
    (void)x, (void)stickyname, (void)s;
    return MAX_ERR_NONE;
}

/* ------------------------------------------------------------------ objects */

void *object_alloc(t_class *tc)
{
    hclass *c = (hclass *)tc;
    if (!c)
        return NULL;
    t_object *o = xcalloc(1, (size_t)c->size);
    o->o_messlist = (t_messlist *)c;
    o->o_magic = MAGIC;
    if (!c->internal) {
        hinstance *h = xcalloc(1, sizeof *h);
        h->obj = o;
        h->cls = c;
        pthread_mutex_lock(&host_lock);
        h->next = instances;
        instances = h;
        pthread_mutex_unlock(&host_lock);
    }
    return o;
}

static void instance_unlink(hinstance *h)
{
    pthread_mutex_lock(&host_lock);
    for (hinstance **p = &instances; *p; p = &(*p)->next)
        if (*p == h) {
            *p = h->next;
            break;
        }
    pthread_mutex_unlock(&host_lock);
}

t_max_err object_free(void *x)
{
    if (!x)
        return MAX_ERR_NONE;
    hclass *c = host_class_of(x);
    if (!c)
        host_fatal("object_free(%p): not an object of this host", x);
    if (c->internal) {
        if (c->internal_free)
            c->internal_free(x);
        host_registry_forget(x);
        ((t_object *)x)->o_magic = 0;
        free(x);
        return MAX_ERR_NONE;
    }
    hinstance *h = host_instance_of(x);
    if (h && h->freeing)
        return MAX_ERR_NONE;
    if (h)
        h->freeing = 1;
    if (c->mfree)
        ((void (*)(void *))c->mfree)(x);
    host_registry_forget(x);
    host_sched_forget(x);
    host_buffer_refs_forget(x);
    if (h) {
        instance_unlink(h);
        host_instance_dsp_free(h);
        for (long i = 0; i < h->noutlets; i++)
            free(h->outlets[i]);
        free(h->outlets);
        free(h->log);
        free(h);
    }
    ((t_object *)x)->o_magic = 0;
    free(x);
    return MAX_ERR_NONE;
}

void freeobject(void *op)
{
    object_free(op);
}

/* object_retain/release: the host keeps no reference counts; release of a dictionary
 * goes to dictobj_release (host_dict.c), other objects stay alive until freed. */
t_max_err object_retain(t_object *x)
{
    (void)x;
    return MAX_ERR_NONE;
}
t_max_err object_release(t_object *x)
{
    if (host_is_dictionary(x))
        return dictobj_release((t_dictionary *)x);
    return MAX_ERR_NONE;
}

void *object_new_imp(void *p1, void *p2, void *p3, void *p4, void *p5, void *p6, void *p7, void *p8, void *p9,
                     void *p10)
{
    (void)p3, (void)p4, (void)p5, (void)p6, (void)p7, (void)p8, (void)p9, (void)p10;
    t_symbol *classname = p2;
    (void)p1;
    if (classname == gensym("dictionary"))
        return dictionary_new();
    if (classname == gensym("atomarray"))
        return atomarray_new(0, NULL);
    host_consolef(MAXHOST_ERROR, NULL, "test host: object_new of class %s is not modelled",
                  classname ? classname->s_name : "?");
    return NULL;
}

method object_getmethod(void *x, t_symbol *s)
{
    hmethod *m = host_find_method(host_class_of(x), s);
    return m ? m->fn : NULL;
}

typedef void *(*meth8)(void *, void *, void *, void *, void *, void *, void *, void *, void *);

void *object_method_imp(void *x, void *sym, void *p1, void *p2, void *p3, void *p4, void *p5, void *p6, void *p7,
                        void *p8)
{
    hclass *c = host_class_of(x);
    t_symbol *s = sym;
    if (!c || !s)
        return NULL;
    void *p[8] = {p1, p2, p3, p4, p5, p6, p7, p8};
    if (c->internal && c->name == gensym("attr"))
        return host_attr_method((hattr *)x, s, p);
    hmethod *m = host_find_method(c, s);
    if (!m) {
        /* An external's own object without the method: NULL, as in Max. One of the host's
         * objects (buffer~, dictionary, ...) without it: the host does not model that call,
         * which a test must hear about. */
        if (c->internal)
            host_consolef(MAXHOST_ERROR, NULL, "test host: object_method \"%s\" on a %s object is not modelled",
                          s->s_name, c->name->s_name);
        return NULL;
    }
    /* Max passes each argument as a pointer-sized word (the SDK's C74_VARFUN), so the
     * method is called with all eight words; A_CANT methods read the ones they declare. */
    return ((meth8)m->fn)(x, p1, p2, p3, p4, p5, p6, p7, p8);
}

t_max_err object_method_typed(void *x, t_symbol *s, long ac, t_atom *av, t_atom *rv)
{
    (void)rv;
    return host_dispatch(x, s, ac, av);
}

t_max_err object_method_parse(t_object *x, t_symbol *s, C74_CONST char *parsestr, t_atom *rv)
{
    (void)rv;
    t_atom *av;
    long ac = parse_atoms(parsestr, &av);
    t_max_err e = host_dispatch(x, s, ac, av);
    free(av);
    return e;
}

t_max_err object_method_long(t_object *x, t_symbol *s, long v, t_atom *rv)
{
    t_atom a;
    (void)rv;
    atom_setlong(&a, v);
    return host_dispatch(x, s, 1, &a);
}
t_max_err object_method_float(t_object *x, t_symbol *s, float v, t_atom *rv)
{
    t_atom a;
    (void)rv;
    atom_setfloat(&a, v);
    return host_dispatch(x, s, 1, &a);
}
t_max_err object_method_sym(t_object *x, t_symbol *s, t_symbol *v, t_atom *rv)
{
    t_atom a;
    (void)rv;
    atom_setsym(&a, v);
    return host_dispatch(x, s, 1, &a);
}

/* ------------------------------------------------------------------ dispatch */

typedef void *(*m0)(void *);
typedef void *(*mw1)(void *, void *);
typedef void *(*mw2)(void *, void *, void *);
typedef void *(*mw3)(void *, void *, void *, void *);
typedef void *(*mw4)(void *, void *, void *, void *, void *);
typedef void *(*mw5)(void *, void *, void *, void *, void *, void *);
typedef void *(*mw6)(void *, void *, void *, void *, void *, void *, void *);
typedef void *(*md1)(void *, double);
typedef void *(*md2)(void *, double, double);
typedef void *(*mgimme)(void *, t_symbol *, long, t_atom *);
typedef t_max_err (*mgimmeback)(void *, t_symbol *, long, t_atom *, t_atom *);

static int is_defer_type(char t)
{
    return t == A_DEFER || t == A_USURP || t == A_DEFER_LOW || t == A_USURP_LOW;
}

/* Calls a typed method (A_LONG, A_FLOAT, A_SYM, A_DEF*, A_OBJ) with converted arguments.
 * Words (longs, symbols, objects) are passed as pointer-sized integers, floats as double.
 * Signatures the host cannot call portably (floats mixed with words) fail loudly. */
static t_max_err call_typed(t_object *x, hmethod *m, long ac, t_atom *av)
{
    void *w[MSG_MAXARG];
    double d[MSG_MAXARG];
    long nw = 0, nd = 0, n = (long)strlen(m->types);
    for (long i = 0; i < n; i++) {
        char t = m->types[i];
        const t_atom *a = i < ac ? av + i : NULL;
        switch (t) {
        case A_LONG:
        case A_DEFLONG:
            if (!a && t == A_LONG) {
                object_error(x, "%s: missing argument for message \"%s\"", host_object_name(x), m->name->s_name);
                return MAX_ERR_GENERIC;
            }
            w[nw++] = (void *)(t_ptr_int)(a ? atom_getlong(a) : 0);
            break;
        case A_FLOAT:
        case A_DEFFLOAT:
            if (!a && t == A_FLOAT) {
                object_error(x, "%s: missing argument for message \"%s\"", host_object_name(x), m->name->s_name);
                return MAX_ERR_GENERIC;
            }
            d[nd++] = a ? atom_getfloat(a) : 0.0;
            break;
        case A_SYM:
        case A_DEFSYM:
            if (!a && t == A_SYM) {
                object_error(x, "%s: missing argument for message \"%s\"", host_object_name(x), m->name->s_name);
                return MAX_ERR_GENERIC;
            }
            w[nw++] = a ? atom_getsym(a) : gensym("");
            break;
        case A_OBJ: w[nw++] = a ? atom_getobj(a) : NULL; break;
        default:
            host_fatal("class %s method %s: argument type %d not modelled", host_object_name(x), m->name->s_name, t);
        }
    }
    if (nd == 0) {
        switch (nw) {
        case 0: ((m0)m->fn)(x); return MAX_ERR_NONE;
        case 1: ((mw1)m->fn)(x, w[0]); return MAX_ERR_NONE;
        case 2: ((mw2)m->fn)(x, w[0], w[1]); return MAX_ERR_NONE;
        case 3: ((mw3)m->fn)(x, w[0], w[1], w[2]); return MAX_ERR_NONE;
        case 4: ((mw4)m->fn)(x, w[0], w[1], w[2], w[3]); return MAX_ERR_NONE;
        case 5: ((mw5)m->fn)(x, w[0], w[1], w[2], w[3], w[4]); return MAX_ERR_NONE;
        case 6: ((mw6)m->fn)(x, w[0], w[1], w[2], w[3], w[4], w[5]); return MAX_ERR_NONE;
        default: break;
        }
    } else if (nw == 0 && nd == 1) {
        ((md1)m->fn)(x, d[0]);
        return MAX_ERR_NONE;
    } else if (nw == 0 && nd == 2) {
        ((md2)m->fn)(x, d[0], d[1]);
        return MAX_ERR_NONE;
    }
    host_fatal("class %s method %s: signature \"%s\" (floats mixed with other types) is not modelled by the test host",
               host_object_name(x), m->name->s_name, m->types);
    return MAX_ERR_GENERIC;
}

typedef struct deferred_gimme {
    hmethod *m;
} deferred_gimme;

static void call_gimme_deferred(t_object *x, t_symbol *s, short ac, t_atom *av)
{
    hmethod *m = host_find_method(host_class_of(x), s);
    if (m)
        ((mgimme)m->fn)(x, s, ac, av);
}

t_max_err host_dispatch(t_object *x, t_symbol *s, long ac, t_atom *av)
{
    hclass *c = host_class_of(x);
    if (!c)
        return MAX_ERR_INVALID_PTR;
    hmethod *m = host_find_method(c, s);
    /* Max's conversions between int and float when only one of them is defined. */
    if (!m && s == gensym("float") && (m = host_find_method(c, gensym("int"))) != NULL) {
        t_atom a;
        atom_setlong(&a, ac ? atom_getlong(av) : 0);
        return call_typed(x, m, 1, &a);
    }
    if (!m && s == gensym("int") && (m = host_find_method(c, gensym("float"))) != NULL) {
        t_atom a;
        atom_setfloat(&a, ac ? atom_getfloat(av) : 0);
        return call_typed(x, m, 1, &a);
    }
    if (!m) {
        hattr *a = host_find_attr(c, s);
        if (a) {
            if (a->flags & ATTR_SET_OPAQUE_USER) {
                object_error(x, "%s: attribute %s is read-only", c->name->s_name, s->s_name);
                return MAX_ERR_GENERIC;
            }
            return host_attr_set(x, a, ac, av);
        }
        m = host_find_method(c, gensym("anything"));
        if (!m) {
            /* What Max prints for a message an object has no method for. */
            object_error(x, "doesn't understand \"%s\"", s->s_name);
            return MAX_ERR_GENERIC;
        }
    }
    char t0 = m->types[0];
    if (t0 == A_GIMME) {
        ((mgimme)m->fn)(x, s, ac, av);
        return MAX_ERR_NONE;
    }
    if (t0 == A_GIMMEBACK) {
        t_atom rv;
        return ((mgimmeback)m->fn)(x, s, ac, av, &rv);
    }
    if (is_defer_type(t0)) {
        if (t0 == A_DEFER || t0 == A_USURP)
            defer(x, (method)call_gimme_deferred, s, (short)ac, av);
        else
            defer_low(x, (method)call_gimme_deferred, s, (short)ac, av);
        return MAX_ERR_NONE;
    }
    if (t0 == A_CANT) {
        object_error(x, "doesn't understand \"%s\"", s->s_name);
        return MAX_ERR_GENERIC;
    }
    return call_typed(x, m, ac, av);
}

/* ------------------------------------------------------------------ registry */

typedef struct hreg {
    t_symbol *ns, *name;
    t_object *obj; /* NULL while only attached (not yet registered) */
    t_object **clients;
    long nclients;
    struct hreg *next;
} hreg;
static hreg *registry;

static hreg *reg_find(t_symbol *ns, t_symbol *name)
{
    for (hreg *r = registry; r; r = r->next)
        if (r->ns == ns && r->name == name)
            return r;
    return NULL;
}
static hreg *reg_get(t_symbol *ns, t_symbol *name)
{
    hreg *r = reg_find(ns, name);
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->ns = ns;
        r->name = name;
        r->next = registry;
        registry = r;
    }
    return r;
}

void *object_register(t_symbol *name_space, t_symbol *s, void *x)
{
    if (!name_space || !s || !x)
        return NULL;
    pthread_mutex_lock(&host_lock);
    hreg *r = reg_get(name_space, s);
    if (r->obj && r->obj != x) {
        pthread_mutex_unlock(&host_lock);
        /* Max would rename; the host keeps names unique and says so. */
        host_consolef(MAXHOST_ERROR, NULL, "test host: object_register: %s already registered in %s", s->s_name,
                      name_space->s_name);
        return NULL;
    }
    r->obj = x;
    pthread_mutex_unlock(&host_lock);
    return x;
}

void *object_findregistered(t_symbol *name_space, t_symbol *s)
{
    pthread_mutex_lock(&host_lock);
    hreg *r = reg_find(name_space, s);
    void *o = r ? r->obj : NULL;
    pthread_mutex_unlock(&host_lock);
    return o;
}

t_max_err object_findregisteredbyptr(t_symbol **name_space, t_symbol **s, void *x)
{
    pthread_mutex_lock(&host_lock);
    for (hreg *r = registry; r; r = r->next)
        if (r->obj == x) {
            *name_space = r->ns;
            *s = r->name;
            pthread_mutex_unlock(&host_lock);
            return MAX_ERR_NONE;
        }
    pthread_mutex_unlock(&host_lock);
    return MAX_ERR_GENERIC;
}

t_max_err object_unregister(void *x)
{
    pthread_mutex_lock(&host_lock);
    for (hreg *r = registry; r; r = r->next)
        if (r->obj == x)
            r->obj = NULL;
    pthread_mutex_unlock(&host_lock);
    return MAX_ERR_NONE;
}

static void reg_add_client(hreg *r, t_object *client)
{
    for (long i = 0; i < r->nclients; i++)
        if (r->clients[i] == client)
            return;
    r->clients = realloc(r->clients, (size_t)(r->nclients + 1) * sizeof *r->clients);
    if (!r->clients)
        host_fatal("out of memory");
    r->clients[r->nclients++] = client;
}

static void reg_remove_client(hreg *r, t_object *client)
{
    for (long i = 0; i < r->nclients; i++)
        if (r->clients[i] == client) {
            r->clients[i] = r->clients[--r->nclients];
            return;
        }
}

/* Attaching to a name that is not registered yet returns NULL, as in Max; the host keeps
 * the attachment so that the client hears about an object registered later under it. */
void *object_attach(t_symbol *name_space, t_symbol *s, void *x)
{
    pthread_mutex_lock(&host_lock);
    hreg *r = reg_get(name_space, s);
    reg_add_client(r, x);
    void *o = r->obj;
    pthread_mutex_unlock(&host_lock);
    return o;
}
void *object_subscribe(t_symbol *name_space, t_symbol *s, t_symbol *classname, void *x)
{
    (void)classname;
    return object_attach(name_space, s, x);
}
t_max_err object_unsubscribe(t_symbol *name_space, t_symbol *s, t_symbol *classname, void *x)
{
    (void)classname;
    return object_detach(name_space, s, x);
}

t_max_err object_detach(t_symbol *name_space, t_symbol *s, void *x)
{
    pthread_mutex_lock(&host_lock);
    hreg *r = reg_find(name_space, s);
    if (r)
        reg_remove_client(r, x);
    pthread_mutex_unlock(&host_lock);
    return MAX_ERR_NONE;
}

t_max_err object_attach_byptr(void *x, void *registeredobject)
{
    pthread_mutex_lock(&host_lock);
    for (hreg *r = registry; r; r = r->next)
        if (r->obj == registeredobject) {
            reg_add_client(r, x);
            pthread_mutex_unlock(&host_lock);
            return MAX_ERR_NONE;
        }
    pthread_mutex_unlock(&host_lock);
    return MAX_ERR_GENERIC;
}
t_max_err object_attach_byptr_register(void *x, void *object_to_attach, t_symbol *reg_name_space)
{
    (void)reg_name_space;
    return object_attach_byptr(x, object_to_attach);
}
t_max_err object_detach_byptr(void *x, void *registeredobject)
{
    pthread_mutex_lock(&host_lock);
    for (hreg *r = registry; r; r = r->next)
        if (r->obj == registeredobject)
            reg_remove_client(r, x);
    pthread_mutex_unlock(&host_lock);
    return MAX_ERR_NONE;
}

/* Calls each client's "notify" method: (x, s = sender's registered name, msg, sender, data). */
void host_notify_clients(t_object *sender, t_symbol *name, t_symbol *msg, void *data)
{
    t_object *clients[256];
    long n = 0;
    pthread_mutex_lock(&host_lock);
    for (hreg *r = registry; r; r = r->next)
        if ((sender && r->obj == sender) || (!sender && r->name == name))
            for (long i = 0; i < r->nclients && n < 256; i++)
                clients[n++] = r->clients[i];
    pthread_mutex_unlock(&host_lock);
    for (long i = 0; i < n; i++) {
        method fn = object_getmethod(clients[i], gensym("notify"));
        if (fn)
            ((t_max_err(*)(void *, t_symbol *, t_symbol *, void *, void *))fn)(clients[i], name, msg, sender, data);
    }
}

t_max_err object_notify(void *x, t_symbol *s, void *data)
{
    t_symbol *ns = NULL, *name = NULL;
    if (object_findregisteredbyptr(&ns, &name, x) != MAX_ERR_NONE)
        return MAX_ERR_NONE; /* nobody can be attached to an unregistered object */
    host_notify_clients(x, name, s, data);
    return MAX_ERR_NONE;
}

void host_registry_forget(t_object *x)
{
    pthread_mutex_lock(&host_lock);
    for (hreg *r = registry; r; r = r->next) {
        if (r->obj == x)
            r->obj = NULL;
        reg_remove_client(r, x);
    }
    pthread_mutex_unlock(&host_lock);
}

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

static int file_exists(const char *full)
{
    FILE *f = fopen(full, "rb");
    if (f)
        fclose(f);
    return f != NULL;
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
    loaded *l = xcalloc(1, sizeof *l);
    snprintf(l->path, sizeof l->path, "%s", path);
    l->handle = h;
    l->next = loadeds;
    loadeds = l;
    char filename[MAX_FILENAME_CHARS], *abs = realpath(path, NULL);
    if (abs)
        path_frompathname(abs, &loading_path, filename);
    free(abs);
    ext_main_fn(NULL);
    loading_path = 0;
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
    long ac = parse_atoms(args, &av);
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
    long ac = parse_atoms(message, &av);
    t_max_err e = MAX_ERR_GENERIC;
    long ninlets = o->ninlets > 0 ? o->ninlets : 1;
    if (inlet < 0 || inlet >= ninlets) {
        free(av);
        host_consolef(MAXHOST_ERROR, NULL, "test host: a %s object has no inlet %ld", o->cls->name->s_name, inlet);
        return -1;
    }
    char kind = inlet > 0 ? o->inlet_kind[inlet] : 0;
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
    long ac = parse_atoms(values, &av);
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
        hinstance *h = instances;
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
