/* nn~ in C — the Pure Data object [nn~].
 * SPDX-License-Identifier: MIT
 *
 * [nn~ <flags> <model> <method> <bufsize>] runs one method of a TorchScript model following
 * the nn~ contract on Pd signals, through the core's stream engine: the perform routine only
 * calls nn_stream_process (real-time safe), every command (load, method, bufsize, reload,
 * set, get) is queued to the engine's worker, and the engine's events (results, errors,
 * overruns) are delivered on Pd's main thread by a clock that polls the stream. Flags: -m
 * (one multichannel inlet and outlet, Pd >= 0.54 detected at run time), -g/-gpu, -d (start
 * disabled), -offline (the audio thread waits for the model: complete, deterministic renders
 * in `pd -batch`). The rightmost outlet is the info outlet, present in every case.
 */
#include "m_pd.h"
#include "nn/nn.h"
#include "nn_pd.h"

#include <dlfcn.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef NN_RTSAN
/* Exported by the RealtimeSanitizer runtime; not in clang-22's public header. */
void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);
#endif

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
static struct nn_tilde *nn_tilde_live;

/* Overrun warnings: at most one per this many milliseconds of logical time per object. */
#define NN_TILDE_OVERRUN_INTERVAL_MS 2000.0
/* How often the poll clocks run while the engine or the downloader has work in flight. */
#define NN_TILDE_POLL_MS 5.0

typedef struct nn_tilde {
    t_object obj;
    t_float scalar_in;
    t_canvas *canvas;
    t_outlet *info;
    t_clock *poll_clock;
    nn_stream *stream;
    nn_pd_downloads downloads;

    /* What the user asked for; the stream reports what is in effect. */
    t_symbol *method;
    int bufsize;
    bool multichannel;
    bool gpu;
    bool offline;
    bool enabled;
    t_symbol *fitting_path; /* last model file whose method fits the inlets and outlets */

    /* Signal inlets and outlets (fixed at creation unless -m). */
    int n_inlets;
    int n_outlets;
    int mc_in_channels;  /* -m: channels the model took at the last dsp */
    int mc_out_channels; /* -m: channels the outlet got at the last dsp */

    /* DSP state, (re)built by the dsp method, read by the perform routine. */
    double sample_rate;
    int vector_size;
    bool prepared;
    t_sample **in_vecs; /* where each model input channel comes from */
    t_sample **in_copy; /* copies of those (Pd may alias inputs and outputs) */
    t_sample **out_vecs;
    t_sample *scratch;
    int n_in_vecs;
    int n_out_vecs;
    size_t scratch_size;

    struct nn_tilde *next_live; /* list of live objects, for nn_tilde_at_exit */

    uint64_t seen_blocks;
    uint64_t seen_overruns;
    double last_overrun_warning;
    bool warned_overruns;
} t_nn_tilde;

/* ---------------------------------------------------------------------------------------- */
/* helpers                                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void nn_tilde_poll_soon(t_nn_tilde *x)
{
    clock_delay(x->poll_clock, 0);
}

static const nn_model *nn_tilde_model(const t_nn_tilde *x)
{
    return x->stream ? nn_stream_model(x->stream) : NULL;
}

static const char *nn_tilde_model_file(const t_nn_tilde *x)
{
    const nn_model *model = nn_tilde_model(x);
    if (!model)
        return "(none)";
    const char *path = nn_model_path(model);
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The names of the model's methods (or attributes) separated by spaces, `empty` if none. */
static void nn_tilde_names_text(const nn_model *model, bool attributes, const char *empty, char *buf, size_t size)
{
    int count = attributes ? nn_model_attribute_count(model) : nn_model_method_count(model);
    size_t used = 0;
    snprintf(buf, size, "%s", count == 0 ? empty : "");
    for (int i = 0; i < count && used < size; i++) {
        const char *name = attributes ? nn_model_attribute(model, i)->name : nn_model_method(model, i)->name;
        int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Reads a Pd atom that must hold a whole number (Pd floats are exact up to 2^24, and
 * anything that is not integral is refused rather than truncated). */
static bool nn_tilde_atom_int(const t_atom *a, long long *out)
{
    if (a->a_type != A_FLOAT)
        return false;
    double f = a->a_w.w_float;
    if (!isfinite(f) || f != floor(f) || fabs(f) > 9007199254740992.0)
        return false;
    *out = (long long)f;
    return true;
}

/* `pd quit` calls exit() without freeing objects, and libtorch's libraries (oneDNN) register
 * static caches the first time a model runs: their destructors must not run under an
 * inference still in flight. Handlers run in reverse order of registration, so the handler
 * that stops every worker is registered again after each model load and warm-up (it is
 * idempotent; the count is bounded since the first few registrations already come late). */
#define NN_TILDE_MAX_EXIT_HANDLERS 64

static void nn_tilde_at_exit(void)
{
    for (t_nn_tilde *x = nn_tilde_live; x; x = x->next_live) {
        nn_stream_free(x->stream);
        x->stream = NULL;
    }
}

static void nn_tilde_register_exit(void)
{
    static int registered;
    if (registered < NN_TILDE_MAX_EXIT_HANDLERS && atexit(nn_tilde_at_exit) == 0)
        registered++;
}

/* ---------------------------------------------------------------------------------------- */
/* engine events (main thread, inside nn_stream_poll)                                       */
/* ---------------------------------------------------------------------------------------- */

static void nn_tilde_on_event(void *user, const nn_event *event)
{
    t_nn_tilde *x = user;
    switch (event->kind) {
    case NN_EVENT_LOADED: {
        logpost(x, PD_DEBUG, "nn~: %s", event->message ? event->message : "loaded");
        const nn_model *model = nn_stream_model(x->stream);
        const nn_method_info *m = nn_stream_method(x->stream);
        if (!model || !m)
            break;
        if (x->multichannel) {
            if (m->in_channels != x->mc_in_channels || m->out_channels != x->mc_out_channels) {
                post("nn~: dimensions changed: %d in, %d out", m->in_channels, m->out_channels);
                canvas_update_dsp();
            }
        } else if (m->in_channels != x->n_inlets || m->out_channels != x->n_outlets) {
            /* Only a `load` can get here (method is checked before it is queued): the new
             * file's dimensions are known once it is loaded, so go back to the last file
             * that fitted this object's inlets and outlets. */
            pd_error(x,
                     "nn~: load: method '%s' of %s has %d input(s) and %d output(s) but this [nn~] has %d signal "
                     "inlet(s) and %d signal outlet(s); going back to %s (create a new [nn~] for it, or use -m on "
                     "Pd >= 0.54)",
                     m->name, nn_model_path(model), m->in_channels, m->out_channels, x->n_inlets, x->n_outlets,
                     x->fitting_path ? x->fitting_path->s_name : "no model");
            nn_error err;
            nn_error_clear(&err);
            if (x->fitting_path && (nn_stream_load(x->stream, x->fitting_path->s_name, &err) != NN_OK ||
                                    nn_stream_set_method(x->stream, x->method->s_name, &err) != NN_OK))
                pd_error(x, "nn~: load: %s", err.message);
            nn_tilde_poll_soon(x);
            break;
        }
        x->fitting_path = gensym(nn_model_path(model));
        x->method = gensym(m->name);
        nn_tilde_register_exit();
        break;
    }
    case NN_EVENT_ERROR: pd_error(x, "nn~: %s", event->message ? event->message : nn_strerror(event->status)); break;
    case NN_EVENT_ATTRIBUTE_SET: break;
    case NN_EVENT_ATTRIBUTE_VALUE: {
        const nn_model *model = nn_tilde_model(x);
        const nn_attribute_info *a = model ? nn_model_attribute(model, event->attribute) : NULL;
        nn_pd_output_value(x->info, a ? a->name : "?", event->values);
        break;
    }
    case NN_EVENT_OVERRUN: {
        double now = clock_getlogicaltime();
        if (!x->warned_overruns || clock_gettimesince(x->last_overrun_warning) >= NN_TILDE_OVERRUN_INTERVAL_MS) {
            pd_error(x,
                     "nn~: %llu block(s) were not ready in time and played as silence "
                     "(model too slow for buffer size %d; try a larger bufsize)",
                     (unsigned long long)event->count, nn_stream_buffer_size(x->stream));
            x->last_overrun_warning = now;
            x->warned_overruns = true;
        }
        break;
    }
    case NN_EVENT_INFO: post("nn~: %s", event->message ? event->message : ""); break;
    }
}

static void nn_tilde_tick(t_nn_tilde *x)
{
    /* Read "busy" before polling: a command that finishes in between has pushed its event
     * already, so this poll delivers it and no event waits for a later tick. */
    bool busy = x->stream && nn_stream_busy(x->stream);
    if (x->stream)
        nn_stream_poll(x->stream);
    if (busy)
        clock_delay(x->poll_clock, NN_TILDE_POLL_MS);
}

/* ---------------------------------------------------------------------------------------- */
/* model loading                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* Checks a requested buffer size against the model's largest ratio, printing why it is
 * refused or how it was adjusted. */
static bool nn_tilde_check_bufsize(t_nn_tilde *x, int requested, int max_ratio, const char *context)
{
    int resolved = 0;
    bool synchronous = false, raised = false;
    nn_error err;
    nn_error_clear(&err);
    if (nn_buffer_size_resolve(requested, max_ratio, &resolved, &synchronous, &raised, &err) != NN_OK) {
        pd_error(x, "nn~: %s: %s", context, err.message);
        return false;
    }
    if (raised)
        post("nn~: buffer size %d is smaller than the model's largest ratio, using %d", requested, resolved);
    else if (!synchronous && resolved != requested)
        post("nn~: buffer size %d rounded up to the power of two %d", requested, resolved);
    return true;
}

/* Loads `name` synchronously (object creation, or `load` while no model is loaded) and
 * creates the stream. Returns the stream or NULL after printing one error line. */
static nn_stream *nn_tilde_open(t_nn_tilde *x, t_symbol *name)
{
    char path[MAXPDSTRING];
    nn_error err;
    nn_error_clear(&err);
    if (nn_pd_locate(x->canvas, name->s_name, path, sizeof path, &err) != NN_OK) {
        pd_error(x, "nn~: could not find model '%s': %s", name->s_name, err.message);
        return NULL;
    }
    nn_model_config config = nn_model_config_default();
    config.device = x->gpu ? NN_DEVICE_CUDA : NN_DEVICE_CPU;
    config.sample_rate = (int)sys_getsr();
    nn_model *model = NULL;
    if (nn_model_load(path, &config, &model, &err) != NN_OK) {
        pd_error(x, "nn~: could not load model '%s': %s", name->s_name, err.message);
        return NULL;
    }
    if (nn_model_method_find(model, x->method->s_name) < 0) {
        char methods[MAXPDSTRING];
        nn_tilde_names_text(model, false, "", methods, sizeof methods);
        const char *fallback =
            nn_model_method_find(model, "forward") >= 0 ? "forward" : nn_model_method(model, 0)->name;
        pd_error(x, "nn~: model '%s' has no method '%s' (methods: %s), using '%s'", name->s_name, x->method->s_name,
                 methods, fallback);
        x->method = gensym(fallback);
    }
    if (!nn_tilde_check_bufsize(x, x->bufsize, nn_model_max_ratio(model), "bufsize")) {
        post("nn~: using the default buffer size %d", NN_DEFAULT_BUFFER_SIZE);
        x->bufsize = NN_DEFAULT_BUFFER_SIZE;
    }
    nn_stream_config sc = nn_stream_config_default();
    sc.method = x->method->s_name;
    sc.buffer_size = x->bufsize;
    sc.mode = x->bufsize == 0 ? NN_STREAM_SYNCHRONOUS : x->offline ? NN_STREAM_OFFLINE : NN_STREAM_THREADED;
    sc.on_event = nn_tilde_on_event;
    sc.user = x;
    nn_stream *stream = NULL;
    if (nn_stream_new(model, &sc, &stream, &err) != NN_OK) {
        pd_error(x, "nn~: could not start model '%s': %s", name->s_name, err.message);
        return NULL;
    }
    nn_stream_set_enabled(stream, x->enabled);
    /* The first state is built by the engine's worker; waiting for it here (creation may
     * take time, as loading does) makes the first block deterministic in every mode. */
    nn_stream_wait_idle(stream);
    nn_tilde_register_exit();
    return stream;
}

/* Whether method `m` fits the inlets and outlets this object was created with. */
static bool nn_tilde_fits(t_nn_tilde *x, const nn_method_info *m, const char *what)
{
    if (x->multichannel || (m->in_channels == x->n_inlets && m->out_channels == x->n_outlets))
        return true;
    pd_error(x,
             "nn~: %s: method '%s' has %d input(s) and %d output(s) but this [nn~] has %d signal inlet(s) and "
             "%d signal outlet(s); create a new [nn~] for it (or use -m on Pd >= 0.54)",
             what, m->name, m->in_channels, m->out_channels, x->n_inlets, x->n_outlets);
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* DSP                                                                                      */
/* ---------------------------------------------------------------------------------------- */

static t_int *nn_tilde_perform(t_int *w)
{
    t_nn_tilde *x = (t_nn_tilde *)w[1];
    int n = (int)w[2];
#ifdef NN_RTSAN
    /* Offline and synchronous streams wait or run the model here by the user's choice;
     * only the threaded mode promises real-time safety. */
    bool realtime = !x->stream || nn_stream_mode_get(x->stream) == NN_STREAM_THREADED;
    if (realtime)
        __rtsan_realtime_enter();
#endif
    if (x->stream && x->prepared) {
        for (int i = 0; i < x->n_in_vecs; i++)
            memcpy(x->in_copy[i], x->in_vecs[i], sizeof(t_sample) * (size_t)n);
        nn_stream_process(x->stream, (const float *const *)x->in_copy, x->n_in_vecs, x->out_vecs, x->n_out_vecs, n);
        uint64_t blocks = nn_stream_blocks(x->stream);
        uint64_t overruns = nn_stream_overruns(x->stream);
        /* Events (errors from the model, overruns, finished commands) follow computed blocks:
         * hand them to the main thread through the clock, which is safe from perform. */
        if (blocks != x->seen_blocks || overruns != x->seen_overruns) {
            x->seen_blocks = blocks;
            x->seen_overruns = overruns;
            clock_delay(x->poll_clock, 0);
        }
    } else {
        for (int j = 0; j < x->n_out_vecs; j++)
            memset(x->out_vecs[j], 0, sizeof(t_sample) * (size_t)n);
    }
#ifdef NN_RTSAN
    if (realtime)
        __rtsan_realtime_exit();
#endif
    return w + 3;
}

static void nn_tilde_free_dsp(t_nn_tilde *x)
{
    freebytes(x->in_vecs, sizeof(t_sample *) * (size_t)(x->n_in_vecs ? x->n_in_vecs : 1));
    freebytes(x->in_copy, sizeof(t_sample *) * (size_t)(x->n_in_vecs ? x->n_in_vecs : 1));
    freebytes(x->out_vecs, sizeof(t_sample *) * (size_t)(x->n_out_vecs ? x->n_out_vecs : 1));
    freebytes(x->scratch, x->scratch_size ? x->scratch_size : 1);
    x->in_vecs = x->in_copy = x->out_vecs = NULL;
    x->scratch = NULL;
    x->n_in_vecs = x->n_out_vecs = 0;
    x->scratch_size = 0;
}

static void nn_tilde_alloc_dsp(t_nn_tilde *x, int n_in, int n_out, int n)
{
    nn_tilde_free_dsp(x);
    x->n_in_vecs = n_in;
    x->n_out_vecs = n_out;
    x->in_vecs = getbytes(sizeof(t_sample *) * (size_t)(n_in ? n_in : 1));
    x->in_copy = getbytes(sizeof(t_sample *) * (size_t)(n_in ? n_in : 1));
    x->out_vecs = getbytes(sizeof(t_sample *) * (size_t)(n_out ? n_out : 1));
    x->scratch_size = sizeof(t_sample) * (size_t)n_in * (size_t)n;
    x->scratch = getbytes(x->scratch_size ? x->scratch_size : 1);
    for (int i = 0; i < n_in; i++)
        x->in_copy[i] = x->scratch + (size_t)i * (size_t)n;
}

static void nn_tilde_prepare(t_nn_tilde *x)
{
    x->prepared = false;
    if (!x->stream || x->vector_size <= 0)
        return;
    nn_error err;
    nn_error_clear(&err);
    nn_status status = nn_stream_prepare(x->stream, x->sample_rate, x->vector_size, &err);
    if (status == NN_OK)
        x->prepared = true;
    else
        pd_error(x, "nn~: %s", err.message[0] ? err.message : nn_strerror(status));
    x->seen_blocks = nn_stream_blocks(x->stream);
    x->seen_overruns = nn_stream_overruns(x->stream);
}

static void nn_tilde_dsp(t_nn_tilde *x, t_signal **sp)
{
    int n = sp[0]->s_n;
    x->sample_rate = sp[0]->s_sr;
    x->vector_size = n;
    const nn_method_info *m = x->stream ? nn_stream_method(x->stream) : NULL;
    if (x->multichannel) {
        const nn_pd_signal54 *in = (const nn_pd_signal54 *)sp[0];
        int in_chans = in->nchans > 0 ? in->nchans : 1;
        int model_in = m ? m->in_channels : 1;
        int model_out = m ? m->out_channels : 1;
        nn_pd_setmultiout(&sp[1], model_out);
        const nn_pd_signal54 *out = (const nn_pd_signal54 *)sp[1];
        nn_tilde_alloc_dsp(x, model_in, model_out, n);
        /* A mono signal into a many-input method feeds every input (channel i mod nchans). */
        for (int i = 0; i < model_in; i++)
            x->in_vecs[i] = in->vec + (size_t)(i % in_chans) * (size_t)n;
        for (int j = 0; j < model_out; j++)
            x->out_vecs[j] = out->vec + (size_t)j * (size_t)n;
        x->mc_in_channels = model_in;
        x->mc_out_channels = model_out;
    } else {
        if (nn_pd_setmultiout)
            for (int j = 0; j < x->n_outlets; j++)
                nn_pd_setmultiout(&sp[x->n_inlets + j], 1);
        nn_tilde_alloc_dsp(x, x->n_inlets, x->n_outlets, n);
        for (int i = 0; i < x->n_inlets; i++)
            x->in_vecs[i] = sp[i]->s_vec;
        for (int j = 0; j < x->n_outlets; j++)
            x->out_vecs[j] = sp[x->n_inlets + j]->s_vec;
    }
    nn_tilde_prepare(x);
    dsp_add(nn_tilde_perform, 2, x, (t_int)n);
}

/* ---------------------------------------------------------------------------------------- */
/* messages                                                                                 */
/* ---------------------------------------------------------------------------------------- */

static bool nn_tilde_need_model(t_nn_tilde *x, const char *what)
{
    if (x->stream)
        return true;
    pd_error(x, "nn~: %s: no model loaded (create [nn~ <model> <method>] or send 'load <model>')", what);
    return false;
}

/* The index of attribute `name` of the loaded model, or -1 after an error naming the ones it has. */
static int nn_tilde_find_attribute(t_nn_tilde *x, const char *name, const char *what)
{
    const nn_model *model = nn_stream_model(x->stream);
    int index = nn_model_attribute_find(model, name);
    if (index < 0) {
        char attrs[MAXPDSTRING];
        nn_tilde_names_text(model, true, "none", attrs, sizeof attrs);
        pd_error(x, "nn~: %s: model '%s' has no attribute '%s' (attributes: %s)", what, nn_tilde_model_file(x), name,
                 attrs);
    }
    return index;
}

static void nn_tilde_bang(t_nn_tilde *x)
{
    t_atom a[2];
    SETFLOAT(&a[0], x->stream ? 1 : 0);
    outlet_anything(x->info, gensym("loaded"), 1, a);
    if (!x->stream)
        return;
    const nn_model *model = nn_stream_model(x->stream);
    const nn_method_info *m = nn_stream_method(x->stream);
    SETFLOAT(&a[0], nn_stream_enabled(x->stream) ? 1 : 0);
    outlet_anything(x->info, gensym("enabled"), 1, a);
    SETFLOAT(&a[0], nn_model_device(model) == NN_DEVICE_CUDA ? 1 : 0);
    outlet_anything(x->info, gensym("gpu"), 1, a);
    SETSYMBOL(&a[0], gensym(nn_model_path(model)));
    outlet_anything(x->info, gensym("model"), 1, a);
    nn_pd_output_methods(x->info, model);
    SETSYMBOL(&a[0], gensym(m ? m->name : ""));
    outlet_anything(x->info, gensym("method"), 1, a);
    nn_pd_output_attributes(x->info, model);
    SETFLOAT(&a[0], (t_float)nn_stream_buffer_size(x->stream));
    outlet_anything(x->info, gensym("bufsize"), 1, a);
    SETFLOAT(&a[0], m ? m->in_channels : 0);
    SETFLOAT(&a[1], m ? m->out_channels : 0);
    outlet_anything(x->info, gensym("dim"), 2, a);
    SETFLOAT(&a[0], m ? m->in_ratio : 0);
    SETFLOAT(&a[1], m ? m->out_ratio : 0);
    outlet_anything(x->info, gensym("ratio"), 2, a);
    SETFLOAT(&a[0], (t_float)nn_stream_latency(x->stream));
    outlet_anything(x->info, gensym("latency"), 1, a);
    SETFLOAT(&a[0], (t_float)nn_stream_overruns(x->stream));
    outlet_anything(x->info, gensym("overruns"), 1, a);
    nn_stream_mode mode = nn_stream_mode_get(x->stream);
    SETFLOAT(&a[0], mode == NN_STREAM_OFFLINE ? 1 : 0);
    outlet_anything(x->info, gensym("offline"), 1, a);
    SETSYMBOL(&a[0], gensym(mode == NN_STREAM_OFFLINE       ? "offline"
                            : mode == NN_STREAM_SYNCHRONOUS ? "synchronous"
                                                            : "threaded"));
    outlet_anything(x->info, gensym("mode"), 1, a);
    SETFLOAT(&a[0], x->multichannel ? 1 : 0);
    outlet_anything(x->info, gensym("multichannel"), 1, a);
}

static void nn_tilde_enable(t_nn_tilde *x, t_floatarg f)
{
    x->enabled = f != 0;
    if (x->stream)
        nn_stream_set_enabled(x->stream, x->enabled);
}

static void nn_tilde_gpu(t_nn_tilde *x, t_floatarg f)
{
    bool want = f != 0;
    if (want && !nn_backend_has_cuda()) {
        post("nn~: GPU mode not available (this libtorch has no CUDA), staying on the CPU");
        return;
    }
    if (!x->stream) {
        x->gpu = want;
        return;
    }
    if (nn_model_device(nn_stream_model(x->stream)) != (want ? NN_DEVICE_CUDA : NN_DEVICE_CPU))
        pd_error(x, "nn~: gpu: a running model cannot change device; create the object with%s -gpu", want ? "" : "out");
}

static void nn_tilde_reload(t_nn_tilde *x)
{
    if (!nn_tilde_need_model(x, "reload"))
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_reload(x->stream, &err) != NN_OK)
        pd_error(x, "nn~: reload: %s", err.message);
    nn_tilde_poll_soon(x);
}

static void nn_tilde_load(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_symbol *name = nn_pd_one_symbol(x, "nn~", "load needs one model name or path", argc, argv);
    if (!name)
        return;
    if (!x->stream) {
        nn_stream *stream = nn_tilde_open(x, name);
        if (!stream)
            return;
        const nn_method_info *m = nn_stream_method(stream);
        if (!nn_tilde_fits(x, m, "load")) {
            nn_stream_free(stream);
            return;
        }
        x->stream = stream;
        x->fitting_path = gensym(nn_model_path(nn_stream_model(stream)));
        if (x->multichannel)
            canvas_update_dsp();
        else
            nn_tilde_prepare(x);
        return;
    }
    char path[MAXPDSTRING];
    nn_error err;
    nn_error_clear(&err);
    if (nn_pd_locate(x->canvas, name->s_name, path, sizeof path, &err) != NN_OK) {
        pd_error(x, "nn~: load: could not find model '%s': %s", name->s_name, err.message);
        return;
    }
    if (nn_stream_load(x->stream, path, &err) != NN_OK)
        pd_error(x, "nn~: load: %s", err.message);
    nn_tilde_poll_soon(x);
}

static void nn_tilde_method(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_symbol *name = nn_pd_one_symbol(x, "nn~", "method needs one method name", argc, argv);
    if (!name || !nn_tilde_need_model(x, "method"))
        return;
    const nn_model *model = nn_stream_model(x->stream);
    int index = nn_model_method_find(model, name->s_name);
    if (index < 0) {
        char methods[MAXPDSTRING];
        nn_tilde_names_text(model, false, "", methods, sizeof methods);
        pd_error(x, "nn~: method: model '%s' has no method '%s' (methods: %s)", nn_tilde_model_file(x), name->s_name,
                 methods);
        return;
    }
    if (!nn_tilde_fits(x, nn_model_method(model, index), "method"))
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_set_method(x->stream, name->s_name, &err) != NN_OK) {
        pd_error(x, "nn~: method: %s", err.message);
        return;
    }
    x->method = name;
    nn_tilde_poll_soon(x);
}

static void nn_tilde_bufsize(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    long long v = 0;
    if (argc != 1 || !nn_tilde_atom_int(&argv[0], &v)) {
        char given[MAXPDSTRING];
        nn_pd_atoms_text(argc, argv, given, sizeof given);
        pd_error(x, "nn~: bufsize needs one whole number (0 = synchronous, or 1..%d), got %s", NN_MAX_BUFFER_SIZE,
                 given);
        return;
    }
    if (v < 0 || v > NN_MAX_BUFFER_SIZE) {
        pd_error(x, "nn~: bufsize: buffer size %lld is out of range (0 for synchronous, or 1..%d)", v,
                 NN_MAX_BUFFER_SIZE);
        return;
    }
    int max_ratio = x->stream ? nn_model_max_ratio(nn_stream_model(x->stream)) : 1;
    if (!nn_tilde_check_bufsize(x, (int)v, max_ratio, "bufsize"))
        return;
    x->bufsize = (int)v;
    if (!x->stream)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_set_buffer_size(x->stream, (int)v, &err) != NN_OK)
        pd_error(x, "nn~: bufsize: %s", err.message);
    nn_tilde_poll_soon(x);
}

/* Reads Pd array `name` into a new float array (caller frees); NULL and `why` if it can't. */
static float *nn_tilde_read_array(t_symbol *name, int *frames, char *why, size_t size)
{
    t_garray *array = (t_garray *)pd_findbyclass(name, garray_class);
    if (!array) {
        snprintf(why, size, "there is no Pd array named '%s'", name->s_name);
        return NULL;
    }
    int n = 0;
    t_word *words = NULL;
    if (!garray_getfloatwords(array, &n, &words)) {
        snprintf(why, size, "Pd array '%s' does not hold floats", name->s_name);
        return NULL;
    }
    float *data = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    if (!data) {
        snprintf(why, size, "out of memory reading Pd array '%s'", name->s_name);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        data[i] = words[i].w_float;
    *frames = n;
    return data;
}

/* Converts one atom to a value of type `type`; false and `why` if it does not fit. `text`
 * holds a number converted for a string element; `*array` a Pd array read for tensors and
 * buffers (freed by the caller). */
static bool nn_tilde_convert(nn_type type, const t_atom *a, nn_value *v, char *text, size_t text_size, float **array,
                             char *why, size_t why_size)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    char given[256];
    atom_string(a, given, sizeof given);
    switch (type) {
    case NN_TYPE_BOOL:
        if (a->a_type == A_FLOAT) {
            v->b = a->a_w.w_float != 0;
            return true;
        }
        if (a->a_type == A_SYMBOL) {
            const char *s = a->a_w.w_symbol->s_name;
            if (!strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "yes")) {
                v->b = true;
                return true;
            }
            if (!strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "no")) {
                v->b = false;
                return true;
            }
        }
        snprintf(why, why_size, "a bool (0/1, true/false, on/off) was expected, got '%s'", given);
        return false;
    case NN_TYPE_INT: {
        long long i = 0;
        if (!nn_tilde_atom_int(a, &i)) {
            snprintf(why, why_size, "a whole number was expected, got '%s'", given);
            return false;
        }
        v->i = i;
        return true;
    }
    case NN_TYPE_FLOAT:
        if (a->a_type != A_FLOAT) {
            snprintf(why, why_size, "a number was expected, got '%s'", given);
            return false;
        }
        v->f = a->a_w.w_float;
        return true;
    case NN_TYPE_STRING:
        if (a->a_type != A_FLOAT && a->a_type != A_SYMBOL) {
            snprintf(why, why_size, "a symbol was expected, got '%s'", given);
            return false;
        }
        snprintf(text, text_size, "%s", given);
        v->s = text;
        return true;
    case NN_TYPE_TENSOR:
    case NN_TYPE_BUFFER: {
        if (a->a_type != A_SYMBOL) {
            snprintf(why, why_size, "the name of a Pd array was expected, got '%s'", given);
            return false;
        }
        int frames = 0;
        float *data = nn_tilde_read_array(a->a_w.w_symbol, &frames, why, why_size);
        if (!data)
            return false;
        *array = data;
        v->data = data;
        v->channels = 1;
        v->frames = frames;
        v->sample_rate = sys_getsr();
        return true;
    }
    }
    snprintf(why, why_size, "the model declares an unknown type code %d", (int)type);
    return false;
}

static void nn_tilde_set(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    char given[MAXPDSTRING];
    nn_pd_atoms_text(argc, argv, given, sizeof given);
    if (argc < 1 || argv[0].a_type != A_SYMBOL) {
        pd_error(x, "nn~: set needs an attribute name then its values (set <attribute> <value> ...), got %s", given);
        return;
    }
    if (!nn_tilde_need_model(x, "set"))
        return;
    const char *name = argv[0].a_w.w_symbol->s_name;
    int index = nn_tilde_find_attribute(x, name, "set");
    if (index < 0)
        return;
    const nn_attribute_info *info = nn_model_attribute(nn_stream_model(x->stream), index);
    char types[MAXPDSTRING];
    nn_pd_types_text(info, types, sizeof types);
    char values_text[MAXPDSTRING];
    nn_pd_atoms_text(argc - 1, argv + 1, values_text, sizeof values_text);
    if (argc - 1 != info->count) {
        pd_error(x, "nn~: set %s: expects %d value(s) (%s), got %d (%s); nothing changed", name, info->count, types,
                 argc - 1, values_text);
        return;
    }
    int count = info->count;
    nn_value *values = calloc((size_t)(count > 0 ? count : 1), sizeof *values);
    float **arrays = calloc((size_t)(count > 0 ? count : 1), sizeof *arrays);
    char(*texts)[MAXPDSTRING] = calloc((size_t)(count > 0 ? count : 1), sizeof *texts);
    if (!values || !arrays || !texts) {
        pd_error(x, "nn~: set %s: out of memory", name);
    } else {
        bool ok = true;
        for (int i = 0; i < count && ok; i++) {
            char why[MAXPDSTRING];
            if (!nn_tilde_convert(info->types[i], &argv[1 + i], &values[i], texts[i], MAXPDSTRING, &arrays[i], why,
                                  sizeof why)) {
                pd_error(x, "nn~: set %s: value %d of %d (%s): %s; expected (%s), got (%s); nothing changed", name,
                         i + 1, count, nn_type_name(info->types[i]), why, types, values_text);
                ok = false;
            }
        }
        nn_error err;
        nn_error_clear(&err);
        if (ok && nn_stream_attribute_set(x->stream, name, values, count, &err) != NN_OK)
            pd_error(x, "nn~: set %s: %s", name, err.message);
        nn_tilde_poll_soon(x);
    }
    if (arrays)
        for (int i = 0; i < count; i++)
            free(arrays[i]);
    free(texts);
    free(arrays);
    free(values);
}

static void nn_tilde_get(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_symbol *attribute = nn_pd_one_symbol(x, "nn~", "get needs one attribute name", argc, argv);
    if (!attribute || !nn_tilde_need_model(x, "get"))
        return;
    const char *name = attribute->s_name;
    if (nn_tilde_find_attribute(x, name, "get") < 0)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_attribute_get(x->stream, name, &err) != NN_OK)
        pd_error(x, "nn~: get %s: %s", name, err.message);
    nn_tilde_poll_soon(x);
}

static void nn_tilde_dump(t_nn_tilde *x)
{
    if (!nn_tilde_need_model(x, "dump"))
        return;
    const nn_model *model = nn_stream_model(x->stream);
    t_atom a;
    SETSYMBOL(&a, gensym(nn_model_path(model)));
    outlet_anything(x->info, gensym("model"), 1, &a);
    nn_pd_output_methods(x->info, model);
    for (int i = 0; i < nn_model_method_count(model); i++)
        nn_pd_output_method_params(x->info, model, i);
    nn_pd_output_attributes(x->info, model);
    for (int i = 0; i < nn_model_attribute_count(model); i++) {
        nn_pd_output_attribute_types(x->info, model, i);
        nn_error err;
        nn_error_clear(&err);
        if (nn_stream_attribute_get(x->stream, nn_model_attribute(model, i)->name, &err) != NN_OK)
            pd_error(x, "nn~: dump: %s", err.message);
    }
    nn_tilde_poll_soon(x);
}

/* ---- model download --------------------------------------------------------------------- */

static void nn_tilde_on_list(void *owner, const nn_card_list *cards)
{
    (void)owner;
    post("nn~: %d model(s) available for download:", cards->count);
    for (int i = 0; i < cards->count; i++)
        post("  %s", cards->cards[i]);
}

/* Pd hands methods the object itself: these pass its download side on. */
static void nn_tilde_api(t_nn_tilde *x, t_symbol *url)
{
    nn_pd_downloads_api(&x->downloads, url);
}

static void nn_tilde_print_available_models(t_nn_tilde *x)
{
    nn_pd_downloads_list(&x->downloads);
}

static void nn_tilde_download(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    nn_pd_downloads_download(&x->downloads, argc, argv);
}

static void nn_tilde_remove(t_nn_tilde *x, t_symbol *s, int argc, t_atom *argv)
{
    nn_pd_downloads_remove(&x->downloads, s, argc, argv);
}

/* ---------------------------------------------------------------------------------------- */
/* creation and deletion                                                                    */
/* ---------------------------------------------------------------------------------------- */

static void *nn_tilde_new(t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    t_nn_tilde *x = (t_nn_tilde *)pd_new(nn_tilde_class);
    x->canvas = canvas_getcurrent();
    x->method = gensym("forward");
    x->bufsize = NN_DEFAULT_BUFFER_SIZE;
    x->enabled = true;
    x->poll_clock = clock_new(x, (t_method)nn_tilde_tick);

    while (argc > 0 && argv[0].a_type == A_SYMBOL && argv[0].a_w.w_symbol->s_name[0] == '-') {
        const char *flag = argv[0].a_w.w_symbol->s_name;
        if (!strcmp(flag, "-m")) {
            if (nn_pd_setmultiout) {
                x->multichannel = true;
            } else {
                int major = 0, minor = 0, bugfix = 0;
                sys_getversion(&major, &minor, &bugfix);
                pd_error(x, "nn~: -m (multichannel) needs Pd 0.54 or later, this is Pd %d.%d.%d; ignoring '-m'", major,
                         minor, bugfix);
            }
        } else if (!strcmp(flag, "-g") || !strcmp(flag, "-gpu")) {
            if (nn_backend_has_cuda())
                x->gpu = true;
            else
                post("nn~: GPU mode not available (this libtorch has no CUDA), using the CPU");
        } else if (!strcmp(flag, "-d")) {
            x->enabled = false;
        } else if (!strcmp(flag, "-offline")) {
            x->offline = true;
        } else {
            pd_error(x, "nn~: unknown flag '%s' ignored (flags: -m, -g/-gpu, -d, -offline)", flag);
        }
        argc--;
        argv++;
    }

    t_symbol *model_name = NULL;
    if (argc > 0) {
        if (argv[0].a_type == A_SYMBOL) {
            model_name = argv[0].a_w.w_symbol;
        } else {
            char given[MAXPDSTRING];
            atom_string(&argv[0], given, sizeof given);
            pd_error(x, "nn~: the model must be a name or a path, got '%s'", given);
        }
    }
    if (argc > 1) {
        char method[MAXPDSTRING];
        atom_string(&argv[1], method, sizeof method);
        x->method = gensym(method);
    }
    if (argc > 2) {
        long long v = 0;
        if (!nn_tilde_atom_int(&argv[2], &v) || v < 0 || v > NN_MAX_BUFFER_SIZE) {
            char given[MAXPDSTRING];
            atom_string(&argv[2], given, sizeof given);
            pd_error(x, "nn~: buffer size must be 0 (synchronous) or 1..%d, got '%s'; using %d", NN_MAX_BUFFER_SIZE,
                     given, NN_DEFAULT_BUFFER_SIZE);
        } else {
            x->bufsize = (int)v;
        }
    }
    if (argc > 3) {
        char extra[MAXPDSTRING];
        nn_pd_atoms_text(argc - 3, argv + 3, extra, sizeof extra);
        pd_error(x, "nn~: extra arguments ignored: %s (flags go before the model name)", extra);
    }

    if (model_name)
        x->stream = nn_tilde_open(x, model_name);
    if (x->stream)
        x->fitting_path = gensym(nn_model_path(nn_stream_model(x->stream)));
    const nn_method_info *m = x->stream ? nn_stream_method(x->stream) : NULL;
    if (x->multichannel) {
        x->n_inlets = 1;
        x->n_outlets = 1;
    } else {
        x->n_inlets = m && m->in_channels > 0 ? m->in_channels : 1;
        x->n_outlets = m && m->out_channels > 0 ? m->out_channels : 1;
    }
    for (int i = 1; i < x->n_inlets; i++)
        inlet_new(&x->obj, &x->obj.ob_pd, &s_signal, &s_signal);
    for (int j = 0; j < x->n_outlets; j++)
        outlet_new(&x->obj, &s_signal);
    x->info = outlet_new(&x->obj, NULL);
    nn_pd_downloads_init(&x->downloads, x, "nn~", x->info, nn_tilde_on_list, true, NN_TILDE_POLL_MS);
    x->next_live = nn_tilde_live;
    nn_tilde_live = x;
    return x;
}

static void nn_tilde_unlist(t_nn_tilde *x)
{
    for (t_nn_tilde **p = &nn_tilde_live; *p; p = &(*p)->next_live)
        if (*p == x) {
            *p = x->next_live;
            break;
        }
}

static void nn_tilde_free(t_nn_tilde *x)
{
    nn_tilde_unlist(x);
    nn_pd_downloads_free(&x->downloads);
    nn_stream_free(x->stream);
    nn_tilde_free_dsp(x);
    clock_free(x->poll_clock);
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
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_enable, gensym("enable"), A_FLOAT, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_gpu, gensym("gpu"), A_FLOAT, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_reload, gensym("reload"), 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_load, gensym("load"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_method, gensym("method"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_bufsize, gensym("bufsize"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_set, gensym("set"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_get, gensym("get"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_dump, gensym("dump"), 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_api, gensym("api"), A_DEFSYM, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_print_available_models, gensym("print_available_models"), 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_download, gensym("download"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_remove, gensym("remove"), A_GIMME, 0);
    class_addmethod(nn_tilde_class, (t_method)nn_tilde_remove, gensym("delete"), A_GIMME, 0);
    post("nn~ %s (nn~ in C) - libtorch %s", NN_VERSION_STRING, nn_backend_version());
}
