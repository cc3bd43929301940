/* nn~ in C — the Max object [nn.info]: inspects a model file and lists downloadable models.
 * SPDX-License-Identifier: MIT
 *
 * Max's translation of the layer's nn.info (src/obj/info.c): the left outlet describes the
 * model (path, methods, params, labels, attributes, types, values, buffers, sample rate),
 * the right outlet lists the models that can be downloaded.
 */
#include "nn_max.h"

#include <string.h>

typedef struct nn_max_info {
    t_object ob;
    nn_max_head head;
    nn_info core;
} t_nn_max_info;

static t_class *max_info_class;

static void max_info_tick(nn_max_head *head)
{
    t_nn_max_info *x = (t_nn_max_info *)head->self;
    nn_info_tick(&x->core);
}

static void max_info_anything(t_nn_max_info *x, t_symbol *s, long argc, t_atom *argv)
{
    nn_atom *atoms = nn_max_atoms(argc, argv);
    if (atoms)
        nn_info_message(&x->core, s->s_name, (int)argc, atoms);
    sysmem_freeptr(atoms);
}

static void max_info_bang(t_nn_max_info *x)
{
    nn_info_message(&x->core, "bang", 0, NULL);
}

static void max_info_assist(t_nn_max_info *x, void *box, long io, long index, char *text)
{
    (void)x, (void)box;
    if (io == ASSIST_INLET)
        snprintf(text, 512, "set <model>, bang, path, methods, attributes, parameters <name>, models, download");
    else
        snprintf(text, 512, index == 0 ? "model description" : "downloadable models, downloads");
}

static void *max_info_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    t_nn_max_info *x = (t_nn_max_info *)object_alloc(max_info_class);
    if (!x)
        return NULL;
    nn_max_head_init(&x->head, (t_object *)x, max_info_tick);
    /* Outlets are created right to left. */
    x->head.outlets[1] = outlet_new(x, NULL);
    x->head.outlets[0] = outlet_new(x, NULL);
    nn_atom *atoms = nn_max_atoms(argc, argv);
    nn_info_create(&x->core, &nn_max_host, &x->head, "nn.info", 0, 1, atoms ? (int)argc : 0, atoms);
    sysmem_freeptr(atoms);
    return x;
}

static void max_info_free(t_nn_max_info *x)
{
    nn_info_destroy(&x->core);
    nn_max_head_free(&x->head);
}

C74_EXPORT void ext_main(void *r)
{
    (void)r;
    t_class *c =
        class_new("nn.info", (method)max_info_new, (method)max_info_free, sizeof(t_nn_max_info), NULL, A_GIMME, 0);
    class_addmethod(c, (method)max_info_bang, "bang", 0);
    class_addmethod(c, (method)max_info_assist, "assist", A_CANT, 0);
    for (int i = 0; nn_info_messages[i]; i++)
        if (strcmp(nn_info_messages[i], "bang") != 0)
            class_addmethod(c, (method)max_info_anything, nn_info_messages[i], A_GIMME, 0);
    class_register(CLASS_BOX, c);
    max_info_class = c;
}
