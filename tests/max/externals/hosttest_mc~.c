/* nn~ in C — hosttest_mc~: a test-only multichannel MSP external for the test host.
 * SPDX-License-Identifier: MIT
 *
 * [hosttest_mc~ @chans N]: two signal inlets that take multichannel cords (Z_MC_INLETS),
 * one multichannelsignal outlet and one plain signal outlet. Outlet 0 has @chans channels
 * (when > 0) or as many as inlet 0 (told by inputchanged); its channel k is
 * in0[k] + 10 * in1[k] (missing channels count as 0). Outlet 1 carries the number of input
 * channels the perform routine got. dsp64 posts what getnuminputchannels and
 * getnumoutputchannels report.
 */
#include "ext.h"
#include "ext_obex.h"
#include "z_dsp.h"

typedef struct hosttest_mc {
    t_pxobject ob;
    long chans;
    long in_count[2]; /* from inputchanged */
    long dsp_in[2];   /* from getnuminputchannels */
    long dsp_out;
} t_hosttest_mc;

static t_class *mc_class;

static void mc_perform64(t_hosttest_mc *x, t_object *dsp64, double **ins, long numins, double **outs, long numouts,
                         long sampleframes, long flags, void *userparam)
{
    (void)dsp64, (void)flags, (void)userparam, (void)numouts;
    long n0 = x->dsp_in[0], n1 = x->dsp_in[1];
    for (long k = 0; k < x->dsp_out; k++)
        for (long i = 0; i < sampleframes; i++)
            outs[k][i] = (k < n0 ? ins[k][i] : 0.0) + 10.0 * (k < n1 ? ins[n0 + k][i] : 0.0);
    for (long i = 0; i < sampleframes; i++)
        outs[x->dsp_out][i] = (double)numins;
}

static void mc_dsp64(t_hosttest_mc *x, t_object *dsp64, short *count, double samplerate, long maxvectorsize, long flags)
{
    (void)samplerate, (void)maxvectorsize, (void)flags;
    x->dsp_in[0] = (long)object_method(dsp64, gensym("getnuminputchannels"), x, 0);
    x->dsp_in[1] = (long)object_method(dsp64, gensym("getnuminputchannels"), x, 1);
    x->dsp_out = (long)object_method(dsp64, gensym("getnumoutputchannels"), x, 0);
    long plain = (long)object_method(dsp64, gensym("getnumoutputchannels"), x, 1);
    object_post((t_object *)x, "dsp64 in %ld,%ld out %ld,%ld connected %d,%d", x->dsp_in[0], x->dsp_in[1], x->dsp_out,
                plain, count[0], count[1]);
    dsp_add64(dsp64, (t_object *)x, (t_perfroutine64)mc_perform64, 0, NULL);
}

static long mc_inputchanged(t_hosttest_mc *x, long index, long count)
{
    if (index < 0 || index > 1 || x->in_count[index] == count)
        return 0;
    x->in_count[index] = count;
    return 1;
}

static long mc_multichanneloutputs(t_hosttest_mc *x, long index)
{
    if (index != 0)
        return 1;
    return x->chans > 0 ? x->chans : x->in_count[0];
}

static void *mc_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    t_hosttest_mc *x = object_alloc(mc_class);
    if (!x)
        return NULL;
    x->in_count[0] = x->in_count[1] = 1;
    dsp_setup((t_pxobject *)x, 2);
    x->ob.z_misc |= Z_MC_INLETS | Z_NO_INPLACE;
    outlet_new(x, "signal");             /* right */
    outlet_new(x, "multichannelsignal"); /* left */
    attr_args_process(x, (short)argc, argv);
    if (x->chans < 0) {
        object_error((t_object *)x, "@chans must be 0 or more");
        object_free(x);
        return NULL;
    }
    return x;
}

static void mc_free(t_hosttest_mc *x)
{
    dsp_free((t_pxobject *)x);
}

void ext_main(void *r)
{
    (void)r;
    t_class *c = class_new("hosttest_mc~", (method)mc_new, (method)mc_free, sizeof(t_hosttest_mc), NULL, A_GIMME, 0);
    class_addmethod(c, (method)mc_dsp64, "dsp64", A_CANT, 0);
    class_addmethod(c, (method)mc_inputchanged, "inputchanged", A_CANT, 0);
    class_addmethod(c, (method)mc_multichanneloutputs, "multichanneloutputs", A_CANT, 0);
    CLASS_ATTR_LONG(c, "chans", 0, t_hosttest_mc, chans);
    class_dspinit(c);
    class_register(CLASS_BOX, c);
    mc_class = c;
}
