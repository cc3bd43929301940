/* nn~ in C — the Pure Data object [nn~].
 * SPDX-License-Identifier: MIT
 *
 * [nn~ <flags> <model> <method> <bufsize>] or [nn~ void <inlets> <outlets> <bufsize>]:
 * Pd's translation of the layer's nn~ object (src/obj/nn_obj.h), which holds every
 * behaviour. This file creates the inlets and outlets the layer asks for, gathers signal
 * vectors at `dsp` (one multichannel cord with -m, on Pd >= 0.54 detected at run time),
 * hands messages over as layer atoms, and runs the poll clock. The rightmost outlet is the
 * info outlet, present in every case.
 */
#include "m_pd.h"
#include "nn_pd.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(t_sample) == sizeof(float), "nn~ needs Pd's 32-bit samples");

/* Pd >= 0.54 flags a class that handles multichannel signals with 0x10 and lays out the
 * start of t_signal as below; our headers may be older, so both are spelled out here and
 * used only once signal_setmultiout has been found in the running Pd. */
#define NN_PD_CLASS_MULTICHANNEL 0x10
typedef struct nn_pd_signal54 {
    int length;
    t_sample *vec;
    t_float sr;
    int nchans;
} nn_pd_signal54;
typedef void (*nn_pd_setmultiout_fn)(t_signal **sig, int nchans);

static t_class *nn_tilde_class;
static nn_pd_setmultiout_fn nn_pd_setmultiout;
static bool nn_pd_batch_said;

typedef struct nn_tilde {
    nn_pd_object pd; /* first: the host callbacks see an nn_pd_object */
    t_float scalar_in;
    nn_obj core;
    /* Host channel vectors gathered at dsp, in the layer's order. */
    t_sample **ins;
    t_sample **outs;
    int n_ins;
    int n_outs;
} t_nn_tilde;

static void nn_tilde_tick(t_nn_tilde *x)
{
    nn_obj_tick(&x->core);
}

static t_int *nn_tilde_perform(t_int *w)
{
    t_nn_tilde *x = (t_nn_tilde *)w[1];
    int n = (int)w[2];
    /* Events follow computed blocks: the clock hands them to the main thread, and
     * clock_delay is safe from perform. */
    if (nn_obj_perform(&x->core, (const float *const *)x->ins, x->n_ins, x->outs, x->n_outs, n))
        clock_delay(x->pd.poll_clock, 0);
    return w + 3;
}

static void nn_tilde_free_vectors(t_nn_tilde *x)
{
    freebytes(x->ins, sizeof(t_sample *) * (size_t)(x->n_ins ? x->n_ins : 1));
    freebytes(x->outs, sizeof(t_sample *) * (size_t)(x->n_outs ? x->n_outs : 1));
    x->ins = x->outs = NULL;
    x->n_ins = x->n_outs = 0;
}

static void nn_tilde_dsp(t_nn_tilde *x, t_signal **sp)
{
    int n = sp[0]->s_n;
    nn_obj *core = &x->core;
    nn_tilde_free_vectors(x);
    int in_chans[1] = {1};
    if (core->layout == NN_LAYOUT_ONE_MULTICHANNEL_CORD) {
        const nn_pd_signal54 *in = (const nn_pd_signal54 *)sp[0];
        in_chans[0] = in->nchans > 0 ? in->nchans : 1;
        nn_pd_setmultiout(&sp[1], nn_obj_outlet_channels(core, in_chans, 0));
        const nn_pd_signal54 *out = (const nn_pd_signal54 *)sp[1];
        x->n_ins = in_chans[0];
        x->n_outs = out->nchans;
        x->ins = getbytes(sizeof(t_sample *) * (size_t)x->n_ins);
        x->outs = getbytes(sizeof(t_sample *) * (size_t)(x->n_outs ? x->n_outs : 1));
        for (int i = 0; i < x->n_ins; i++)
            x->ins[i] = in->vec + (size_t)i * (size_t)n;
        for (int j = 0; j < x->n_outs; j++)
            x->outs[j] = out->vec + (size_t)j * (size_t)n;
        nn_obj_dsp(core, sp[0]->s_sr, n, in_chans);
    } else {
        if (nn_pd_setmultiout)
            for (int j = 0; j < core->cords_out; j++)
                nn_pd_setmultiout(&sp[core->cords_in + j], 1);
        x->n_ins = core->cords_in;
        x->n_outs = core->cords_out;
        x->ins = getbytes(sizeof(t_sample *) * (size_t)x->n_ins);
        x->outs = getbytes(sizeof(t_sample *) * (size_t)x->n_outs);
        for (int i = 0; i < x->n_ins; i++)
            x->ins[i] = sp[i]->s_vec;
        for (int j = 0; j < x->n_outs; j++)
            x->outs[j] = sp[x->n_ins + j]->s_vec;
        nn_obj_dsp(core, sp[0]->s_sr, n, NULL);
    }
    dsp_add(nn_tilde_perform, 2, x, (t_int)n);
}

static void nn_tilde_message(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    nn_atom stack[NN_PD_STACK_ATOMS];
    nn_atom *atoms = nn_pd_atoms(argc, argv, stack, NN_PD_STACK_ATOMS);
    if (atoms)
        nn_obj_message(&x->core, s->s_name, argc, atoms);
    nn_pd_atoms_free(atoms, stack);
}

/* reread [<array>...]: Pd says nothing when an array is edited, so the patch says it (the
 * counterpart of Max's @track_buffers): every attribute whose last `set` read one of the
 * arrays (any array, without names) is set again from it. */
static void nn_tilde_reread(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    if (argc == 0 && nn_obj_array_changed(&x->core, NULL) == 0)
        pd_error(x, "nn~: reread: no attribute was set from a Pd array (set <attribute> <array> first)");
    for (int i = 0; i < argc; i++) {
        if (argv[i].a_type != A_SYMBOL) {
            pd_error(x, "nn~: reread takes the names of Pd arrays, got %g", atom_getfloat(&argv[i]));
            continue;
        }
        const char *name = argv[i].a_w.w_symbol->s_name;
        if (nn_obj_array_changed(&x->core, name) == 0)
            pd_error(x, "nn~: reread: no attribute was set from Pd array '%s' (set <attribute> %s first)", name, name);
    }
}

static void nn_tilde_bang(t_nn_tilde *x)
{
    nn_obj_message(&x->core, "bang", 0, NULL);
}

static void *nn_tilde_new(t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_nn_tilde *x = (t_nn_tilde *)pd_new(nn_tilde_class);
    x->pd.canvas = canvas_getcurrent();
    x->pd.poll_clock = clock_new(x, (t_method)nn_tilde_tick);

    char no_multichannel[MAXPDSTRING];
    if (!nn_pd_setmultiout) {
        int major = 0, minor = 0, bugfix = 0;
        sys_getversion(&major, &minor, &bugfix);
        snprintf(no_multichannel, sizeof no_multichannel, "needs Pd 0.54 or later, this is Pd %d.%d.%d", major, minor,
                 bugfix);
    }
    /* In pd -batch nothing plays in real time and DSP runs as fast as the CPU allows: a
     * worker could never keep up, so every object renders as with -offline (one more
     * leading flag, room for it kept at the front of the atoms). */
    bool batch = nn_pd_batch();
    if (batch && !nn_pd_batch_said) {
        post("nn~: Pd runs with -batch (no real-time audio): every [nn~] renders offline, as with -offline "
             "(the audio thread waits for the model, no block is dropped)");
        nn_pd_batch_said = true;
    }
    int skip = batch ? 0 : 1;
    nn_atom stack[NN_PD_STACK_ATOMS];
    nn_atom *atoms = nn_pd_atoms(argc + 1, NULL, stack, NN_PD_STACK_ATOMS);
    if (atoms) {
        atoms[0] = nn_atom_symbol("-offline");
        nn_pd_atoms_fill(atoms + 1, argc, argv);
    }
    nn_obj_create(&x->core, &nn_pd_host, x, "nn~", NN_LAYOUT_CORD_PER_CHANNEL, NN_GRAMMAR_NN, 0,
                  nn_pd_setmultiout ? NULL : no_multichannel, atoms ? argc + 1 - skip : 0, atoms ? atoms + skip : NULL);
    nn_pd_atoms_free(atoms, stack);

    for (int i = 1; i < x->core.cords_in; i++)
        inlet_new(&x->pd.obj, &x->pd.obj.ob_pd, &s_signal, &s_signal);
    for (int j = 0; j < x->core.cords_out; j++)
        outlet_new(&x->pd.obj, &s_signal);
    x->pd.outlets[0] = outlet_new(&x->pd.obj, NULL);
    return x;
}

static void nn_tilde_free(t_nn_tilde *x)
{
    nn_obj_destroy(&x->core);
    nn_tilde_free_vectors(x);
    clock_free(x->pd.poll_clock);
}

NN_PD_EXPORT void nn_tilde_setup(void)
{
    /* ISO C has no cast from dlsym's object pointer to a function pointer; copy the bits. */
    void *symbol = dlsym(RTLD_DEFAULT, "signal_setmultiout");
    if (symbol)
        memcpy(&nn_pd_setmultiout, &symbol, sizeof symbol);
    nn_tilde_class =
        class_new(gensym("nn~"), (t_newmethod)(t_method)nn_tilde_new, (t_method)nn_tilde_free, sizeof(t_nn_tilde),
                  nn_pd_setmultiout ? NN_PD_CLASS_MULTICHANNEL : CLASS_DEFAULT, A_GIMME, 0);
    /* What CLASS_MAINSIGNALIN does, without its null-pointer arithmetic (clang rejects it). */
    class_domainsignalin(nn_tilde_class, (int)offsetof(t_nn_tilde, scalar_in));
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_dsp, gensym("dsp"), A_CANT, 0);
    class_addbang(nn_tilde_class, nn_tilde_bang);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_reread, gensym("reread"), A_GIMME, 0);
    for (int i = 0; nn_obj_messages[i]; i++)
        if (strcmp(nn_obj_messages[i], "bang") != 0)
            class_addmethod(nn_tilde_class, (t_method)nn_tilde_message, gensym(nn_obj_messages[i]), A_GIMME, 0);
    post("nn~ %s (nn~ in C) - libtorch %s", NN_VERSION_STRING, nn_backend_version());
}
