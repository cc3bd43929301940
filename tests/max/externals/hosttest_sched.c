/* nn~ in C — hosttest_sched: a test-only external for Max's main thread and dictionaries
 * in the test host.
 * SPDX-License-Identifier: MIT
 *
 * Messages:
 * - "later <sym>": defer_low a call that posts "later <sym>";
 * - "tick <ms>": clock_delay; the clock posts "tick at <gettime()>";
 * - "fromthread <sym>": a thread of the object sets its qelem (which posts "qelem <sym>")
 *   and defers a call posting "deferred <sym> main=<systhread_ismainthread()>";
 * - "dict <name>": builds a dictionary, registers it under name (or a unique name when
 *   name is "-") and sends "dictionary <name>" out of its outlet;
 * - "locate <file>": posts "found <absolute path>" when locatefile_extended finds it in the
 *   search path, else the error "not found <file>";
 * - "home": posts "home <folder>", the folder the external was loaded from (class_getpath).
 */
#include "ext.h"
#include "ext_dictionary.h"
#include "ext_dictobj.h"
#include "ext_obex.h"
#include "ext_path.h"

#include <pthread.h>

typedef struct hosttest_sched {
    t_object ob;
    void *out;
    t_clock *clock;
    t_qelem *qelem;
    t_symbol *qtext;
    t_dictionary *dict;
    pthread_t thread;
    int thread_started;
} t_hosttest_sched;

static t_class *sched_class;

static void sched_post_later(t_hosttest_sched *x, t_symbol *s, short ac, t_atom *av)
{
    (void)s;
    object_post((t_object *)x, "later %s", ac ? atom_getsym(av)->s_name : "");
}

static void sched_later(t_hosttest_sched *x, t_symbol *s)
{
    t_atom a;
    atom_setsym(&a, s);
    defer_low(x, (method)sched_post_later, NULL, 1, &a);
}

static void sched_clock(t_hosttest_sched *x)
{
    object_post((t_object *)x, "tick at %ld", gettime());
}
static void sched_tick(t_hosttest_sched *x, long ms)
{
    clock_delay(x->clock, ms);
}

static void sched_qfn(t_hosttest_sched *x)
{
    object_post((t_object *)x, "qelem %s", x->qtext ? x->qtext->s_name : "");
}

static void sched_deferred(t_hosttest_sched *x, t_symbol *s, short ac, t_atom *av)
{
    (void)s;
    object_post((t_object *)x, "deferred %s main=%d", ac ? atom_getsym(av)->s_name : "", (int)systhread_ismainthread());
}

static void *sched_thread(void *arg)
{
    t_hosttest_sched *x = arg;
    qelem_set(x->qelem);
    t_atom a;
    atom_setsym(&a, x->qtext);
    defer(x, (method)sched_deferred, NULL, 1, &a);
    return NULL;
}

static void sched_fromthread(t_hosttest_sched *x, t_symbol *s)
{
    if (x->thread_started) {
        pthread_join(x->thread, NULL);
        x->thread_started = 0;
    }
    x->qtext = s;
    if (pthread_create(&x->thread, NULL, sched_thread, x) == 0)
        x->thread_started = 1;
}

static void sched_dict(t_hosttest_sched *x, t_symbol *name)
{
    if (x->dict) {
        object_free(x->dict);
        x->dict = NULL;
    }
    t_dictionary *d = dictionary_new();
    t_dictionary *inner = dictionary_new();
    dictionary_appendlong(inner, gensym("channels_in"), 2);
    dictionary_appendfloat(inner, gensym("gain"), 0.5);
    t_atom types[2];
    atom_setsym(types, gensym("int"));
    atom_setsym(types + 1, gensym("float"));
    dictionary_appendatoms(inner, gensym("attribute_type"), 2, types);
    dictionary_appenddictionary(d, gensym("forward"), (t_object *)inner);
    dictionary_appendsym(d, gensym("path"), gensym("/tmp/model.ts"));
    t_symbol *reg = name == gensym("-") ? NULL : name;
    x->dict = dictobj_register(d, &reg);
    t_atom a;
    atom_setsym(&a, reg);
    outlet_anything(x->out, gensym("dictionary"), 1, &a);
    t_dictionary *back = dictobj_findregistered_retain(reg);
    t_object *fwd = NULL;
    t_atom_long ch = 0;
    if (!back || dictionary_getdictionary(back, gensym("forward"), &fwd) != MAX_ERR_NONE ||
        dictionary_getlong((t_dictionary *)fwd, gensym("channels_in"), &ch) != MAX_ERR_NONE || ch != 2)
        object_error((t_object *)x, "dictionary does not read back");
    dictobj_release(back);
}

static void sched_locate(t_hosttest_sched *x, t_symbol *name)
{
    char file[MAX_PATH_CHARS], full[MAX_PATH_CHARS];
    short path = 0;
    t_fourcc type = 0;
    snprintf(file, sizeof file, "%s", name->s_name);
    if (locatefile_extended(file, &path, &type, NULL, 0) != 0 ||
        path_toabsolutesystempath(path, file, full) != MAX_ERR_NONE) {
        object_error((t_object *)x, "not found %s", name->s_name);
        return;
    }
    object_post((t_object *)x, "found %s", full);
}

static void sched_home(t_hosttest_sched *x)
{
    char full[MAX_PATH_CHARS];
    if (path_toabsolutesystempath(class_getpath(sched_class), "", full) != MAX_ERR_NONE)
        object_error((t_object *)x, "no home");
    else
        object_post((t_object *)x, "home %s", full);
}

static void *sched_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s, (void)argc, (void)argv;
    t_hosttest_sched *x = object_alloc(sched_class);
    if (!x)
        return NULL;
    x->out = outlet_new(x, NULL);
    x->clock = clock_new(x, (method)sched_clock);
    x->qelem = qelem_new(x, (method)sched_qfn);
    return x;
}

static void sched_free(t_hosttest_sched *x)
{
    if (x->thread_started)
        pthread_join(x->thread, NULL);
    object_free(x->clock);
    qelem_free(x->qelem);
    if (x->dict) {
        dictobj_unregister(x->dict);
        object_free(x->dict);
    }
}

void ext_main(void *r)
{
    (void)r;
    t_class *c =
        class_new("hosttest_sched", (method)sched_new, (method)sched_free, sizeof(t_hosttest_sched), NULL, A_GIMME, 0);
    class_addmethod(c, (method)sched_later, "later", A_SYM, 0);
    class_addmethod(c, (method)sched_tick, "tick", A_LONG, 0);
    class_addmethod(c, (method)sched_fromthread, "fromthread", A_SYM, 0);
    class_addmethod(c, (method)sched_dict, "dict", A_SYM, 0);
    class_addmethod(c, (method)sched_locate, "locate", A_SYM, 0);
    class_addmethod(c, (method)sched_home, "home", 0);
    class_register(CLASS_BOX, c);
    sched_class = c;
}
