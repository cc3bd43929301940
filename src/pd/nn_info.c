/* nn~ in C — the Pure Data object [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * [nn.info <model>]: Pd's translation of the layer's nn.info (src/obj/info.c), which
 * holds its behaviour. The left outlet describes the model; the right outlet lists the
 * models that can be downloaded.
 */
#include "m_pd.h"
#include "nn_pd.h"

#include <string.h>

static t_class *nn_info_class;

typedef struct nn_info_pd {
    nn_pd_object pd; /* first: the host callbacks see an nn_pd_object */
    nn_info core;
} t_nn_info_pd;

static void nn_info_pd_tick(t_nn_info_pd *x)
{
    nn_info_tick(&x->core);
}

static void nn_info_pd_message(t_nn_info_pd *x, t_symbol *s, int argc, t_atom *argv)
{
    nn_atom stack[NN_PD_STACK_ATOMS];
    nn_atom *atoms = nn_pd_atoms(argc, argv, stack, NN_PD_STACK_ATOMS);
    if (atoms)
        nn_info_message(&x->core, s->s_name, argc, atoms);
    nn_pd_atoms_free(atoms, stack);
}

static void nn_info_pd_bang(t_nn_info_pd *x)
{
    nn_info_message(&x->core, "bang", 0, NULL);
}

static void *nn_info_pd_new(t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_nn_info_pd *x = (t_nn_info_pd *)pd_new(nn_info_class);
    x->pd.canvas = canvas_getcurrent();
    x->pd.poll_clock = clock_new(x, (t_method)nn_info_pd_tick);
    x->pd.outlets[0] = outlet_new(&x->pd.obj, NULL);
    x->pd.outlets[1] = outlet_new(&x->pd.obj, NULL);
    nn_atom stack[NN_PD_STACK_ATOMS];
    nn_atom *atoms = nn_pd_atoms(argc, argv, stack, NN_PD_STACK_ATOMS);
    /* Everything about the model on the left outlet, the downloadable models on the right. */
    static const int outlets[NN_INFO_OUT_COUNT] = {[NN_INFO_OUT_MODELS] = 1};
    nn_info_create(&x->core, &nn_pd_host, x, "nn.info", NN_INFO_STYLE_PD, outlets, NULL, atoms ? argc : 0, atoms);
    nn_pd_atoms_free(atoms, stack);
    return x;
}

static void nn_info_pd_free(t_nn_info_pd *x)
{
    nn_info_destroy(&x->core);
    clock_free(x->pd.poll_clock);
}

/* Pd derives the setup name of a class whose name holds a '.' by hex-encoding it. */
NN_PD_EXPORT void setup_nn0x2einfo(void)
{
    nn_info_class = class_new(gensym("nn.info"), (t_newmethod)(t_method)nn_info_pd_new, (t_method)nn_info_pd_free,
                              sizeof(t_nn_info_pd), CLASS_DEFAULT, A_GIMME, 0);
    class_addbang(nn_info_class, nn_info_pd_bang);
    for (int i = 0; nn_info_messages[i]; i++)
        if (strcmp(nn_info_messages[i], "bang") != 0)
            class_addmethod(nn_info_class, (t_method)nn_info_pd_message, gensym(nn_info_messages[i]), A_GIMME, 0);
}
