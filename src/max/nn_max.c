/* nn~ in C — Max's host table for the object layer, and the nn~ family's Max class.
 * SPDX-License-Identifier: MIT
 *
 * Threads: Max calls messages, attribute setters, dsp64 and notify on its main (or
 * scheduler) thread and perform64 on the audio thread. perform64 only calls the layer's
 * perform and, when events wait, qelem_set (safe from any thread); the qelem runs the
 * layer's tick on the main thread, where every console line, outlet call and model load
 * happens. Delayed polls go through a clock that only sets the qelem.
 */
#include "nn_max.h"

#include "ext_atomarray.h"
#include "ext_buffer.h"
#include "ext_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- host table ----------------------------------------------------------------------------- */

typedef struct nn_max_buffer {
    struct nn_max_buffer *next;
    t_symbol *name;
    t_buffer_ref *ref;
} nn_max_buffer;

static void max_console(void *owner, nn_console_level level, const char *text)
{
    nn_max_head *head = owner;
    switch (level) {
    case NN_CONSOLE_POST: object_post(head->self, "%s", text); break;
    case NN_CONSOLE_ERROR: object_error(head->self, "%s", text); break;
    case NN_CONSOLE_DEBUG: break; /* Max has no debug level in its console */
    }
}

static void max_output(void *owner, int outlet, const char *selector, int argc, const nn_atom *argv)
{
    nn_max_head *head = owner;
    if (outlet < 0 || outlet >= head->n_outlets || !head->outlets[outlet])
        return;
    t_atom *atoms = (t_atom *)sysmem_newptr((t_ptr_size)(sizeof(t_atom) * (size_t)(argc > 0 ? argc : 1)));
    if (!atoms)
        return;
    for (int i = 0; i < argc; i++) {
        switch (argv[i].type) {
        case NN_ATOM_INT: atom_setlong(&atoms[i], (t_atom_long)argv[i].i); break;
        case NN_ATOM_FLOAT: atom_setfloat(&atoms[i], argv[i].f); break;
        case NN_ATOM_SYMBOL: atom_setsym(&atoms[i], gensym(argv[i].s)); break;
        }
    }
    outlet_anything(head->outlets[outlet], gensym(selector), (short)argc, atoms);
    sysmem_freeptr(atoms);
}

static bool max_find_file(void *owner, const char *file, char *out, size_t size)
{
    (void)owner;
    char name[MAX_PATH_CHARS];
    snprintf(name, sizeof name, "%s", file);
    short path = 0;
    t_fourcc type = 0;
    if (locatefile_extended(name, &path, &type, NULL, 0) != 0)
        return false;
    char full[MAX_PATH_CHARS];
    if (path_toabsolutesystempath(path, name, full) != MAX_ERR_NONE || strlen(full) >= size)
        return false;
    snprintf(out, size, "%s", full);
    return true;
}

/* The buffer~ reference for `name`: kept while @track_buffers is on (its notifications
 * re-read the buffer), else made for one read. */
static t_buffer_ref *max_buffer_ref(nn_max_head *head, t_symbol *name, bool *temporary)
{
    for (nn_max_buffer *b = head->buffers; b; b = b->next)
        if (b->name == name) {
            *temporary = false;
            return b->ref;
        }
    t_buffer_ref *ref = buffer_ref_new(head->self, name);
    *temporary = !head->track_buffers;
    if (!*temporary && ref) {
        nn_max_buffer *b = (nn_max_buffer *)sysmem_newptrclear(sizeof *b);
        if (b) {
            b->name = name;
            b->ref = ref;
            b->next = head->buffers;
            head->buffers = b;
        } else {
            *temporary = true;
        }
    }
    return ref;
}

static bool max_read_buffer(nn_max_head *head, const char *name, nn_host_array *out, char *why, size_t why_size)
{
    bool temporary = true;
    t_buffer_ref *ref = max_buffer_ref(head, gensym(name), &temporary);
    t_buffer_obj *buffer = ref ? buffer_ref_getobject(ref) : NULL;
    bool ok = false;
    if (!buffer) {
        snprintf(why, why_size, "there is no buffer~ named '%s'", name);
    } else {
        long channels = (long)buffer_getchannelcount(buffer);
        long frames = (long)buffer_getframecount(buffer);
        float *planar = malloc(sizeof(float) * (size_t)(channels * frames > 0 ? channels * frames : 1));
        float *samples = planar ? buffer_locksamples(buffer) : NULL;
        if (!planar) {
            snprintf(why, why_size, "out of memory reading buffer~ '%s'", name);
        } else if (!samples) {
            snprintf(why, why_size, "buffer~ '%s' could not be read (is it being loaded?)", name);
            free(planar);
        } else {
            /* buffer~ interleaves its channels; the model takes them planar. */
            for (long c = 0; c < channels; c++)
                for (long i = 0; i < frames; i++)
                    planar[c * frames + i] = samples[i * channels + c];
            buffer_unlocksamples(buffer);
            out->data = planar;
            out->channels = (int)channels;
            out->frames = (int)frames;
            out->sample_rate = buffer_getsamplerate(buffer);
            ok = true;
        }
    }
    if (temporary)
        object_free(ref);
    return ok;
}

static bool max_read_atomarray(const char *name, nn_host_array *out, char *why, size_t why_size)
{
    t_object *array = (t_object *)object_findregistered(CLASS_BOX, gensym(name));
    if (!array || object_classname(array) != gensym("atomarray")) {
        snprintf(why, why_size, "there is no [array] named '%s'", name);
        return false;
    }
    long count = 0;
    t_atom *atoms = NULL;
    atomarray_getatoms((t_atomarray *)array, &count, &atoms);
    float *data = malloc(sizeof(float) * (size_t)(count > 0 ? count : 1));
    if (!data) {
        snprintf(why, why_size, "out of memory reading [array] '%s'", name);
        return false;
    }
    for (long i = 0; i < count; i++)
        data[i] = (float)atom_getfloat(atoms + i);
    out->data = data;
    out->channels = 1;
    out->frames = (int)count;
    out->sample_rate = sys_getsr();
    return true;
}

static bool max_read_array(void *owner, const char *name, nn_type type, nn_host_array *out, char *why, size_t why_size)
{
    if (type == NN_TYPE_BUFFER)
        return max_read_buffer(owner, name, out, why, why_size);
    return max_read_atomarray(name, out, why, why_size);
}

static void max_poll_later(void *owner, double ms)
{
    nn_max_head *head = owner;
    if (ms <= 0)
        qelem_set(head->qelem);
    else
        clock_fdelay(head->clock, ms);
}

static double max_now_ms(void *owner)
{
    (void)owner;
    return (double)gettime();
}

static double max_sample_rate(void *owner)
{
    (void)owner;
    return sys_getsr();
}

static void max_io_changed(void *owner)
{
    (void)owner;
    t_dspchain *chain = dspchain_get();
    if (chain)
        dspchain_setbroken(chain);
}

const nn_host nn_max_host = {
    .console = max_console,
    .output = max_output,
    .find_file = max_find_file,
    .patch_dir = NULL,
    .read_array = max_read_array,
    .poll_later = max_poll_later,
    .now_ms = max_now_ms,
    .sample_rate = max_sample_rate,
    .io_changed = max_io_changed,
    .prefix_console = false,
    .search_path_name = "Max's search path",
    .array_name = "a buffer~ (buffer attributes) or an [array] (tensor attributes)",
#ifdef __APPLE__
    .package_models = "../../../../models", /* externals/nn~.mxo/Contents/MacOS/nn~ */
#else
    .package_models = "../models", /* externals/nn~.mxl or .mxe64 */
#endif
};

nn_atom *nn_max_atoms(long argc, const t_atom *argv)
{
    nn_atom *atoms = (nn_atom *)sysmem_newptr((t_ptr_size)(sizeof(nn_atom) * (size_t)(argc > 0 ? argc : 1)));
    if (!atoms)
        return NULL;
    for (long i = 0; i < argc; i++) {
        switch (atom_gettype(argv + i)) {
        case A_LONG: atoms[i] = nn_atom_int((long long)atom_getlong(argv + i)); break;
        case A_FLOAT: atoms[i] = nn_atom_float(atom_getfloat(argv + i)); break;
        default: atoms[i] = nn_atom_symbol(atom_getsym(argv + i)->s_name); break;
        }
    }
    return atoms;
}

/* ---- the head: qelem, clock, tracked buffers ------------------------------------------------ */

static void max_head_qelem(nn_max_head *head)
{
    head->tick(head);
}

static void max_head_clock(nn_max_head *head)
{
    qelem_set(head->qelem);
}

void nn_max_head_init(nn_max_head *head, t_object *self, void (*tick)(nn_max_head *head))
{
    head->self = self;
    head->tick = tick;
    head->qelem = (t_qelem *)qelem_new(head, (method)max_head_qelem);
    head->clock = (t_clock *)clock_new(head, (method)max_head_clock);
}

void nn_max_head_free(nn_max_head *head)
{
    if (head->clock) {
        clock_unset(head->clock);
        object_free(head->clock);
    }
    if (head->qelem)
        qelem_free(head->qelem);
    while (head->buffers) {
        nn_max_buffer *b = head->buffers;
        head->buffers = b->next;
        object_free(b->ref);
        sysmem_freeptr(b);
    }
}

t_max_err nn_max_head_notify(nn_max_head *head, nn_obj *core, t_symbol *s, t_symbol *msg, void *sender, void *data)
{
    for (nn_max_buffer *b = head->buffers; b; b = b->next) {
        if (b->name != s)
            continue;
        t_max_err err = buffer_ref_notify(b->ref, s, msg, sender, data);
        if (head->track_buffers && core && msg == gensym("buffer_modified"))
            nn_obj_array_changed(core, s->s_name);
        return err;
    }
    return MAX_ERR_NONE;
}

/* ---- the nn~ family -------------------------------------------------------------------------- */

typedef struct nn_max_tilde {
    t_pxobject ob;
    nn_max_head head;
    nn_obj core;
    long enable;
    long gpu;
    long chans;
    long track_buffers;
    long offline;
    int *in_counts; /* channels of each input cord, from inputchanged */
    void *info_outlet;
} t_nn_max_tilde;

typedef struct nn_max_class_info {
    const char *name;
    nn_obj_layout layout;
    nn_obj_grammar grammar;
} nn_max_class_info;

/* Each external registers one class of the family. */
static t_class *max_tilde_class;
static nn_max_class_info max_tilde_info;

static void max_tilde_tick(nn_max_head *head)
{
    t_nn_max_tilde *x = (t_nn_max_tilde *)head->self;
    nn_obj_tick(&x->core);
}

static void max_tilde_perform64(t_nn_max_tilde *x, t_object *dsp64, double **ins, long numins, double **outs,
                                long numouts, long frames, long flags, void *user)
{
    (void)dsp64, (void)flags, (void)user;
    if (nn_obj_perform64(&x->core, (const double *const *)ins, (int)numins, outs, (int)numouts, (int)frames))
        qelem_set(x->head.qelem);
}

static bool max_tilde_multichannel(const t_nn_max_tilde *x)
{
    return x->core.layout != NN_LAYOUT_CORD_PER_CHANNEL;
}

static void max_tilde_dsp64(t_nn_max_tilde *x, t_object *dsp64, short *count, double samplerate, long maxvectorsize,
                            long flags)
{
    (void)count, (void)flags;
    int n = x->core.cords_in;
    for (int k = 0; k < n; k++)
        x->in_counts[k] =
            max_tilde_multichannel(x)
                ? (int)(t_atom_long)object_method(dsp64, gensym("getnuminputchannels"), x, (void *)(t_ptr_int)k)
                : 1;
    nn_obj_dsp(&x->core, samplerate, (int)maxvectorsize, x->in_counts);
    dsp_add64(dsp64, (t_object *)x, (t_perfroutine64)max_tilde_perform64, 0, NULL);
}

static long max_tilde_inputchanged(t_nn_max_tilde *x, long index, long count)
{
    if (index < 0 || index >= x->core.cords_in || count < 1 || x->in_counts[index] == count)
        return 0;
    int before = nn_obj_outlet_channels(&x->core, x->in_counts, 0);
    x->in_counts[index] = (int)count;
    return nn_obj_outlet_channels(&x->core, x->in_counts, 0) != before;
}

static long max_tilde_multichanneloutputs(t_nn_max_tilde *x, long index)
{
    if (index < 0 || index >= x->core.cords_out)
        return 0; /* the info outlet */
    return nn_obj_outlet_channels(&x->core, x->in_counts, (int)index);
}

static void max_tilde_assist(t_nn_max_tilde *x, void *box, long io, long index, char *text)
{
    (void)box;
    if (io == ASSIST_INLET)
        nn_obj_inlet_label(&x->core, (int)index, text, 512);
    else if (index < x->core.cords_out)
        nn_obj_outlet_label(&x->core, (int)index, text, 512);
    else
        snprintf(text, 512, "info: answers to bang, get, dump; downloads");
}

static void max_tilde_anything(t_nn_max_tilde *x, t_symbol *s, long argc, t_atom *argv)
{
    nn_atom *atoms = nn_max_atoms(argc, argv);
    if (atoms)
        nn_obj_message(&x->core, s->s_name, (int)argc, atoms);
    sysmem_freeptr(atoms);
}

static void max_tilde_bang(t_nn_max_tilde *x)
{
    nn_obj_message(&x->core, "bang", 0, NULL);
}

static t_max_err max_tilde_notify(t_nn_max_tilde *x, t_symbol *s, t_symbol *msg, void *sender, void *data)
{
    return nn_max_head_notify(&x->head, &x->core, s, msg, sender, data);
}

/* Attribute setters: before the layer exists (attributes given at creation) they only
 * record the value, which becomes a creation flag. */
static bool max_tilde_created(const t_nn_max_tilde *x)
{
    return x->core.host != NULL;
}

static t_max_err max_tilde_set_enable(t_nn_max_tilde *x, void *attr, long argc, t_atom *argv)
{
    (void)attr;
    x->enable = argc ? atom_getlong(argv) != 0 : 1;
    if (max_tilde_created(x))
        nn_obj_set_enabled(&x->core, x->enable != 0);
    return MAX_ERR_NONE;
}

static t_max_err max_tilde_set_gpu(t_nn_max_tilde *x, void *attr, long argc, t_atom *argv)
{
    (void)attr;
    x->gpu = argc ? atom_getlong(argv) != 0 : 0;
    if (max_tilde_created(x))
        nn_obj_set_gpu(&x->core, x->gpu != 0);
    return MAX_ERR_NONE;
}

static t_max_err max_tilde_set_chans(t_nn_max_tilde *x, void *attr, long argc, t_atom *argv)
{
    (void)attr;
    long long chans = argc ? (long long)atom_getlong(argv) : 0;
    if (max_tilde_created(x)) {
        nn_obj_set_chans(&x->core, chans);
        x->chans = x->core.chans;
    } else {
        x->chans = (long)chans;
    }
    return MAX_ERR_NONE;
}

static t_max_err max_tilde_set_track_buffers(t_nn_max_tilde *x, void *attr, long argc, t_atom *argv)
{
    (void)attr;
    x->track_buffers = argc ? atom_getlong(argv) != 0 : 0;
    x->head.track_buffers = x->track_buffers != 0;
    return MAX_ERR_NONE;
}

static t_max_err max_tilde_set_offline(t_nn_max_tilde *x, void *attr, long argc, t_atom *argv)
{
    (void)attr;
    long offline = argc ? atom_getlong(argv) != 0 : 0;
    if (max_tilde_created(x) && offline != x->offline)
        object_error((t_object *)x,
                     "@offline is chosen at creation (the render waits for the model); "
                     "create the object with @offline %ld",
                     offline);
    else
        x->offline = offline;
    return MAX_ERR_NONE;
}

static void *max_tilde_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    t_nn_max_tilde *x = (t_nn_max_tilde *)object_alloc(max_tilde_class);
    if (!x)
        return NULL;
    x->enable = 1;
    nn_max_head_init(&x->head, (t_object *)x, max_tilde_tick);
    long positional = attr_args_offset((short)argc, argv);
    attr_args_process(x, (short)argc, argv);

    /* Attributes that shape creation become the layer's flags. */
    nn_atom *atoms = (nn_atom *)sysmem_newptr((t_ptr_size)(sizeof(nn_atom) * (size_t)(positional + 3)));
    int n = 0;
    if (atoms) {
        if (x->offline)
            atoms[n++] = nn_atom_symbol("-offline");
        if (!x->enable)
            atoms[n++] = nn_atom_symbol("-d");
        if (x->gpu)
            atoms[n++] = nn_atom_symbol("-gpu");
        nn_atom *given = nn_max_atoms(positional, argv);
        for (long i = 0; given && i < positional; i++)
            atoms[n++] = given[i];
        sysmem_freeptr(given);
    }
    nn_obj_create(&x->core, &nn_max_host, &x->head, max_tilde_info.name, max_tilde_info.layout, max_tilde_info.grammar,
                  0, "is Pd's; in Max use mc.nn~ or mcs.nn~", n, atoms);
    sysmem_freeptr(atoms);
    nn_obj_set_chans(&x->core, x->chans);

    int cords_in = x->core.cords_in, cords_out = x->core.cords_out;
    x->in_counts = (int *)sysmem_newptrclear((t_ptr_size)(sizeof(int) * (size_t)cords_in));
    for (int k = 0; x->in_counts && k < cords_in; k++)
        x->in_counts[k] = 1;
    dsp_setup((t_pxobject *)x, cords_in);
    if (max_tilde_multichannel(x))
        x->ob.z_misc |= Z_MC_INLETS;
    x->ob.z_misc |= Z_NO_INPLACE;
    /* Outlets are created right to left: the info outlet is the rightmost. */
    x->info_outlet = outlet_new(x, NULL);
    x->head.outlets = &x->info_outlet;
    x->head.n_outlets = 1;
    for (int j = 0; j < cords_out; j++)
        outlet_new(x, max_tilde_multichannel(x) ? "multichannelsignal" : "signal");
    return x;
}

static void max_tilde_free(t_nn_max_tilde *x)
{
    dsp_free((t_pxobject *)x);
    nn_obj_destroy(&x->core);
    nn_max_head_free(&x->head);
    sysmem_freeptr(x->in_counts);
}

void nn_max_tilde_class(const char *name, nn_obj_layout layout, nn_obj_grammar grammar)
{
    max_tilde_info.name = name;
    max_tilde_info.layout = layout;
    max_tilde_info.grammar = grammar;
    t_class *c =
        class_new(name, (method)max_tilde_new, (method)max_tilde_free, sizeof(t_nn_max_tilde), NULL, A_GIMME, 0);
    class_addmethod(c, (method)max_tilde_dsp64, "dsp64", A_CANT, 0);
    class_addmethod(c, (method)max_tilde_assist, "assist", A_CANT, 0);
    class_addmethod(c, (method)max_tilde_notify, "notify", A_CANT, 0);
    if (layout != NN_LAYOUT_CORD_PER_CHANNEL) {
        class_addmethod(c, (method)max_tilde_inputchanged, "inputchanged", A_CANT, 0);
        class_addmethod(c, (method)max_tilde_multichanneloutputs, "multichanneloutputs", A_CANT, 0);
    }
    class_addmethod(c, (method)max_tilde_bang, "bang", 0);
    for (int i = 0; nn_obj_messages[i]; i++)
        if (strcmp(nn_obj_messages[i], "bang") != 0)
            class_addmethod(c, (method)max_tilde_anything, nn_obj_messages[i], A_GIMME, 0);
    /* Unknown selectors reach the layer, which names the messages it knows. */
    class_addmethod(c, (method)max_tilde_anything, "anything", A_GIMME, 0);

    CLASS_ATTR_LONG(c, "enable", 0, t_nn_max_tilde, enable);
    CLASS_ATTR_ACCESSORS(c, "enable", NULL, max_tilde_set_enable);
    CLASS_ATTR_STYLE_LABEL(c, "enable", 0, "onoff", "Enable processing");
    CLASS_ATTR_LONG(c, "gpu", 0, t_nn_max_tilde, gpu);
    CLASS_ATTR_ACCESSORS(c, "gpu", NULL, max_tilde_set_gpu);
    CLASS_ATTR_STYLE_LABEL(c, "gpu", 0, "onoff", "Run the model on a GPU");
    CLASS_ATTR_LONG(c, "track_buffers", 0, t_nn_max_tilde, track_buffers);
    CLASS_ATTR_ACCESSORS(c, "track_buffers", NULL, max_tilde_set_track_buffers);
    CLASS_ATTR_STYLE_LABEL(c, "track_buffers", 0, "onoff", "Re-read buffer~ attributes when they change");
    CLASS_ATTR_LONG(c, "offline", 0, t_nn_max_tilde, offline);
    CLASS_ATTR_ACCESSORS(c, "offline", NULL, max_tilde_set_offline);
    CLASS_ATTR_STYLE_LABEL(c, "offline", 0, "onoff", "Wait for the model (Non-Real-Time driver renders)");
    if (layout != NN_LAYOUT_CORD_PER_CHANNEL) {
        CLASS_ATTR_LONG(c, "chans", 0, t_nn_max_tilde, chans);
        CLASS_ATTR_ACCESSORS(c, "chans", NULL, max_tilde_set_chans);
        CLASS_ATTR_LABEL(c, "chans", 0, "Output channels (0: automatic)");
    }
    class_dspinit(c);
    class_register(CLASS_BOX, c);
    max_tilde_class = c;
    object_post(NULL, "%s %s (nn~ in C) - libtorch %s", name, NN_VERSION_STRING, nn_backend_version());
}
