/* nn~ in C — the Max object [nn.info]: inspects a model file and lists downloadable models.
 * SPDX-License-Identifier: MIT
 *
 * Max's translation of the layer's nn.info (src/obj/info.c) in nn~ v1.6's Max wording: six
 * outlets (model path, methods, attributes, parameters, the model dictionary, downloadable
 * models as a dictionary), the @dict attribute naming the model dictionary. This file only
 * turns the layer's dictionary calls into Max dictionaries.
 */
#include "ext_dictobj.h"
#include "nn_max.h"

#include <string.h>

enum { NN_MAX_INFO_OUTLETS = 6 };

typedef struct nn_max_info {
    t_object ob;
    nn_max_head head;
    nn_info core;
    t_symbol *dict;
    void *outlets[NN_MAX_INFO_OUTLETS]; /* left to right */
} t_nn_max_info;

static t_class *max_info_class;

static void max_info_tick(nn_max_head *head)
{
    t_nn_max_info *x = (t_nn_max_info *)head->self;
    nn_info_tick(&x->core);
}

/* ---- dictionaries ------------------------------------------------------------------------- */

static void *max_dict_begin(void *owner)
{
    (void)owner;
    return dictionary_new();
}

static t_atom *max_dict_atoms(int argc, const nn_atom *argv)
{
    t_atom *atoms = (t_atom *)sysmem_newptr((t_ptr_size)(sizeof(t_atom) * (size_t)(argc > 0 ? argc : 1)));
    for (int i = 0; atoms && i < argc; i++) {
        switch (argv[i].type) {
        case NN_ATOM_INT: atom_setlong(&atoms[i], (t_atom_long)argv[i].i); break;
        case NN_ATOM_FLOAT: atom_setfloat(&atoms[i], argv[i].f); break;
        case NN_ATOM_SYMBOL: atom_setsym(&atoms[i], gensym(argv[i].s)); break;
        }
    }
    return atoms;
}

static void max_dict_set(void *dict, const char *const *keys, int depth, int argc, const nn_atom *argv)
{
    t_dictionary *d = dict;
    for (int level = 0; level + 1 < depth; level++) {
        t_object *inner = NULL;
        t_symbol *key = gensym(keys[level]);
        if (dictionary_getdictionary(d, key, &inner) != MAX_ERR_NONE || !inner) {
            inner = (t_object *)dictionary_new();
            dictionary_appenddictionary(d, key, inner);
        }
        d = (t_dictionary *)inner;
    }
    t_atom *atoms = max_dict_atoms(argc, argv);
    if (atoms)
        dictionary_appendatoms(d, gensym(keys[depth - 1]), argc, atoms);
    sysmem_freeptr(atoms);
}

static void max_dict_end(void *owner, void *dict, const char *name, int outlet)
{
    nn_max_head *head = owner;
    t_symbol *registered = name && *name ? gensym(name) : NULL;
    t_dictionary *d = dictobj_register((t_dictionary *)dict, &registered);
    if (!d || !registered) {
        object_error(head->self, "could not register a dictionary");
        object_free(dict);
        return;
    }
    t_nn_max_info *x = (t_nn_max_info *)head->self;
    t_atom a;
    atom_setsym(&a, registered);
    outlet_anything(x->outlets[outlet], gensym("dictionary"), 1, &a);
}

static const nn_dict_sink max_dicts = {max_dict_begin, max_dict_set, max_dict_end};

/* ---- messages ----------------------------------------------------------------------------- */

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
    static const char *const outlets[NN_MAX_INFO_OUTLETS] = {
        "model path",       "methods (method <name>)",         "attributes (attribute <name>)", "processing parameters",
        "model dictionary", "downloadable models (dictionary)"};
    if (io == ASSIST_INLET)
        snprintf(text, 512,
                 "set <model>, bang, path, methods, attributes, parameters <name>, dump_dict, "
                 "get_available_models, download, delete");
    else if (index >= 0 && index < NN_MAX_INFO_OUTLETS)
        snprintf(text, 512, "%s", outlets[index]);
}

static t_max_err max_info_set_dict(t_nn_max_info *x, void *attr, long argc, t_atom *argv)
{
    (void)attr;
    x->dict = argc ? atom_getsym(argv) : gensym("");
    snprintf(x->core.dict_name, sizeof x->core.dict_name, "%s", x->dict->s_name);
    return MAX_ERR_NONE;
}

static void *max_info_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    t_nn_max_info *x = (t_nn_max_info *)object_alloc(max_info_class);
    if (!x)
        return NULL;
    nn_max_head_init(&x->head, (t_object *)x, max_info_tick);
    /* Outlets are created right to left. */
    for (int i = NN_MAX_INFO_OUTLETS - 1; i >= 0; i--)
        x->outlets[i] = outlet_new(x, NULL);
    x->head.outlets = x->outlets;
    x->head.n_outlets = NN_MAX_INFO_OUTLETS;
    long positional = attr_args_offset((short)argc, argv);
    attr_args_process(x, (short)argc, argv);
    static const int outlets[NN_INFO_OUT_COUNT] = {0, 1, 2, 3, 4, 5};
    nn_atom *atoms = nn_max_atoms(positional, argv);
    nn_info_create(&x->core, &nn_max_host, &x->head, "nn.info", NN_INFO_STYLE_MAX, outlets, &max_dicts,
                   atoms ? (int)positional : 0, atoms);
    if (x->dict)
        snprintf(x->core.dict_name, sizeof x->core.dict_name, "%s", x->dict->s_name);
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
    class_addmethod(c, (method)max_info_anything, "anything", A_GIMME, 0);
    CLASS_ATTR_SYM(c, "dict", 0, t_nn_max_info, dict);
    CLASS_ATTR_ACCESSORS(c, "dict", NULL, max_info_set_dict);
    CLASS_ATTR_LABEL(c, "dict", 0, "Name of the model dictionary (empty: a unique name)");
    class_register(CLASS_BOX, c);
    max_info_class = c;
}
