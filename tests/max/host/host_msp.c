/* nn~ in C — test host for Max externals: inlets, outlets, the MSP signal compiler and
 * perform64, buffer~ and [array].
 * SPDX-License-Identifier: MIT
 */
#include "host_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef NN_RTSAN
void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);
#endif

_Thread_local int host_in_audio;
long host_current_inlet;
static double global_sr = 44100.0;
static long global_vs = 64;
static int dsp_running;

/* ------------------------------------------------------------------ inlets and outlets */

static void outlet_free_all(hinstance *h)
{
    (void)h;
}

void *outlet_new(void *x, C74_CONST char *s)
{
    hinstance *h = host_instance_of(x);
    if (!h)
        host_fatal("outlet_new on an object that is not an instance of a loaded class");
    houtlet *o = calloc(1, sizeof *o);
    if (!o)
        host_fatal("out of memory");
    o->owner = x;
    o->type = s ? gensym(s) : NULL;
    o->is_signal = s && (strcmp(s, "signal") == 0 || strcmp(s, "multichannelsignal") == 0);
    o->is_mc = s && strcmp(s, "multichannelsignal") == 0;
    o->created = h->noutlets;
    h->outlets = realloc(h->outlets, (size_t)(h->noutlets + 1) * sizeof *h->outlets);
    if (!h->outlets)
        host_fatal("out of memory");
    h->outlets[h->noutlets++] = o;
    outlet_free_all(NULL);
    return o;
}
void *bangout(void *x)
{
    return outlet_new(x, "bang");
}
void *intout(void *x)
{
    return outlet_new(x, "int");
}
void *floatout(void *x)
{
    return outlet_new(x, "float");
}
void *listout(void *x)
{
    return outlet_new(x, "list");
}

/* Outlet calls are recorded, not delivered: the host has no patch cords. Calling one
 * from the audio thread is an object's bug, which RealtimeSanitizer reports (the record
 * takes a lock). */
void *outlet_bang(t_outlet *x)
{
    host_record_outlet(x, gensym("bang"), 0, NULL);
    return NULL;
}
void *outlet_int(t_outlet *x, t_atom_long n)
{
    t_atom a;
    atom_setlong(&a, n);
    host_record_outlet(x, gensym("int"), 1, &a);
    return NULL;
}
void *outlet_float(t_outlet *x, double f)
{
    t_atom a;
    atom_setfloat(&a, f);
    host_record_outlet(x, gensym("float"), 1, &a);
    return NULL;
}
void *outlet_list(t_outlet *x, t_symbol *s, short ac, t_atom *av)
{
    (void)s;
    host_record_outlet(x, gensym("list"), ac, av);
    return NULL;
}
void *outlet_anything(t_outlet *x, t_symbol *s, short ac, t_atom *av)
{
    host_record_outlet(x, s, ac, av);
    return NULL;
}

/* Inlets beyond the left one. A message to inlet n of a proxy (proxy_new, the signal inlets
 * of dsp_setup) reaches the object's method for its selector while proxy_getinlet reports
 * n; a number to an intin inlet n calls "in<n>", to a floatin inlet "ft<n>", as in Max. */
static void inlet_mark(void *x, long n, char kind)
{
    hinstance *h = host_instance_of(x);
    if (!h || n < 1 || n >= HOST_MAX_INLETS) {
        host_fatal("inlet %ld: out of the host's range (1..%d)", n, HOST_MAX_INLETS - 1);
        return;
    }
    h->inlet_kind[n] = kind;
    if (n + 1 > h->ninlets)
        h->ninlets = n + 1;
}
void *proxy_new(void *x, long id, long *stuffloc)
{
    inlet_mark(x, id, 'p');
    if (stuffloc)
        *stuffloc = id;
    return host_instance_of(x);
}
long proxy_getinlet(t_object *master)
{
    (void)master;
    return host_current_inlet;
}
/* inlet_new adds the next inlet, passing every message on unchanged. */
void *inlet_new(void *x, C74_CONST char *s)
{
    (void)s;
    hinstance *h = host_instance_of(x);
    long n = h && h->ninlets > 0 ? h->ninlets : 1;
    inlet_mark(x, n, 'p');
    return h;
}
void *intin(void *x, short n)
{
    inlet_mark(x, n, 'i');
    return host_instance_of(x);
}
void *floatin(void *x, short n)
{
    inlet_mark(x, n, 'f');
    return host_instance_of(x);
}

/* ------------------------------------------------------------------ MSP globals */

float sys_getsr(void)
{
    return (float)global_sr;
}
int sys_getblksize(void)
{
    return (int)global_vs;
}
int sys_getmaxblksize(void)
{
    return (int)global_vs;
}
int sys_getdspstate(void)
{
    return dsp_running;
}
int sys_getdspobjdspstate(t_object *o)
{
    hinstance *h = host_instance_of(o);
    return h && h->nperform > 0;
}

void class_dspinit(t_class *c)
{
    (void)c;
}
void z_dsp_setup(t_pxobject *x, long nsignals)
{
    hinstance *h = host_instance_of(x);
    if (!h)
        host_fatal("dsp_setup on an object that is not an instance of a loaded class");
    h->signal_inlets = nsignals;
    h->dsp_setup_called = 1;
    for (long n = 1; n < nsignals; n++)
        inlet_mark(x, n, 'p');
    x->z_count = (short)nsignals;
    x->z_disabled = 0;
}
void dsp_resize(t_pxobject *x, long nsignals)
{
    z_dsp_setup(x, nsignals);
}

void z_dsp_free(t_pxobject *x)
{
    hinstance *h = host_instance_of(x);
    if (h)
        host_instance_dsp_free(h);
}

static void audio_stop_and_join(hinstance *h)
{
    if (!h->audio_running)
        return;
    atomic_store(&h->audio_stop, 1);
    pthread_join(h->audio_thread, NULL);
    h->audio_running = 0;
}

/* dsp_free: as in Max, the perform routine is not called again once it returns (a
 * perform running on the audio thread finishes its vector first). */
void host_instance_dsp_free(hinstance *h)
{
    audio_stop_and_join(h);
    h->nperform = 0;
    free(h->in_chans);
    free(h->out_chans);
    free(h->ins);
    free(h->outs);
    free(h->sigmem);
    h->in_chans = h->out_chans = NULL;
    h->ins = h->outs = NULL;
    h->sigmem = NULL;
    h->nin_total = h->nout_total = 0;
}

void set_zero64(double *dst, long n)
{
    memset(dst, 0, (size_t)n * sizeof *dst);
}
void set_zero(float *dst, long n)
{
    memset(dst, 0, (size_t)n * sizeof *dst);
}

/* The dsp64 object passed to dsp64 and perform64. */
typedef struct hdsp64 {
    t_object ob;
    hinstance *h;
} hdsp64;
static hdsp64 *the_dsp64;

static long dsp64_getnuminputchannels(hdsp64 *d, t_object *x, long index)
{
    (void)x;
    hinstance *h = d->h;
    return (h && index >= 0 && index < h->signal_inlets) ? h->in_chans[index] : 1;
}
/* index is the outlet's index among all outlets (left = 0), as for multichanneloutputs;
 * a non-signal outlet has 0 channels. */
static long dsp64_getnumoutputchannels(hdsp64 *d, t_object *x, long index)
{
    (void)x;
    hinstance *h = d->h;
    if (!h || index < 0 || index >= h->noutlets)
        return 0;
    long k = 0;
    for (long idx = 0; idx < h->noutlets; idx++) {
        houtlet *o = h->outlets[h->noutlets - 1 - idx];
        if (idx == index)
            return o->is_signal ? h->out_chans[k] : 0;
        k += o->is_signal;
    }
    return 0;
}

static void dsp64_add(t_object *chain, t_object *x, t_perfroutine64 f, long flags, void *userparam)
{
    dsp_add64(chain, x, f, flags, userparam);
}

static hdsp64 *dsp64_object(void)
{
    if (!the_dsp64) {
        hclass *c = host_internal_class("dspchain", sizeof(hdsp64), NULL);
        class_addmethod(&c->c, (method)dsp64_getnuminputchannels, "getnuminputchannels", A_CANT, 0);
        class_addmethod(&c->c, (method)dsp64_getnumoutputchannels, "getnumoutputchannels", A_CANT, 0);
        class_addmethod(&c->c, (method)dsp64_add, "dsp_add64", A_CANT, 0);
        the_dsp64 = (hdsp64 *)host_internal_alloc(c);
    }
    return the_dsp64;
}

void dsp_add64(t_object *chain, t_object *x, t_perfroutine64 f, long flags, void *userparam)
{
    hdsp64 *d = (hdsp64 *)chain;
    hinstance *h = d ? d->h : NULL;
    if (!h || h->obj != x)
        host_fatal("dsp_add64 outside the object's dsp64 method");
    if (h->nperform == 4)
        host_fatal("dsp_add64: more than 4 perform routines for one object");
    h->perform[h->nperform].fn = f;
    h->perform[h->nperform].flags = flags;
    h->perform[h->nperform].userparam = userparam;
    h->nperform++;
}

typedef long (*inputchanged_fn)(void *x, long index, long count);
typedef long (*mcoutputs_fn)(void *x, long index);
typedef void (*dsp64_fn)(void *x, t_object *dsp64, short *count, double samplerate, long maxvectorsize, long flags);

int maxhost_dsp(maxhost_obj *h, double sr, long vs, long nin, const long *in_chans)
{
    if (!h || vs < 1 || sr <= 0)
        return -1;
    method dsp = object_getmethod(h->obj, gensym("dsp64"));
    if (!dsp)
        return -1;
    /* Audio turning on: Max sends "dspstate 1" to objects that have the method. */
    method dspstate = object_getmethod(h->obj, gensym("dspstate"));
    if (dspstate && !h->nperform)
        ((void (*)(void *, long))dspstate)(h->obj, 1);
    host_instance_dsp_free(h);
    global_sr = sr;
    global_vs = vs;
    h->sr = sr;
    h->vs = vs;
    t_pxobject *px = (t_pxobject *)h->obj;
    int mc_inlets = h->dsp_setup_called && (px->z_misc & Z_MC_INLETS);
    long ninlets = h->signal_inlets;
    h->in_chans = calloc((size_t)(ninlets ? ninlets : 1), sizeof(long));
    short *connected_in = calloc((size_t)(ninlets ? ninlets : 1), sizeof(short));
    if (!h->in_chans || !connected_in)
        host_fatal("out of memory");
    for (long i = 0; i < ninlets; i++) {
        long n = (in_chans && i < nin) ? in_chans[i] : 0;
        connected_in[i] = n > 0;
        h->in_chans[i] = n < 1 ? 1 : mc_inlets ? n : 1;
    }
    method inputchanged = object_getmethod(h->obj, gensym("inputchanged"));
    if (inputchanged)
        for (long i = 0; i < ninlets; i++)
            ((inputchanged_fn)inputchanged)(h->obj, i, h->in_chans[i]);
    /* Signal outlets left to right, with their channel counts. */
    long nsig = 0;
    for (long i = 0; i < h->noutlets; i++)
        nsig += h->outlets[i]->is_signal;
    h->out_chans = calloc((size_t)(nsig ? nsig : 1), sizeof(long));
    if (!h->out_chans)
        host_fatal("out of memory");
    method mcout = object_getmethod(h->obj, gensym("multichanneloutputs"));
    long k = 0;
    for (long idx = 0; idx < h->noutlets; idx++) {
        houtlet *o = h->outlets[h->noutlets - 1 - idx];
        if (!o->is_signal)
            continue;
        long n = 1;
        if (o->is_mc && mcout) {
            n = ((mcoutputs_fn)mcout)(h->obj, idx);
            if (n < 1)
                n = 1;
            if (n > MC_MAX_CHANS)
                n = MC_MAX_CHANS;
        }
        h->out_chans[k++] = n;
    }
    h->nin_total = 0;
    for (long i = 0; i < ninlets; i++)
        h->nin_total += h->in_chans[i];
    h->nout_total = 0;
    for (long i = 0; i < nsig; i++)
        h->nout_total += h->out_chans[i];
    short *count = calloc((size_t)(ninlets + nsig + 1), sizeof(short));
    if (!count)
        host_fatal("out of memory");
    for (long i = 0; i < ninlets; i++)
        count[i] = connected_in[i];
    for (long i = 0; i < nsig; i++)
        count[ninlets + i] = 1;
    free(connected_in);
    /* Signal memory: inputs, then outputs that do not share an input's vector. */
    int inplace = !(px->z_misc & Z_NO_INPLACE);
    long nvec = h->nin_total + h->nout_total;
    h->sigmem = calloc((size_t)(nvec ? nvec : 1) * (size_t)vs, sizeof(double));
    h->ins = calloc((size_t)(h->nin_total ? h->nin_total : 1), sizeof(double *));
    h->outs = calloc((size_t)(h->nout_total ? h->nout_total : 1), sizeof(double *));
    if (!h->sigmem || !h->ins || !h->outs)
        host_fatal("out of memory");
    for (long i = 0; i < h->nin_total; i++)
        h->ins[i] = h->sigmem + i * vs;
    for (long i = 0; i < h->nout_total; i++)
        h->outs[i] = (inplace && i < h->nin_total) ? h->ins[i] : h->sigmem + (h->nin_total + i) * vs;
    hdsp64 *d = dsp64_object();
    d->h = h;
    ((dsp64_fn)dsp)(h->obj, &d->ob, count, sr, vs, 0);
    d->h = NULL;
    free(count);
    dsp_running = 1;
    return (int)h->nperform;
}

long maxhost_dsp_inputs(maxhost_obj *o)
{
    return o ? o->nin_total : 0;
}
long maxhost_dsp_outputs(maxhost_obj *o)
{
    return o ? o->nout_total : 0;
}
long maxhost_dsp_outlet_channels(maxhost_obj *o, long signal_outlet)
{
    long nsig = 0;
    if (!o || !o->out_chans)
        return 0;
    for (long i = 0; i < o->noutlets; i++)
        nsig += o->outlets[i]->is_signal;
    return signal_outlet >= 0 && signal_outlet < nsig ? o->out_chans[signal_outlet] : 0;
}
void maxhost_dsp_stop(maxhost_obj *o)
{
    if (!o)
        return;
    audio_stop_and_join(o);
    int was_on = o->nperform > 0;
    o->nperform = 0;
    dsp_running = 0;
    method dspstate = object_getmethod(o->obj, gensym("dspstate"));
    if (dspstate && was_on)
        ((void (*)(void *, long))dspstate)(o->obj, 0);
}

/* Max recompiles the signal chain before the next vector once an object marked it broken
 * (dspchain_setbroken, e.g. after its channel counts changed): here maxhost_dsp_refresh
 * does that, with the same rate, vector size and input channels. */
static atomic_int chain_broken;
static t_dspchain host_chain;

t_dspchain *dspchain_get(void)
{
    return dsp_running ? &host_chain : NULL;
}

void dspchain_setbroken(t_dspchain *c)
{
    (void)c;
    atomic_store(&chain_broken, 1);
}

int maxhost_dsp_refresh(maxhost_obj *h)
{
    if (!h || !atomic_exchange(&chain_broken, 0) || h->vs < 1)
        return 0;
    long n = h->signal_inlets;
    long *chans = calloc((size_t)(n ? n : 1), sizeof(long));
    if (!chans)
        host_fatal("out of memory");
    for (long i = 0; i < n; i++)
        chans[i] = h->in_chans ? h->in_chans[i] : 1;
    maxhost_dsp(h, h->sr, h->vs, n, chans);
    free(chans);
    return 1;
}

static int perform_run(hinstance *h, const float *in, float *out, long frames);

int maxhost_perform(maxhost_obj *h, const float *in, float *out, long frames)
{
    if (!h || !h->ins || h->vs < 1 || atomic_load(&chain_broken))
        return -1;
    if (h->audio_running)
        host_fatal("maxhost_perform while this object's perform runs on the audio thread");
    return perform_run(h, in, out, frames);
}

static int perform_run(hinstance *h, const float *in, float *out, long frames)
{
    long vs = h->vs, nin = h->nin_total, nout = h->nout_total;
    hdsp64 *d = dsp64_object();
    for (long start = 0; start < frames && !atomic_load(&h->audio_stop); start += vs) {
        long n = frames - start < vs ? frames - start : vs;
        for (long c = 0; c < nin; c++)
            for (long i = 0; i < vs; i++)
                h->ins[c][i] = (in && i < n) ? in[(start + i) * nin + c] : 0.0;
        host_in_audio = 1;
        for (long p = 0; p < h->nperform; p++) {
#ifdef NN_RTSAN
            __rtsan_realtime_enter();
#endif
            h->perform[p].fn(h->obj, &d->ob, h->ins, nin, h->outs, nout, vs, h->perform[p].flags,
                             h->perform[p].userparam);
#ifdef NN_RTSAN
            __rtsan_realtime_exit();
#endif
        }
        host_in_audio = 0;
        if (out)
            for (long c = 0; c < nout; c++)
                for (long i = 0; i < n; i++)
                    out[(start + i) * nout + c] = (float)h->outs[c][i];
    }
    return 0;
}

static void *audio_thread_main(void *arg)
{
    hinstance *h = arg;
    h->audio_result = perform_run(h, h->audio_in, h->audio_out, h->audio_frames);
    return NULL;
}

int maxhost_perform_start(maxhost_obj *o, const float *in, float *out, long frames)
{
    if (!o || !o->ins || o->audio_running)
        return -1;
    o->audio_in = in;
    o->audio_out = out;
    o->audio_frames = frames;
    atomic_store(&o->audio_stop, 0);
    if (pthread_create(&o->audio_thread, NULL, audio_thread_main, o) != 0)
        return -1;
    o->audio_running = 1;
    return 0;
}

int maxhost_perform_wait(maxhost_obj *o)
{
    if (!o || !o->audio_running)
        return -1;
    pthread_join(o->audio_thread, NULL);
    o->audio_running = 0;
    return o->audio_result;
}

/* ------------------------------------------------------------------ buffer~ */

/* A buffer~: registered under its name in the "buffer~" namespace of the host. */
typedef struct hbuffer {
    t_object ob;
    t_symbol *name;
    float *samples;
    long frames, channels;
    double sr;
    atomic_int locks;
    struct hbuffer *next;
} hbuffer;
static hbuffer *buffers;

/* A buffer reference (buffer_ref_new): its owner, the name it follows. */
struct _buffer_ref {
    t_object ob;
    t_object *owner;
    t_symbol *name;
    struct _buffer_ref *next;
};
static t_buffer_ref *buffer_refs;
static pthread_mutex_t bufs_lock = PTHREAD_MUTEX_INITIALIZER;

static hbuffer *buffer_find(t_symbol *name)
{
    hbuffer *b = buffers;
    while (b && b->name != name)
        b = b->next;
    return b;
}

static void buffer_ref_free(t_object *x)
{
    t_buffer_ref *r = (t_buffer_ref *)x;
    pthread_mutex_lock(&bufs_lock);
    for (t_buffer_ref **p = &buffer_refs; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    pthread_mutex_unlock(&bufs_lock);
}

t_buffer_ref *buffer_ref_new(t_object *self, t_symbol *name)
{
    hclass *c = host_internal_class("buffer_ref", sizeof(t_buffer_ref), buffer_ref_free);
    t_buffer_ref *r = (t_buffer_ref *)host_internal_alloc(c);
    r->owner = self;
    r->name = name;
    pthread_mutex_lock(&bufs_lock);
    r->next = buffer_refs;
    buffer_refs = r;
    pthread_mutex_unlock(&bufs_lock);
    return r;
}

void buffer_ref_set(t_buffer_ref *x, t_symbol *name)
{
    if (x)
        x->name = name;
}

t_atom_long buffer_ref_exists(t_buffer_ref *x)
{
    pthread_mutex_lock(&bufs_lock);
    int e = x && buffer_find(x->name) != NULL;
    pthread_mutex_unlock(&bufs_lock);
    return e;
}

t_buffer_obj *buffer_ref_getobject(t_buffer_ref *x)
{
    pthread_mutex_lock(&bufs_lock);
    hbuffer *b = x ? buffer_find(x->name) : NULL;
    pthread_mutex_unlock(&bufs_lock);
    return b ? &b->ob : NULL;
}

/* Objects forward their notify calls here; the host's references need no state change. */
t_max_err buffer_ref_notify(t_buffer_ref *x, t_symbol *s, t_symbol *msg, void *sender, void *data)
{
    (void)x, (void)s, (void)msg, (void)sender, (void)data;
    return MAX_ERR_NONE;
}

void host_buffer_refs_forget(t_object *owner)
{
    (void)owner; /* references are objects of their own, freed by their owner */
}

static hbuffer *as_buffer(t_buffer_obj *o)
{
    hclass *c = host_class_of(o);
    return (c && c->name == gensym("buffer~")) ? (hbuffer *)o : NULL;
}

float *buffer_locksamples(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    if (!b)
        return NULL;
    atomic_fetch_add(&b->locks, 1);
    return b->samples;
}
void buffer_unlocksamples(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    if (b && atomic_fetch_sub(&b->locks, 1) <= 0)
        host_fatal("buffer_unlocksamples without buffer_locksamples on %s", b->name->s_name);
}
t_atom_long buffer_getchannelcount(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    return b ? b->channels : 0;
}
t_atom_long buffer_getframecount(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    return b ? b->frames : 0;
}
t_atom_float buffer_getsamplerate(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    return b ? b->sr : 0;
}
t_atom_float buffer_getmillisamplerate(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    return b ? b->sr / 1000.0 : 0;
}
t_max_err buffer_setdirty(t_buffer_obj *buffer_object)
{
    hbuffer *b = as_buffer(buffer_object);
    if (!b)
        return MAX_ERR_INVALID_PTR;
    host_notify_clients(NULL, b->name, gensym("buffer_modified"), &b->ob);
    return MAX_ERR_NONE;
}
t_symbol *buffer_getfilename(t_buffer_obj *buffer_object)
{
    (void)buffer_object;
    return gensym("");
}
t_max_err buffer_getinfo(t_buffer_obj *buffer_object, t_buffer_info *info)
{
    hbuffer *b = as_buffer(buffer_object);
    if (!b || !info)
        return MAX_ERR_INVALID_PTR;
    memset(info, 0, sizeof *info);
    info->b_name = b->name;
    info->b_samples = b->samples;
    info->b_frames = b->frames;
    info->b_nchans = b->channels;
    info->b_size = b->frames * b->channels;
    info->b_sr = (float)b->sr;
    return MAX_ERR_NONE;
}

/* Tells every object whose buffer reference follows name, through its "notify" method
 * with (x, name, msg, buffer object, NULL): "globalsymbol_binding" when the buffer~
 * appears, "buffer_modified" when its contents change, "globalsymbol_unbinding" when it
 * goes away, which is what a buffer~ sends in Max. */
static void notify_refs(t_symbol *name, t_symbol *msg, t_object *sender)
{
    t_object *owners[256];
    long n = 0;
    pthread_mutex_lock(&bufs_lock);
    for (t_buffer_ref *r = buffer_refs; r && n < 256; r = r->next)
        if (r->name == name && r->owner)
            owners[n++] = r->owner;
    pthread_mutex_unlock(&bufs_lock);
    for (long i = 0; i < n; i++) {
        method fn = object_getmethod(owners[i], gensym("notify"));
        if (fn)
            ((t_max_err(*)(void *, t_symbol *, t_symbol *, void *, void *))fn)(owners[i], name, msg, sender, NULL);
    }
}

int maxhost_buffer_set(const char *name, const float *samples, long frames, long channels, double sr)
{
    maxhost_init();
    if (!name || frames < 0 || channels < 1 || sr <= 0)
        return -1;
    t_symbol *s = gensym(name);
    long total = frames * channels;
    float *mem = calloc((size_t)(total > 0 ? total : 1), sizeof(float));
    if (!mem)
        return -1;
    if (samples)
        memcpy(mem, samples, (size_t)(frames * channels) * sizeof(float));
    pthread_mutex_lock(&bufs_lock);
    hbuffer *b = buffer_find(s);
    int isnew = !b;
    if (isnew) {
        pthread_mutex_unlock(&bufs_lock);
        hclass *c = host_internal_class("buffer~", sizeof(hbuffer), NULL);
        b = (hbuffer *)host_internal_alloc(c);
        b->name = s;
        pthread_mutex_lock(&bufs_lock);
        b->next = buffers;
        buffers = b;
    }
    if (atomic_load(&b->locks) > 0) {
        pthread_mutex_unlock(&bufs_lock);
        free(mem);
        host_consolef(MAXHOST_ERROR, NULL, "test host: buffer~ %s changed while an object holds its samples", name);
        return -1;
    }
    free(b->samples);
    b->samples = mem;
    b->frames = frames;
    b->channels = channels;
    b->sr = sr;
    pthread_mutex_unlock(&bufs_lock);
    if (isnew)
        object_register(gensym("buffer~"), s, b);
    notify_refs(s, gensym(isnew ? "globalsymbol_binding" : "buffer_modified"), &b->ob);
    return 0;
}

int maxhost_buffer_remove(const char *name)
{
    t_symbol *s = gensym(name);
    pthread_mutex_lock(&bufs_lock);
    hbuffer **p = &buffers;
    while (*p && (*p)->name != s)
        p = &(*p)->next;
    hbuffer *b = *p;
    if (b)
        *p = b->next;
    pthread_mutex_unlock(&bufs_lock);
    if (!b)
        return -1;
    notify_refs(s, gensym("globalsymbol_unbinding"), &b->ob);
    object_unregister(b);
    free(b->samples);
    b->ob.o_magic = 0;
    free(b);
    return 0;
}

void host_buffers_reset(void)
{
    for (;;) {
        pthread_mutex_lock(&bufs_lock);
        hbuffer *b = buffers;
        pthread_mutex_unlock(&bufs_lock);
        if (!b)
            break;
        maxhost_buffer_remove(b->name->s_name);
    }
    for (;;) {
        pthread_mutex_lock(&bufs_lock);
        t_buffer_ref *r = buffer_refs;
        pthread_mutex_unlock(&bufs_lock);
        if (!r)
            break;
        object_free(r); /* leaked by an object: the host reclaims it */
    }
}

/* ------------------------------------------------------------------ [array] */

/* Max's [array] object, as the host models it: an atomarray registered under the array's
 * name in the "box" namespace (CLASS_BOX). An external finds it with
 * object_findregistered(CLASS_BOX, name), checks object_classname == "atomarray" (or
 * calls object_getvalueof) and reads atomarray_getatoms; objects attached with
 * object_attach(CLASS_BOX, name, x) get "modified" in their notify method when the
 * contents change, and "free" when the array goes away. */
int maxhost_array_set(const char *name, const char *atoms)
{
    maxhost_init();
    t_symbol *s = gensym(name);
    long ac = 0;
    t_atom *av = NULL;
    atom_setparse(&ac, &av, atoms);
    t_atomarray *a = object_findregistered(CLASS_BOX, s);
    if (a && !host_is_atomarray(a)) {
        sysmem_freeptr(av);
        return -1;
    }
    int isnew = !a;
    if (isnew)
        a = atomarray_new(ac, av);
    else
        atomarray_setatoms(a, ac, av);
    sysmem_freeptr(av);
    if (isnew) {
        object_register(CLASS_BOX, s, a);
        host_notify_clients(NULL, s, gensym("modified"), a);
    } else {
        object_notify(a, gensym("modified"), NULL);
    }
    return 0;
}

int maxhost_array_remove(const char *name)
{
    t_atomarray *a = object_findregistered(CLASS_BOX, gensym(name));
    if (!a || !host_is_atomarray(a))
        return -1;
    object_notify(a, gensym("free"), NULL);
    object_unregister(a);
    object_free(a);
    return 0;
}
