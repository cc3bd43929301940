/* nn~ in C — hosttest_gain~: a test-only MSP external that exercises the test host
 * (signal in/out, attributes, typed messages, proxies, outlets, assist, common symbols).
 * SPDX-License-Identifier: MIT
 *
 * [hosttest_gain~ <gain> @gain g @mute 0|1 @alloc_in_perform 0|1]
 * out = in * gain (zeros when muted). Inlet 1 (a proxy) takes a float gain; inlet 2 (intin)
 * posts "in2 <n>". Messages on the
 * left inlet: float posts "float <f>", int posts "int <n>", list is sent out of the info
 * outlet, bang sends bang, "report" sends the gain as an int (x1000) and as a float,
 * "ping <args>" sends "pong <args>". Its loadbang and dspstate methods post "loadbang" and
 * "dspstate <n>". @alloc_in_perform 1 makes perform64 call malloc: the
 * RealtimeSanitizer build must catch it.
 */
#include "commonsyms.h"
#include "ext.h"
#include "ext_obex.h"
#include "z_dsp.h"

#include <stdlib.h>

typedef struct hosttest_gain {
    t_pxobject ob;
    double gain;
    long mute;
    long alloc_in_perform;
    void *info; /* right outlet */
    long proxy_in;
    void *proxy;
    volatile void *sink;
} t_hosttest_gain;

static t_class *gain_class;

static void gain_perform64(t_hosttest_gain *x, t_object *dsp64, double **ins, long numins, double **outs, long numouts,
                           long sampleframes, long flags, void *userparam)
{
    (void)dsp64, (void)numins, (void)numouts, (void)flags, (void)userparam;
    if (x->alloc_in_perform) {
        x->sink = malloc(16);
        free((void *)x->sink);
    }
    double g = x->mute ? 0.0 : x->gain;
    for (long i = 0; i < sampleframes; i++)
        outs[0][i] = ins[0][i] * g;
}

static void gain_dsp64(t_hosttest_gain *x, t_object *dsp64, short *count, double samplerate, long maxvectorsize,
                       long flags)
{
    (void)count, (void)flags;
    object_post((t_object *)x, "dsp64 sr %g vs %ld", samplerate, maxvectorsize);
    /* The SDK examples' way: the dsp64 object's dsp_add64 method. */
    object_method(dsp64, gensym("dsp_add64"), x, gain_perform64, 0, 0);
}

static void gain_float(t_hosttest_gain *x, double f)
{
    if (proxy_getinlet((t_object *)x) == 1)
        x->gain = f;
    else
        object_post((t_object *)x, "float %g", f);
}

static void gain_int(t_hosttest_gain *x, long n)
{
    object_post((t_object *)x, "int %ld", n);
}

static void gain_in2(t_hosttest_gain *x, long n)
{
    object_post((t_object *)x, "in2 %ld", n);
}

static void gain_list(t_hosttest_gain *x, t_symbol *s, long ac, t_atom *av)
{
    (void)s;
    outlet_list(x->info, NULL, (short)ac, av);
}

static void gain_bang(t_hosttest_gain *x)
{
    outlet_bang(x->info);
}

static void gain_report(t_hosttest_gain *x)
{
    outlet_int(x->info, (t_atom_long)(x->gain * 1000.0));
    outlet_float(x->info, x->gain);
}

static void gain_ping(t_hosttest_gain *x, t_symbol *s, long ac, t_atom *av)
{
    (void)s;
    outlet_anything(x->info, gensym("pong"), (short)ac, av);
}

static void gain_loadbang(t_hosttest_gain *x)
{
    object_post((t_object *)x, "loadbang");
}
static void gain_dspstate(t_hosttest_gain *x, long n)
{
    object_post((t_object *)x, "dspstate %ld", n);
}

static void gain_assist(t_hosttest_gain *x, void *b, long io, long index, char *s)
{
    (void)x, (void)b;
    if (io == ASSIST_INLET)
        snprintf(s, 256, index == 0 ? "(signal) input" : index == 1 ? "(float) gain" : "(int) in2");
    else
        snprintf(s, 256, index == 0 ? "(signal) input times gain" : "info");
}

static void *gain_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    t_hosttest_gain *x = object_alloc(gain_class);
    if (!x)
        return NULL;
    x->gain = 1.0;
    long nargs = attr_args_offset((short)argc, argv);
    if (nargs > 0)
        x->gain = atom_getfloat(argv);
    dsp_setup((t_pxobject *)x, 1);
    intin(x, 2);
    x->proxy = proxy_new(x, 1, &x->proxy_in);
    x->info = outlet_new(x, NULL); /* created first: the rightmost outlet */
    outlet_new(x, "signal");
    attr_args_process(x, (short)argc, argv);
    return x;
}

static void gain_free(t_hosttest_gain *x)
{
    dsp_free((t_pxobject *)x);
}

void ext_main(void *r)
{
    (void)r;
    common_symbols_init();
    t_class *c =
        class_new("hosttest_gain~", (method)gain_new, (method)gain_free, sizeof(t_hosttest_gain), NULL, A_GIMME, 0);
    class_addmethod(c, (method)gain_dsp64, "dsp64", A_CANT, 0);
    class_addmethod(c, (method)gain_float, "float", A_FLOAT, 0);
    class_addmethod(c, (method)gain_int, "int", A_LONG, 0);
    class_addmethod(c, (method)gain_in2, "in2", A_LONG, 0);
    class_addmethod(c, (method)gain_list, "list", A_GIMME, 0);
    class_addmethod(c, (method)gain_bang, "bang", 0);
    class_addmethod(c, (method)gain_report, "report", 0);
    class_addmethod(c, (method)gain_ping, "ping", A_GIMME, 0);
    class_addmethod(c, (method)gain_assist, "assist", A_CANT, 0);
    class_addmethod(c, (method)gain_loadbang, "loadbang", A_CANT, 0);
    class_addmethod(c, (method)gain_dspstate, "dspstate", A_CANT, 0);
    CLASS_ATTR_DOUBLE(c, "gain", 0, t_hosttest_gain, gain);
    CLASS_ATTR_FILTER_CLIP(c, "gain", 0, 10);
    CLASS_ATTR_LABEL(c, "gain", 0, "Gain");
    CLASS_ATTR_LONG(c, "mute", 0, t_hosttest_gain, mute);
    CLASS_ATTR_STYLE_LABEL(c, "mute", 0, "onoff", "Mute");
    CLASS_ATTR_LONG(c, "alloc_in_perform", 0, t_hosttest_gain, alloc_in_perform);
    class_dspinit(c);
    class_register(CLASS_BOX, c);
    gain_class = c;
    if (_sym_float64 == gensym("float64") && _sym_nothing == gensym(""))
        post("hosttest_gain~: common symbols ok");
    else
        error("hosttest_gain~: common symbols wrong");
}
