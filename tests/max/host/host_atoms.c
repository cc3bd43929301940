/* nn~ in C — test host for Max externals: contract failures, symbols, memory, atoms and
 * their text, the console.
 * SPDX-License-Identifier: MIT
 *
 * Each function below that carries a Max API name implements that function for externals
 * loaded by the host (the program exports them). Behaviour follows the SDK documentation;
 * where the documentation is silent the choice is written next to the code.
 */
#define _GNU_SOURCE
#include "host_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;

/* The host or an object broke the Max API's contract: stop the test loudly. */
void host_fatal(const char *fmt, ...)
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

void *host_calloc(size_t n, size_t size)
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
    hsym *e = host_calloc(1, sizeof *e);
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
long host_parse_atoms(const char *text, t_atom **out)
{
    long cap = 8, n = 0;
    t_atom *av = host_calloc((size_t)cap, sizeof *av);
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
    long n = host_parse_atoms(parsestr, &tmp);
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
