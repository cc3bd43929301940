/* nn~ in C — test host for Max externals: attributes (the machinery behind CLASS_ATTR_*,
 * object_attr_*, attr_args_process).
 * SPDX-License-Identifier: MIT
 */
#include "host_internal.h"

#include <stdlib.h>
#include <string.h>

static hclass *attr_class(void)
{
    return host_internal_class("attr", sizeof(hattr), NULL);
}

t_object *attr_offset_new(C74_CONST char *name, C74_CONST t_symbol *type, long flags, C74_CONST method mget,
                          C74_CONST method mset, long offset)
{
    hattr *a = (hattr *)host_internal_alloc(attr_class());
    a->name = gensym(name);
    a->type = (t_symbol *)type;
    a->flags = flags;
    a->mget = mget;
    a->mset = mset;
    a->offset = offset;
    a->size = 1;
    return &a->ob;
}

t_object *attr_offset_array_new(C74_CONST char *name, t_symbol *type, long size, long flags, method mget, method mset,
                                long offsetcount, long offset)
{
    hattr *a = (hattr *)attr_offset_new(name, type, flags, mget, mset, offset);
    a->size = size;
    a->offsetcount = offsetcount;
    return &a->ob;
}

t_max_err class_addattr(t_class *tc, t_object *attr)
{
    hclass *c = (hclass *)tc;
    hclass *ac = host_class_of(attr);
    if (!c || !ac || ac->name != gensym("attr"))
        return MAX_ERR_INVALID_PTR;
    if (c->nattrs == c->capattrs) {
        c->capattrs = c->capattrs ? c->capattrs * 2 : 8;
        c->attrs = realloc(c->attrs, (size_t)c->capattrs * sizeof *c->attrs);
        if (!c->attrs)
            host_fatal("out of memory");
    }
    c->attrs[c->nattrs++] = (hattr *)attr;
    return MAX_ERR_NONE;
}

hattr *host_find_attr(hclass *c, t_symbol *s)
{
    if (!c)
        return NULL;
    for (long i = 0; i < c->nattrs; i++)
        if (c->attrs[i]->name == s)
            return c->attrs[i];
    return NULL;
}

void *class_attr_get(t_class *x, t_symbol *attrname)
{
    return host_find_attr((hclass *)x, attrname);
}

t_max_err attr_addfilter_clip(void *x, double min, double max, long usemin, long usemax)
{
    hattr *a = x;
    if (!a)
        return MAX_ERR_INVALID_PTR;
    a->has_clip_min = usemin != 0;
    a->has_clip_max = usemax != 0;
    a->clip_min = min;
    a->clip_max = max;
    return MAX_ERR_NONE;
}

/* Attributes of attributes (label, style, default, save, category, ...): the host keeps the
 * first atom of each so that tests can read them; "default" is applied at attr_args_process
 * time only by Max's dictionary constructor, which the host does not model. */
static t_max_err attrattr_store(hclass *c, const char *attrname, const char *attrname2, long ac, t_atom *av)
{
    hattr *a = host_find_attr(c, gensym(attrname));
    if (!a) {
        host_consolef(MAXHOST_ERROR, NULL, "test host: class %s: attribute %s of unknown attribute %s",
                      c ? c->name->s_name : "?", attrname2, attrname);
        return MAX_ERR_GENERIC;
    }
    t_symbol *n = gensym(attrname2);
    long i = 0;
    while (i < a->nattrattrs && a->attrattr_names[i] != n)
        i++;
    if (i == 16)
        return MAX_ERR_GENERIC;
    if (i == a->nattrattrs)
        a->nattrattrs++;
    a->attrattr_names[i] = n;
    if (ac > 0)
        a->attrattr_values[i] = av[0];
    else
        atom_setsym(a->attrattr_values + i, gensym(""));
    return MAX_ERR_NONE;
}

t_max_err class_attr_addattr_parse(t_class *c, C74_CONST char *attrname, C74_CONST char *attrname2, t_symbol *type,
                                   long flags, C74_CONST char *parsestr)
{
    (void)type, (void)flags;
    long ac = 0;
    t_atom *av = NULL;
    atom_setparse(&ac, &av, parsestr);
    t_max_err e = attrattr_store((hclass *)c, attrname, attrname2, ac, av);
    sysmem_freeptr(av);
    return e;
}

t_max_err class_attr_addattr_format(t_class *c, C74_CONST char *attrname, C74_CONST char *attrname2,
                                    C74_CONST t_symbol *type, long flags, C74_CONST char *fmt, ...)
{
    (void)type, (void)flags;
    t_atom av[8];
    long ac = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; f && *f && ac < 8; f++) {
        if (*f == 's')
            atom_setsym(av + ac++, va_arg(ap, t_symbol *));
        else if (*f == 'l' || *f == 'i')
            atom_setlong(av + ac++, va_arg(ap, long));
        else if (*f == 'f' || *f == 'd')
            atom_setfloat(av + ac++, va_arg(ap, double));
    }
    va_end(ap);
    return attrattr_store((hclass *)c, attrname, attrname2, ac, av);
}

t_max_err class_attr_addattr_atoms(t_class *c, C74_CONST char *attrname, C74_CONST char *attrname2, t_symbol *type,
                                   long flags, long ac, t_atom *av)
{
    (void)type, (void)flags;
    return attrattr_store((hclass *)c, attrname, attrname2, ac, av);
}

/* object_method on an attribute object: what the CLASS_ATTR_* macros send. */
void *host_attr_method(hattr *a, t_symbol *s, void **p)
{
    if (s == gensym("setmethod")) {
        t_symbol *which = p[0];
        if (which == gensym("get"))
            memcpy(&a->mget, &p[1], sizeof a->mget); /* object_method passes it as a word */
        else if (which == gensym("set"))
            memcpy(&a->mset, &p[1], sizeof a->mset);
        return NULL;
    }
    if (s == gensym("getflags"))
        return (void *)(t_ptr_int)a->flags;
    if (s == gensym("setflags")) {
        a->flags = (long)(t_ptr_int)p[0];
        return NULL;
    }
    if (s == gensym("gettype"))
        return a->type;
    if (s == gensym("getname"))
        return a->name;
    host_fatal("attribute %s: method %s not modelled by the test host", a->name->s_name, s->s_name);
    return NULL;
}

static double clip(const hattr *a, double v)
{
    if (a->has_clip_min && v < a->clip_min)
        v = a->clip_min;
    if (a->has_clip_max && v > a->clip_max)
        v = a->clip_max;
    return v;
}

typedef t_max_err (*attr_setter)(void *x, void *attr, long ac, t_atom *av);
typedef t_max_err (*attr_getter)(void *x, void *attr, long *ac, t_atom **av);

t_max_err host_attr_set(t_object *x, hattr *a, long ac, t_atom *av)
{
    t_atom tmp[64];
    if (ac > 64)
        ac = 64;
    for (long i = 0; i < ac; i++) {
        tmp[i] = av[i];
        if ((a->has_clip_min || a->has_clip_max) && (av[i].a_type == A_LONG || av[i].a_type == A_FLOAT)) {
            if (av[i].a_type == A_LONG)
                atom_setlong(tmp + i, (t_atom_long)clip(a, (double)av[i].a_w.w_long));
            else
                atom_setfloat(tmp + i, clip(a, av[i].a_w.w_float));
        }
    }
    if (a->mset)
        return ((attr_setter)a->mset)(x, a, ac, tmp);
    char *base = (char *)x + a->offset;
    long n = a->size;
    if (a->offsetcount) {
        /* The count of an array attribute lives in the object at offsetcount. */
        n = ac < a->size ? ac : a->size;
        *(long *)((char *)x + a->offsetcount) = n;
    }
    for (long i = 0; i < n && i < ac; i++) {
        t_symbol *t = a->type;
        if (t == gensym("char"))
            ((char *)base)[i] = (char)atom_getlong(tmp + i);
        else if (t == gensym("long"))
            ((long *)base)[i] = (long)atom_getlong(tmp + i);
        else if (t == gensym("atom_long"))
            ((t_atom_long *)base)[i] = atom_getlong(tmp + i);
        else if (t == gensym("int32"))
            ((t_int32 *)base)[i] = (t_int32)atom_getlong(tmp + i);
        else if (t == gensym("float32")) {
            float v = (float)atom_getfloat(tmp + i);
            memcpy(base + (size_t)i * sizeof v, &v, sizeof v);
        } else if (t == gensym("float64")) {
            double v = atom_getfloat(tmp + i);
            memcpy(base + (size_t)i * sizeof v, &v, sizeof v);
        } else if (t == gensym("symbol"))
            ((t_symbol **)base)[i] = atom_getsym(tmp + i);
        else if (t == gensym("object"))
            ((void **)base)[i] = atom_getobj(tmp + i);
        else if (t == gensym("atom"))
            ((t_atom *)base)[i] = tmp[i];
        else
            host_fatal("attribute %s: type %s not modelled", a->name->s_name, t ? t->s_name : "?");
    }
    return MAX_ERR_NONE;
}

t_max_err host_attr_get(t_object *x, hattr *a, long *ac, t_atom **av)
{
    if (a->mget)
        return ((attr_getter)a->mget)(x, a, ac, av);
    long n = a->size;
    if (a->offsetcount)
        n = *(long *)((char *)x + a->offsetcount);
    if (!*av || *ac < n) {
        *av = (t_atom *)sysmem_newptrclear((t_ptr_size)(n ? n : 1) * sizeof(t_atom));
        if (!*av)
            return MAX_ERR_OUT_OF_MEM;
    }
    *ac = n;
    char *base = (char *)x + a->offset;
    for (long i = 0; i < n; i++) {
        t_symbol *t = a->type;
        t_atom *o = *av + i;
        if (t == gensym("char"))
            atom_setlong(o, ((char *)base)[i]);
        else if (t == gensym("long"))
            atom_setlong(o, ((long *)base)[i]);
        else if (t == gensym("atom_long"))
            atom_setlong(o, ((t_atom_long *)base)[i]);
        else if (t == gensym("int32"))
            atom_setlong(o, ((t_int32 *)base)[i]);
        else if (t == gensym("float32")) {
            float v;
            memcpy(&v, base + (size_t)i * sizeof v, sizeof v);
            atom_setfloat(o, v);
        } else if (t == gensym("float64")) {
            double v;
            memcpy(&v, base + (size_t)i * sizeof v, sizeof v);
            atom_setfloat(o, v);
        } else if (t == gensym("symbol"))
            atom_setsym(o, ((t_symbol **)base)[i]);
        else if (t == gensym("object"))
            atom_setobj(o, ((void **)base)[i]);
        else if (t == gensym("atom"))
            *o = ((t_atom *)base)[i];
        else
            host_fatal("attribute %s: type %s not modelled", a->name->s_name, t ? t->s_name : "?");
    }
    return MAX_ERR_NONE;
}

t_max_err object_attr_setvalueof(void *x, t_symbol *s, long argc, t_atom *argv)
{
    hattr *a = host_find_attr(host_class_of(x), s);
    if (!a)
        return MAX_ERR_GENERIC;
    return host_attr_set(x, a, argc, argv);
}

t_max_err object_attr_getvalueof(void *x, t_symbol *s, long *argc, t_atom **argv)
{
    hattr *a = host_find_attr(host_class_of(x), s);
    if (!a || !argc || !argv)
        return MAX_ERR_GENERIC;
    return host_attr_get(x, a, argc, argv);
}

void *object_attr_get(void *x, t_symbol *attrname)
{
    return host_find_attr(host_class_of(x), attrname);
}

long object_attr_usercanset(void *x, t_symbol *s)
{
    hattr *a = host_find_attr(host_class_of(x), s);
    return a && !(a->flags & (ATTR_SET_OPAQUE_USER | ATTR_SET_OPAQUE));
}
long object_attr_usercanget(void *x, t_symbol *s)
{
    hattr *a = host_find_attr(host_class_of(x), s);
    return a && !(a->flags & (ATTR_GET_OPAQUE_USER | ATTR_GET_OPAQUE));
}

t_max_err object_attr_touch(t_object *x, t_symbol *attrname)
{
    (void)x, (void)attrname;
    return MAX_ERR_NONE;
}

static t_atom first_value(void *x, t_symbol *s)
{
    t_atom r;
    atom_setlong(&r, 0);
    long ac = 0;
    t_atom *av = NULL;
    if (object_attr_getvalueof(x, s, &ac, &av) == MAX_ERR_NONE && ac > 0)
        r = av[0];
    sysmem_freeptr(av);
    return r;
}

t_atom_long object_attr_getlong(void *x, t_symbol *s)
{
    t_atom a = first_value(x, s);
    return atom_getlong(&a);
}
t_max_err object_attr_setlong(void *x, t_symbol *s, t_atom_long c)
{
    t_atom a;
    atom_setlong(&a, c);
    return object_attr_setvalueof(x, s, 1, &a);
}
t_atom_float object_attr_getfloat(void *x, t_symbol *s)
{
    t_atom a = first_value(x, s);
    return atom_getfloat(&a);
}
t_max_err object_attr_setfloat(void *x, t_symbol *s, t_atom_float c)
{
    t_atom a;
    atom_setfloat(&a, c);
    return object_attr_setvalueof(x, s, 1, &a);
}
t_symbol *object_attr_getsym(void *x, t_symbol *s)
{
    t_atom a = first_value(x, s);
    return atom_getsym(&a);
}
t_max_err object_attr_setsym(void *x, t_symbol *s, t_symbol *c)
{
    t_atom a;
    atom_setsym(&a, c);
    return object_attr_setvalueof(x, s, 1, &a);
}
char object_attr_getchar(void *x, t_symbol *s)
{
    t_atom a = first_value(x, s);
    return (char)atom_getlong(&a);
}
t_max_err object_attr_setchar(void *x, t_symbol *s, char c)
{
    t_atom a;
    atom_setlong(&a, c);
    return object_attr_setvalueof(x, s, 1, &a);
}

long attr_args_offset(short ac, t_atom *av)
{
    for (long i = 0; i < ac; i++)
        if (av[i].a_type == A_SYM && av[i].a_w.w_sym->s_name[0] == '@')
            return i;
    return ac;
}

/* "@name v1 v2 @other v": each @name takes the atoms up to the next @. An unknown
 * attribute gets Max's "doesn't understand" console error. */
void attr_args_process(void *x, short ac, t_atom *av)
{
    hclass *c = host_class_of(x);
    long i = attr_args_offset(ac, av);
    while (i < ac) {
        t_symbol *name = gensym(av[i].a_w.w_sym->s_name + 1);
        long j = i + 1;
        while (j < ac && !(av[j].a_type == A_SYM && av[j].a_w.w_sym->s_name[0] == '@'))
            j++;
        hattr *a = host_find_attr(c, name);
        if (!a)
            object_error(x, "doesn't understand \"%s\"", name->s_name);
        else if (j - i - 1 > 0)
            host_attr_set(x, a, j - i - 1, av + i + 1);
        i = j;
    }
}
