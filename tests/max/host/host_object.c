/* nn~ in C — test host for Max externals: classes, objects, message dispatch, the registry
 * of named objects and notifications.
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "host_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------ classes */

static hclass *classes;
static hinstance *instances;

hinstance *host_instances(void)
{
    return instances;
}

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
    hclass *c = host_calloc(1, sizeof *c);
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
    t_object *o = host_calloc(1, (size_t)c->size);
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
    c->path = host_loading_path;
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
    t_object *o = host_calloc(1, (size_t)c->size);
    o->o_messlist = (t_messlist *)c;
    o->o_magic = MAGIC;
    if (!c->internal) {
        hinstance *h = host_calloc(1, sizeof *h);
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
    long ac = host_parse_atoms(parsestr, &av);
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
        r = host_calloc(1, sizeof *r);
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
