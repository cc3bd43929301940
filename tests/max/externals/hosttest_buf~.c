/* nn~ in C — hosttest_buf~: a test-only external that reads buffer~ and [array] contents
 * through the test host.
 * SPDX-License-Identifier: MIT
 *
 * [hosttest_buf~ @buffer name]
 * - "read": sends "buffer <channels> <frames> <sr> <sum of all samples>" (or posts an error
 *   when the buffer~ does not exist);
 * - "array <name>": finds the [array] registered under name in the box namespace, sends
 *   "array <count> <sum>" and attaches to it for notifications;
 * - its notify method posts "notify <msg> <name>" for the buffer~ and the array;
 * - "clear": sends "clear" to the buffer~ object (a call the test host does not model).
 */
#include "ext.h"
#include "ext_atomarray.h"
#include "ext_buffer.h"
#include "ext_obex.h"

typedef struct hosttest_buf {
    t_object ob;
    t_symbol *buffer;
    t_buffer_ref *ref;
    t_symbol *array;
    void *out;
} t_hosttest_buf;

static t_class *buf_class;

static t_max_err buf_set_buffer(t_hosttest_buf *x, void *attr, long ac, t_atom *av)
{
    (void)attr;
    x->buffer = ac ? atom_getsym(av) : gensym("");
    if (!x->ref)
        x->ref = buffer_ref_new((t_object *)x, x->buffer);
    else
        buffer_ref_set(x->ref, x->buffer);
    return MAX_ERR_NONE;
}

static void buf_read(t_hosttest_buf *x)
{
    t_buffer_obj *b = x->ref ? buffer_ref_getobject(x->ref) : NULL;
    if (!b) {
        object_error((t_object *)x, "no buffer~ %s", x->buffer ? x->buffer->s_name : "");
        return;
    }
    long chans = (long)buffer_getchannelcount(b), frames = (long)buffer_getframecount(b);
    double sr = buffer_getsamplerate(b);
    float *s = buffer_locksamples(b);
    double sum = 0;
    for (long i = 0; s && i < chans * frames; i++)
        sum += s[i];
    if (s)
        buffer_unlocksamples(b);
    t_atom a[4];
    atom_setlong(a, chans);
    atom_setlong(a + 1, frames);
    atom_setfloat(a + 2, sr);
    atom_setfloat(a + 3, sum);
    outlet_anything(x->out, gensym("buffer"), 4, a);
}

static void buf_array(t_hosttest_buf *x, t_symbol *name)
{
    t_object *arr = object_findregistered(CLASS_BOX, name);
    if (x->array)
        object_detach(CLASS_BOX, x->array, x);
    x->array = name;
    object_attach(CLASS_BOX, name, x);
    if (!arr || object_classname(arr) != gensym("atomarray")) {
        object_error((t_object *)x, "no array %s", name->s_name);
        return;
    }
    long ac = 0;
    t_atom *av = NULL;
    atomarray_getatoms((t_atomarray *)arr, &ac, &av);
    double sum = 0;
    for (long i = 0; i < ac; i++)
        sum += atom_getfloat(av + i);
    t_atom a[2];
    atom_setlong(a, ac);
    atom_setfloat(a + 1, sum);
    outlet_anything(x->out, gensym("array"), 2, a);
}

static void buf_clear(t_hosttest_buf *x)
{
    t_buffer_obj *b = x->ref ? buffer_ref_getobject(x->ref) : NULL;
    if (b)
        object_method(b, gensym("clear"));
}

static t_max_err buf_notify(t_hosttest_buf *x, t_symbol *s, t_symbol *msg, void *sender, void *data)
{
    object_post((t_object *)x, "notify %s %s", msg ? msg->s_name : "?", s ? s->s_name : "?");
    if (x->ref && s == x->buffer)
        return buffer_ref_notify(x->ref, s, msg, sender, data);
    return MAX_ERR_NONE;
}

static void *buf_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    t_hosttest_buf *x = object_alloc(buf_class);
    if (!x)
        return NULL;
    x->out = outlet_new(x, NULL);
    attr_args_process(x, (short)argc, argv);
    return x;
}

static void buf_free(t_hosttest_buf *x)
{
    if (x->array)
        object_detach(CLASS_BOX, x->array, x);
    object_free(x->ref);
}

void ext_main(void *r)
{
    (void)r;
    t_class *c =
        class_new("hosttest_buf~", (method)buf_new, (method)buf_free, sizeof(t_hosttest_buf), NULL, A_GIMME, 0);
    class_addmethod(c, (method)buf_read, "read", 0);
    class_addmethod(c, (method)buf_array, "array", A_SYM, 0);
    class_addmethod(c, (method)buf_clear, "clear", 0);
    class_addmethod(c, (method)buf_notify, "notify", A_CANT, 0);
    CLASS_ATTR_SYM(c, "buffer", 0, t_hosttest_buf, buffer);
    CLASS_ATTR_ACCESSORS(c, "buffer", 0, buf_set_buffer);
    class_register(CLASS_BOX, c);
    buf_class = c;
}
