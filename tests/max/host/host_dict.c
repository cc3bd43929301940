/* nn~ in C — test host for Max externals: dictionaries, dictobj registration, atomarrays,
 * object_getvalueof/setvalueof.
 * SPDX-License-Identifier: MIT
 *
 * A dictionary keeps its entries in insertion order. A value is a list of atoms; a
 * dictionary or atomarray value is one A_OBJ atom the dictionary owns (freed with it), as
 * in Max. dictionary_getatoms returns the dictionary's own atoms (not a copy), as Max does.
 */
#include "host_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hentry {
    t_symbol *key;
    long ac;
    t_atom *av;
    int owns_obj; /* av[0] is a dictionary or atomarray this dictionary owns */
} hentry;

typedef struct hdict {
    t_object ob;
    hentry *e;
    long n, cap;
    t_symbol *regname;
    long retains;
} hdict;
#define D(d) ((hdict *)(d))

typedef struct hatomarray {
    t_object ob;
    long ac;
    t_atom *av;
} hatomarray;
#define A(a) ((hatomarray *)(a))

static void entry_clear(hentry *e)
{
    if (e->owns_obj && e->ac == 1 && e->av[0].a_type == A_OBJ)
        object_free(e->av[0].a_w.w_obj);
    free(e->av);
    e->av = NULL;
    e->ac = 0;
    e->owns_obj = 0;
}

static void dict_free(t_object *x)
{
    t_dictionary *d = (t_dictionary *)x;
    for (long i = 0; i < D(d)->n; i++)
        entry_clear(D(d)->e + i);
    free(D(d)->e);
}

static void atomarray_free(t_object *x)
{
    free(((t_atomarray *)x)->av);
}

static hclass *dict_class(void)
{
    return host_internal_class("dictionary", sizeof(hdict), dict_free);
}
static hclass *aa_class(void)
{
    return host_internal_class("atomarray", sizeof(hatomarray), atomarray_free);
}

int host_is_dictionary(void *x)
{
    return host_class_of(x) == dict_class();
}
int host_is_atomarray(void *x)
{
    return host_class_of(x) == aa_class();
}

t_dictionary *dictionary_new(void)
{
    return (t_dictionary *)host_internal_alloc(dict_class());
}

static hentry *dict_find(C74_CONST t_dictionary *d, t_symbol *key)
{
    if (!d)
        return NULL;
    for (long i = 0; i < D(d)->n; i++)
        if (D(d)->e[i].key == key)
            return D(d)->e + i;
    return NULL;
}

static t_max_err dict_put(t_dictionary *d, t_symbol *key, long ac, const t_atom *av, int owns)
{
    if (!d || !key)
        return MAX_ERR_INVALID_PTR;
    hentry *e = dict_find(d, key);
    if (e) {
        entry_clear(e);
    } else {
        if (D(d)->n == D(d)->cap) {
            D(d)->cap = D(d)->cap ? D(d)->cap * 2 : 8;
            D(d)->e = realloc(D(d)->e, (size_t)D(d)->cap * sizeof *D(d)->e);
            if (!D(d)->e)
                host_fatal("out of memory");
        }
        e = D(d)->e + D(d)->n++;
        memset(e, 0, sizeof *e);
        e->key = key;
    }
    e->av = malloc((size_t)(ac ? ac : 1) * sizeof(t_atom));
    if (!e->av)
        host_fatal("out of memory");
    if (ac)
        memcpy(e->av, av, (size_t)ac * sizeof(t_atom));
    e->ac = ac;
    e->owns_obj = owns;
    return MAX_ERR_NONE;
}

t_max_err dictionary_appendlong(t_dictionary *d, t_symbol *key, t_atom_long value)
{
    t_atom a;
    atom_setlong(&a, value);
    return dict_put(d, key, 1, &a, 0);
}
t_max_err dictionary_appendfloat(t_dictionary *d, t_symbol *key, double value)
{
    t_atom a;
    atom_setfloat(&a, value);
    return dict_put(d, key, 1, &a, 0);
}
t_max_err dictionary_appendsym(t_dictionary *d, t_symbol *key, t_symbol *value)
{
    t_atom a;
    atom_setsym(&a, value);
    return dict_put(d, key, 1, &a, 0);
}
t_max_err dictionary_appendstring(t_dictionary *d, t_symbol *key, const char *value)
{
    return dictionary_appendsym(d, key, gensym(value));
}
t_max_err dictionary_appendatom(t_dictionary *d, t_symbol *key, t_atom *value)
{
    return dict_put(d, key, 1, value, 0);
}
t_max_err dictionary_appendatoms(t_dictionary *d, t_symbol *key, long argc, t_atom *argv)
{
    return dict_put(d, key, argc, argv, 0);
}
t_max_err dictionary_appenddictionary(t_dictionary *d, t_symbol *key, t_object *value)
{
    t_atom a;
    atom_setobj(&a, value);
    return dict_put(d, key, 1, &a, 1);
}
t_max_err dictionary_appendatomarray(t_dictionary *d, t_symbol *key, t_object *value)
{
    t_atom a;
    atom_setobj(&a, value);
    return dict_put(d, key, 1, &a, 1);
}

t_max_err dictionary_getlong(C74_CONST t_dictionary *d, t_symbol *key, t_atom_long *value)
{
    hentry *e = dict_find(d, key);
    if (!e || !e->ac || (e->av[0].a_type != A_LONG && e->av[0].a_type != A_FLOAT))
        return MAX_ERR_GENERIC;
    *value = atom_getlong(e->av);
    return MAX_ERR_NONE;
}
t_max_err dictionary_getfloat(C74_CONST t_dictionary *d, t_symbol *key, double *value)
{
    hentry *e = dict_find(d, key);
    if (!e || !e->ac || (e->av[0].a_type != A_LONG && e->av[0].a_type != A_FLOAT))
        return MAX_ERR_GENERIC;
    *value = atom_getfloat(e->av);
    return MAX_ERR_NONE;
}
t_max_err dictionary_getsym(C74_CONST t_dictionary *d, t_symbol *key, t_symbol **value)
{
    hentry *e = dict_find(d, key);
    if (!e || !e->ac || e->av[0].a_type != A_SYM)
        return MAX_ERR_GENERIC;
    *value = e->av[0].a_w.w_sym;
    return MAX_ERR_NONE;
}
t_max_err dictionary_getstring(C74_CONST t_dictionary *d, t_symbol *key, const char **value)
{
    t_symbol *s = NULL;
    t_max_err e = dictionary_getsym(d, key, &s);
    if (e == MAX_ERR_NONE)
        *value = s->s_name;
    return e;
}
t_max_err dictionary_getatom(C74_CONST t_dictionary *d, t_symbol *key, t_atom *value)
{
    hentry *e = dict_find(d, key);
    if (!e || !e->ac)
        return MAX_ERR_GENERIC;
    *value = e->av[0];
    return MAX_ERR_NONE;
}
t_max_err dictionary_getatoms(C74_CONST t_dictionary *d, t_symbol *key, long *argc, t_atom **argv)
{
    hentry *e = dict_find(d, key);
    if (!e)
        return MAX_ERR_GENERIC;
    *argc = e->ac;
    *argv = e->av;
    return MAX_ERR_NONE;
}
t_max_err dictionary_getdictionary(C74_CONST t_dictionary *d, t_symbol *key, t_object **value)
{
    hentry *e = dict_find(d, key);
    if (!e || e->ac != 1 || e->av[0].a_type != A_OBJ || !host_is_dictionary(e->av[0].a_w.w_obj))
        return MAX_ERR_GENERIC;
    *value = e->av[0].a_w.w_obj;
    return MAX_ERR_NONE;
}
t_max_err dictionary_getatomarray(C74_CONST t_dictionary *d, t_symbol *key, t_object **value)
{
    hentry *e = dict_find(d, key);
    if (!e || e->ac != 1 || e->av[0].a_type != A_OBJ || !host_is_atomarray(e->av[0].a_w.w_obj))
        return MAX_ERR_GENERIC;
    *value = e->av[0].a_w.w_obj;
    return MAX_ERR_NONE;
}
long dictionary_entryisdictionary(C74_CONST t_dictionary *d, t_symbol *key)
{
    t_object *o;
    return dictionary_getdictionary(d, key, &o) == MAX_ERR_NONE;
}
long dictionary_entryisatomarray(C74_CONST t_dictionary *d, t_symbol *key)
{
    t_object *o;
    return dictionary_getatomarray(d, key, &o) == MAX_ERR_NONE;
}
long dictionary_hasentry(C74_CONST t_dictionary *d, t_symbol *key)
{
    return dict_find(d, key) != NULL;
}
t_atom_long dictionary_getentrycount(C74_CONST t_dictionary *d)
{
    return d ? D(d)->n : 0;
}

t_max_err dictionary_getkeys(C74_CONST t_dictionary *d, long *numkeys, t_symbol ***keys)
{
    if (!d || !numkeys || !keys)
        return MAX_ERR_INVALID_PTR;
    *numkeys = D(d)->n;
    *keys = (t_symbol **)sysmem_newptr((t_ptr_size)(D(d)->n ? D(d)->n : 1) * sizeof(t_symbol *));
    for (long i = 0; i < D(d)->n; i++)
        (*keys)[i] = D(d)->e[i].key;
    return MAX_ERR_NONE;
}
t_max_err dictionary_getkeys_ordered(C74_CONST t_dictionary *d, long *numkeys, t_symbol ***keys)
{
    return dictionary_getkeys(d, numkeys, keys);
}
void dictionary_freekeys(t_dictionary *d, long numkeys, t_symbol **keys)
{
    (void)d, (void)numkeys;
    sysmem_freeptr(keys);
}

static t_max_err dict_remove(t_dictionary *d, t_symbol *key, int free_value)
{
    hentry *e = dict_find(d, key);
    if (!e)
        return MAX_ERR_GENERIC;
    if (!free_value)
        e->owns_obj = 0;
    entry_clear(e);
    long i = e - D(d)->e;
    memmove(D(d)->e + i, D(d)->e + i + 1, (size_t)(D(d)->n - i - 1) * sizeof *D(d)->e);
    D(d)->n--;
    return MAX_ERR_NONE;
}
t_max_err dictionary_deleteentry(t_dictionary *d, t_symbol *key)
{
    return dict_remove(d, key, 1);
}
t_max_err dictionary_chuckentry(t_dictionary *d, t_symbol *key)
{
    return dict_remove(d, key, 0);
}
t_max_err dictionary_clear(t_dictionary *d)
{
    if (!d)
        return MAX_ERR_INVALID_PTR;
    for (long i = 0; i < D(d)->n; i++)
        entry_clear(D(d)->e + i);
    D(d)->n = 0;
    return MAX_ERR_NONE;
}

/* ------------------------------------------------------------------ dictobj */

static long unique_counter;

t_dictionary *dictobj_register(t_dictionary *d, t_symbol **name)
{
    if (!d || !name)
        return NULL;
    if (!*name || !(*name)->s_name[0]) {
        char buf[32];
        snprintf(buf, sizeof buf, "u%06ld", ++unique_counter);
        *name = gensym(buf);
    }
    t_dictionary *old = object_findregistered(gensym("dictionary"), *name);
    if (old && old != d) {
        /* Max makes the name refer to the new dictionary; the host does the same. */
        object_unregister(old);
        D(old)->regname = NULL;
    }
    object_register(gensym("dictionary"), *name, d);
    D(d)->regname = *name;
    return d;
}
t_max_err dictobj_unregister(t_dictionary *d)
{
    if (!d)
        return MAX_ERR_INVALID_PTR;
    object_unregister(d);
    D(d)->regname = NULL;
    return MAX_ERR_NONE;
}
t_dictionary *dictobj_findregistered_retain(t_symbol *name)
{
    t_dictionary *d = object_findregistered(gensym("dictionary"), name);
    if (d)
        D(d)->retains++;
    return d;
}
t_max_err dictobj_release(t_dictionary *d)
{
    if (d && D(d)->retains > 0)
        D(d)->retains--;
    return MAX_ERR_NONE;
}
t_symbol *dictobj_namefromptr(t_dictionary *d)
{
    return d ? D(d)->regname : NULL;
}

/* ------------------------------------------------------------------ text */

static void text_append(char *out, size_t outlen, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n + 1 > outlen)
        n = outlen > *used + 1 ? outlen - *used - 1 : 0;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = 0;
}

static void dict_text(const t_dictionary *d, char *out, size_t outlen, size_t *used);

static void atom_json(const t_atom *a, char *out, size_t outlen, size_t *used)
{
    char buf[512];
    if (a->a_type == A_SYM) {
        snprintf(buf, sizeof buf, "\"%s\"", a->a_w.w_sym->s_name);
        text_append(out, outlen, used, buf);
    } else if (a->a_type == A_OBJ && host_is_dictionary(a->a_w.w_obj)) {
        dict_text((const t_dictionary *)a->a_w.w_obj, out, outlen, used);
    } else if (a->a_type == A_OBJ && host_is_atomarray(a->a_w.w_obj)) {
        const hatomarray *aa = (const hatomarray *)a->a_w.w_obj;
        text_append(out, outlen, used, "[");
        for (long i = 0; i < A(aa)->ac; i++) {
            if (i)
                text_append(out, outlen, used, ", ");
            atom_json(A(aa)->av + i, out, outlen, used);
        }
        text_append(out, outlen, used, "]");
    } else {
        host_atoms_text(1, a, buf, sizeof buf);
        text_append(out, outlen, used, buf);
    }
}

static void dict_text(const t_dictionary *d, char *out, size_t outlen, size_t *used)
{
    text_append(out, outlen, used, "{");
    for (long i = 0; i < D(d)->n; i++) {
        char key[300];
        snprintf(key, sizeof key, "%s\"%s\": ", i ? ", " : "", D(d)->e[i].key->s_name);
        text_append(out, outlen, used, key);
        if (D(d)->e[i].ac == 1) {
            atom_json(D(d)->e[i].av, out, outlen, used);
        } else {
            text_append(out, outlen, used, "[");
            for (long k = 0; k < D(d)->e[i].ac; k++) {
                if (k)
                    text_append(out, outlen, used, ", ");
                atom_json(D(d)->e[i].av + k, out, outlen, used);
            }
            text_append(out, outlen, used, "]");
        }
    }
    text_append(out, outlen, used, "}");
}

int maxhost_dict_text(const char *name, char *out, size_t outlen)
{
    if (!out || !outlen)
        return -1;
    out[0] = 0;
    t_dictionary *d = object_findregistered(gensym("dictionary"), gensym(name));
    if (!d)
        return -1;
    size_t used = 0;
    dict_text(d, out, outlen, &used);
    return 0;
}

void host_dict_reset(void)
{
    unique_counter = 0;
}

/* ------------------------------------------------------------------ atomarray */

t_atomarray *atomarray_new(long ac, t_atom *av)
{
    t_atomarray *a = (t_atomarray *)host_internal_alloc(aa_class());
    atomarray_setatoms(a, ac, av);
    return a;
}
t_max_err atomarray_setatoms(t_atomarray *x, long ac, t_atom *av)
{
    if (!x)
        return MAX_ERR_INVALID_PTR;
    t_atom *n = malloc((size_t)(ac > 0 ? ac : 1) * sizeof(t_atom));
    if (!n)
        return MAX_ERR_OUT_OF_MEM;
    if (ac > 0 && av)
        memcpy(n, av, (size_t)ac * sizeof(t_atom));
    free(A(x)->av);
    A(x)->av = n;
    A(x)->ac = ac > 0 && av ? ac : 0;
    return MAX_ERR_NONE;
}
t_max_err atomarray_getatoms(t_atomarray *x, long *ac, t_atom **av)
{
    if (!x || !ac || !av)
        return MAX_ERR_INVALID_PTR;
    *ac = A(x)->ac;
    *av = A(x)->av;
    return MAX_ERR_NONE;
}
t_max_err atomarray_copyatoms(t_atomarray *x, long *ac, t_atom **av)
{
    if (!x || !ac || !av)
        return MAX_ERR_INVALID_PTR;
    *av = (t_atom *)sysmem_newptr((t_ptr_size)(A(x)->ac ? A(x)->ac : 1) * sizeof(t_atom));
    if (!*av)
        return MAX_ERR_OUT_OF_MEM;
    memcpy(*av, A(x)->av, (size_t)A(x)->ac * sizeof(t_atom));
    *ac = A(x)->ac;
    return MAX_ERR_NONE;
}
t_atom_long atomarray_getsize(t_atomarray *x)
{
    return x ? A(x)->ac : 0;
}
t_max_err atomarray_getindex(t_atomarray *x, long index, t_atom *av)
{
    if (!x || !av || index < 0 || index >= A(x)->ac)
        return MAX_ERR_GENERIC;
    *av = A(x)->av[index];
    return MAX_ERR_NONE;
}
void atomarray_appendatom(t_atomarray *x, t_atom *a)
{
    if (!x || !a)
        return;
    t_atom *n = realloc(A(x)->av, (size_t)(A(x)->ac + 1) * sizeof(t_atom));
    if (!n)
        host_fatal("out of memory");
    A(x)->av = n;
    A(x)->av[A(x)->ac++] = *a;
}
void atomarray_clear(t_atomarray *x)
{
    if (x)
        A(x)->ac = 0;
}

/* object_getvalueof: the atomarray's atoms, or the object's "getvalueof" method. The
 * caller frees *av with sysmem_freeptr when it passed *ac = 0 and *av = NULL. */
t_max_err object_getvalueof(void *x, long *ac, t_atom **av)
{
    if (host_is_atomarray(x)) {
        t_atomarray *a = x;
        if (!*av || *ac < A(a)->ac) {
            *av = (t_atom *)sysmem_newptr((t_ptr_size)(A(a)->ac ? A(a)->ac : 1) * sizeof(t_atom));
            if (!*av)
                return MAX_ERR_OUT_OF_MEM;
        }
        memcpy(*av, A(a)->av, (size_t)A(a)->ac * sizeof(t_atom));
        *ac = A(a)->ac;
        return MAX_ERR_NONE;
    }
    method m = object_getmethod(x, gensym("getvalueof"));
    if (!m)
        return MAX_ERR_GENERIC;
    return ((t_max_err(*)(void *, long *, t_atom **))m)(x, ac, av);
}
t_max_err object_setvalueof(void *x, long ac, t_atom *av)
{
    if (host_is_atomarray(x))
        return atomarray_setatoms(x, ac, av);
    method m = object_getmethod(x, gensym("setvalueof"));
    if (!m)
        return MAX_ERR_GENERIC;
    return ((t_max_err(*)(void *, long, t_atom *))m)(x, ac, av);
}
