/* nn~ in C — what an nn~ object means, for every host and every layout.
 * SPDX-License-Identifier: MIT
 *
 * An nn~ object runs one method of a model on host signals through the core's stream
 * engine. This file holds its whole behaviour: the creation grammar and flags, lazy
 * (`void`) objects, synchronous loading at creation, the messages (load, method, bufsize,
 * reload, set, get, dump, bang, enable, gpu, downloads), the engine's events turned into
 * console lines and reports, and the DSP mapping from host cords to the engine's
 * batch-major channels. The perform calls copy host vectors into preallocated scratch,
 * call nn_stream_process and copy back: nothing else happens on the audio thread.
 */
#include "obj_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef NN_RTSAN
/* Exported by the RealtimeSanitizer runtime; not in clang-22's public header. */
void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);
#endif

/* Overrun warnings: at most one per this many milliseconds of host time per object. */
#define NN_OBJ_OVERRUN_INTERVAL_MS 2000.0
/* How often the poll clock runs while the engine or the downloader has work in flight. */
#define NN_OBJ_POLL_MS 5.0
/* Most cords a lazy object or an override may ask for. */
#define NN_OBJ_MAX_CORDS 256

const char *const nn_obj_messages[] = {"bang",   "enable",   "gpu",    "reload", "load",
                                       "method", "bufsize",  "delay",  "resample", "set",    "get",
                                       "dump",   "api",      "print_available_models",
                                       "download", "remove", "delete", NULL};

static void obj_error(nn_obj *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void obj_post(nn_obj *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void obj_error(nn_obj *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nn_obj_vprint(x->host, x->owner, x->name, NN_CONSOLE_ERROR, fmt, ap);
    va_end(ap);
}

static void obj_post(nn_obj *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nn_obj_vprint(x->host, x->owner, x->name, NN_CONSOLE_POST, fmt, ap);
    va_end(ap);
}

static void obj_on_event(void *user, const nn_event *event);
static void obj_on_list(void *object, const nn_card_list *cards);

static void obj_output(nn_obj *x, const char *selector, int argc, const nn_atom *argv)
{
    x->host->output(x->owner, x->info_outlet, selector, argc, argv);
}

static void obj_poll_soon(nn_obj *x)
{
    x->host->poll_later(x->owner, 0);
}

static const nn_model *obj_model(const nn_obj *x)
{
    return x->stream ? nn_stream_model(x->stream) : NULL;
}

static const nn_method_info *obj_method(const nn_obj *x)
{
    return x->stream ? nn_stream_method(x->stream) : NULL;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* A `set` whose values read host arrays, kept to be sent again when an array changes. */
typedef struct nn_obj_array_set {
    struct nn_obj_array_set *next;
    int argc;
    nn_atom *argv; /* attribute name first; symbols owned */
} nn_obj_array_set;

static void array_set_free(nn_obj_array_set *set)
{
    for (int i = 0; i < set->argc; i++)
        free((char *)set->argv[i].s);
    free(set->argv);
    free(set);
}

/* ---- exit ----------------------------------------------------------------------------------- */

/* Hosts may call exit() without freeing objects (`pd quit`), and libtorch's libraries
 * (oneDNN) register static caches the first time a model runs: their destructors must not
 * run under an inference still in flight. Handlers run in reverse order of registration, so
 * the handler that stops every worker is registered again after each model load (it is
 * idempotent; the count is bounded since the first few registrations already come late). */
#define NN_OBJ_MAX_EXIT_HANDLERS 64

static nn_obj *obj_live;

static void obj_at_exit(void)
{
    for (nn_obj *x = obj_live; x; x = x->next_live) {
        nn_stream_free(x->stream);
        x->stream = NULL;
    }
}

static void obj_register_exit(void)
{
    static int registered;
    if (registered < NN_OBJ_MAX_EXIT_HANDLERS && atexit(obj_at_exit) == 0)
        registered++;
}

/* ---- cords ---------------------------------------------------------------------------------- */

/* Whether the cords follow the method: one flexible cord, or channels per example. */
static bool obj_cords_follow_method(const nn_obj *x)
{
    return x->layout == NN_LAYOUT_ONE_MULTICHANNEL_CORD || x->layout == NN_LAYOUT_CORD_PER_EXAMPLE;
}

/* Whether method `m` may play on this object's cords. Cords fixed by the user (`void` or
 * counts given) take any method: missing inputs are silence, extra outputs are dropped
 * (with a warning). Cords that came from the model take only methods of the same shape. */
static bool obj_fits(nn_obj *x, const nn_method_info *m, const char *what)
{
    if (obj_cords_follow_method(x))
        return true;
    if (m->in_channels == x->cords_in && m->out_channels == x->cords_out)
        return true;
    if (x->lazy) {
        obj_post(x,
                 "%s: method '%s' has %d input(s) and %d output(s), this object has %d inlet(s) and %d outlet(s): "
                 "missing inputs are silent, extra outputs are dropped",
                 what, m->name, m->in_channels, m->out_channels, x->cords_in, x->cords_out);
        return true;
    }
    obj_error(x,
              "%s: method '%s' has %d input(s) and %d output(s) but this object has %d signal inlet(s) and %d "
              "signal outlet(s); create a new object for it (or a lazy one: %s void <inlets> <outlets>)",
              what, m->name, m->in_channels, m->out_channels, x->cords_in, x->cords_out, x->name);
    return false;
}

/* ---- loading -------------------------------------------------------------------------------- */

/* Checks a requested buffer size against the model's largest ratio, printing why it is
 * refused or how it was adjusted; the size to give the engine in `*resolved_out` (already
 * raised and rounded, so that the engine has nothing to say about it again). */
static bool obj_check_bufsize(nn_obj *x, int requested, int max_ratio, const char *context, int *resolved_out)
{
    int resolved = 0;
    bool synchronous = false, raised = false;
    nn_error err;
    nn_error_clear(&err);
    if (nn_buffer_size_resolve(requested, max_ratio, &resolved, &synchronous, &raised, &err) != NN_OK) {
        obj_error(x, "%s: %s", context, err.message);
        return false;
    }
    if (raised)
        obj_post(x, "buffer size %d is smaller than the model's largest ratio, using %d", requested, resolved);
    else if (!synchronous && resolved != requested)
        obj_post(x, "buffer size %d rounded up to the power of two %d", requested, resolved);
    *resolved_out = synchronous ? 0 : resolved;
    return true;
}

static int obj_batch_at_creation(const nn_obj *x)
{
    return x->layout == NN_LAYOUT_CORD_PER_EXAMPLE ? x->examples : 1;
}

/* Loads `name` synchronously (creation, or `load` while no model is loaded) and creates
 * the stream. Returns the stream or NULL after printing one error line. */
static nn_stream *obj_open(nn_obj *x, const char *name, const char *context)
{
    char path[NN_OBJ_TEXT];
    nn_error err;
    nn_error_clear(&err);
    if (nn_obj_locate(x->host, x->owner, name, path, sizeof path, &err) != NN_OK) {
        obj_error(x, "%scould not find model '%s': %s", context, name, err.message);
        return NULL;
    }
    nn_model_config config = nn_model_config_default();
    config.device = x->gpu ? NN_DEVICE_CUDA : NN_DEVICE_CPU;
    config.sample_rate = (int)x->host->sample_rate(x->owner);
    nn_model *model = NULL;
    if (nn_model_load(path, &config, &model, &err) != NN_OK) {
        obj_error(x, "%scould not load model '%s': %s", context, name, err.message);
        return NULL;
    }
    if (nn_model_method_find(model, x->method) < 0) {
        char methods[NN_OBJ_TEXT];
        nn_names_text(model, false, "", methods, sizeof methods);
        const char *fallback =
            nn_model_method_find(model, "forward") >= 0 ? "forward" : nn_model_method(model, 0)->name;
        obj_error(x, "%smodel '%s' has no method '%s' (methods: %s), using '%s'", context, name, x->method, methods,
                  fallback);
        copy_text(x->method, sizeof x->method, fallback);
    }
    int resolved = NN_DEFAULT_BUFFER_SIZE;
    if (!obj_check_bufsize(x, x->bufsize, nn_model_max_ratio(model), "bufsize", &resolved)) {
        obj_post(x, "using the default buffer size %d", NN_DEFAULT_BUFFER_SIZE);
        x->bufsize = NN_DEFAULT_BUFFER_SIZE;
        resolved = NN_DEFAULT_BUFFER_SIZE;
    }
    nn_stream_config sc = nn_stream_config_default();
    sc.method = x->method;
    sc.buffer_size = resolved;
    sc.mode = x->bufsize == 0 ? NN_STREAM_SYNCHRONOUS : x->offline ? NN_STREAM_OFFLINE : NN_STREAM_THREADED;
    sc.batch = x->batch > 0 ? x->batch : obj_batch_at_creation(x);
    sc.delay = x->delay;
    sc.resample = !x->no_resample;
    sc.on_event = obj_on_event;
    sc.user = x;
    nn_stream *stream = NULL;
    if (nn_stream_new(model, &sc, &stream, &err) != NN_OK) {
        obj_error(x, "%scould not start model '%s': %s", context, name, err.message);
        return NULL;
    }
    nn_stream_set_enabled(stream, x->enabled);
    /* The first state is built by the engine's worker; waiting for it here (creation may
     * take time, as loading does) makes the first block deterministic in every mode. */
    nn_stream_wait_idle(stream);
    obj_register_exit();
    return stream;
}

/* ---- engine events (main thread, inside nn_stream_poll) ------------------------------------ */

/* One console line when the model declares a sample rate other than the host's: what
 * happens (resampled, or not and out of tune). Once per model file, host rate and setting. */
static void obj_rate_note(nn_obj *x)
{
    const nn_model *model = x->stream ? nn_stream_model(x->stream) : NULL;
    if (!model)
        return;
    int declared = nn_model_declared_sample_rate(model);
    double sr = x->sample_rate > 0 ? x->sample_rate : x->host->sample_rate(x->owner);
    int host = sr > 0 ? (int)(sr + 0.5) : 0;
    if (declared <= 0 || host <= 0 || declared == host)
        return;
    char key[sizeof x->rate_noted];
    snprintf(key, sizeof key, "%d %d %s", host, x->no_resample ? 0 : 1, nn_model_path(model));
    if (!strcmp(key, x->rate_noted))
        return;
    copy_text(x->rate_noted, sizeof x->rate_noted, key);
    const char *file = strrchr(nn_model_path(model), '/');
    file = file ? file + 1 : nn_model_path(model);
    if (x->no_resample)
        obj_post(x,
                 "warning: %s declares %d Hz but runs at the patch's %d Hz without resampling: it plays out of tune "
                 "('resample 1' resamples)",
                 file, declared, host);
    else
        obj_post(x,
                 "%s declares %d Hz, the patch runs at %d Hz: resampling to %d Hz and back (the latency that bang "
                 "reports includes it; 'resample 0' turns it off)",
                 file, declared, host, declared);
}

static void obj_on_loaded(nn_obj *x, const nn_event *event)
{
    nn_obj_print(x->host, x->owner, x->name, NN_CONSOLE_DEBUG, "%s", event->message ? event->message : "loaded");
    const nn_model *model = nn_stream_model(x->stream);
    const nn_method_info *m = nn_stream_method(x->stream);
    if (!model || !m)
        return;
    if (obj_cords_follow_method(x)) {
        if (x->n_model_in != 0 &&
            (m->in_channels * x->batch != x->n_model_in || m->out_channels * x->batch != x->n_model_out)) {
            obj_post(x, "dimensions changed: %d in, %d out", m->in_channels, m->out_channels);
            if (x->host->io_changed)
                x->host->io_changed(x->owner);
        }
    } else if (!x->lazy && (m->in_channels != x->cords_in || m->out_channels != x->cords_out)) {
        /* Only a `load` can get here (method is checked before it is queued): the new
         * file's dimensions are known once it is loaded, so go back to the last file that
         * fitted this object's cords. */
        obj_error(x,
                  "load: method '%s' of %s has %d input(s) and %d output(s) but this object has %d signal inlet(s) "
                  "and %d signal outlet(s); going back to %s (create a new object for it, or a lazy one: %s void "
                  "<inlets> <outlets>)",
                  m->name, nn_model_path(model), m->in_channels, m->out_channels, x->cords_in, x->cords_out,
                  x->fitting_path[0] ? x->fitting_path : "no model", x->name);
        nn_error err;
        nn_error_clear(&err);
        if (x->fitting_path[0] && (nn_stream_load(x->stream, x->fitting_path, &err) != NN_OK ||
                                   nn_stream_set_method(x->stream, x->method, &err) != NN_OK))
            obj_error(x, "load: %s", err.message);
        obj_poll_soon(x);
        return;
    } else if (x->lazy) {
        obj_fits(x, m, "load");
    }
    copy_text(x->fitting_path, sizeof x->fitting_path, nn_model_path(model));
    copy_text(x->method, sizeof x->method, m->name);
    obj_register_exit();
    obj_rate_note(x);
}

static void obj_on_event(void *user, const nn_event *event)
{
    nn_obj *x = user;
    switch (event->kind) {
    case NN_EVENT_LOADED: obj_on_loaded(x, event); break;
    case NN_EVENT_ERROR: obj_error(x, "%s", event->message ? event->message : nn_strerror(event->status)); break;
    case NN_EVENT_ATTRIBUTE_SET: break;
    case NN_EVENT_ATTRIBUTE_VALUE: {
        const nn_model *model = obj_model(x);
        const nn_attribute_info *a = model ? nn_model_attribute(model, event->attribute) : NULL;
        nn_report_value(x->host, x->owner, x->info_outlet, a ? a->name : "?", event->values);
        break;
    }
    case NN_EVENT_OVERRUN: {
        double now = x->host->now_ms(x->owner);
        if (!x->warned_overruns || now - x->last_overrun_warning >= NN_OBJ_OVERRUN_INTERVAL_MS) {
            int b = nn_stream_buffer_size(x->stream), d = nn_stream_delay(x->stream);
            if (d > 0 && d < b)
                obj_error(x,
                          "%llu block(s) were not ready in time and played as silence "
                          "(model too slow for a delay of %d samples; try a larger delay, up to the bufsize %d, "
                          "or 'delay 0' for a whole block)",
                          (unsigned long long)event->count, d, b);
            else
                obj_error(x,
                          "%llu block(s) were not ready in time and played as silence "
                          "(model too slow for buffer size %d; try a larger bufsize)",
                          (unsigned long long)event->count, b);
            x->last_overrun_warning = now;
            x->warned_overruns = true;
        }
        break;
    }
    case NN_EVENT_INFO: obj_post(x, "%s", event->message ? event->message : ""); break;
    case NN_EVENT_OVERLOAD:
        /* Once per change: the pool sheds and restores whole streams, with hysteresis. */
        if (event->count)
            obj_error(x, "the machine is overloaded: this [%s] is silent until load drops", x->name);
        else
            obj_post(x, "load dropped: this [%s] plays again", x->name);
        break;
    }
}

void nn_obj_tick(nn_obj *x)
{
    /* Read "busy" before polling: a command that finishes in between has pushed its event
     * already, so this poll delivers it and no event waits for a later tick. */
    bool busy = x->stream && nn_stream_busy(x->stream);
    if (x->stream)
        nn_stream_poll(x->stream);
    if (nn_downloads_tick(x->downloads))
        busy = true;
    if (busy)
        x->host->poll_later(x->owner, NN_OBJ_POLL_MS);
}

/* ---- creation ------------------------------------------------------------------------------- */

static void obj_flag(nn_obj *x, const char *flag, const char *no_multichannel)
{
    if (!strcmp(flag, "-m")) {
        if (!no_multichannel)
            x->layout = NN_LAYOUT_ONE_MULTICHANNEL_CORD;
        else
            obj_error(x, "-m (multichannel) %s; ignoring '-m'", no_multichannel);
    } else if (!strcmp(flag, "-g") || !strcmp(flag, "-gpu")) {
        if (nn_backend_has_cuda())
            x->gpu = true;
        else
            obj_post(x, "GPU mode not available (this libtorch has no CUDA), using the CPU");
    } else if (!strcmp(flag, "-d")) {
        x->enabled = false;
    } else if (!strcmp(flag, "-offline")) {
        x->offline = true;
    } else if (!strcmp(flag, "-l") || !strcmp(flag, "-lowlatency")) {
        x->delay = NN_DELAY_AUTO;
    } else if (!strcmp(flag, "-noresample")) {
        x->no_resample = true;
    } else {
        obj_error(x, "unknown flag '%s' ignored (flags: -m, -g/-gpu, -d, -offline, -l/-lowlatency, -noresample)",
                  flag);
    }
}

/* A count argument (cords, examples) in 1..NN_OBJ_MAX_CORDS, else `fallback` and an error. */
static int obj_count_arg(nn_obj *x, const nn_atom *a, const char *what, int fallback)
{
    long long v = 0;
    if (nn_atom_whole(a, &v) && v >= 1 && v <= NN_OBJ_MAX_CORDS)
        return (int)v;
    char given[NN_OBJ_TEXT];
    nn_atom_text(a, given, sizeof given);
    obj_error(x, "%s must be a whole number in 1..%d, got '%s'; using %d", what, NN_OBJ_MAX_CORDS, given, fallback);
    return fallback;
}

static void obj_bufsize_arg(nn_obj *x, const nn_atom *a)
{
    long long v = 0;
    if (nn_atom_whole(a, &v) && v >= 0 && v <= NN_MAX_BUFFER_SIZE) {
        x->bufsize = (int)v;
        return;
    }
    char given[NN_OBJ_TEXT];
    nn_atom_text(a, given, sizeof given);
    obj_error(x, "buffer size must be 0 (synchronous) or 1..%d, got '%s'; using %d", NN_MAX_BUFFER_SIZE, given,
              NN_DEFAULT_BUFFER_SIZE);
}

static void obj_extra_args(nn_obj *x, int argc, const nn_atom *argv)
{
    if (argc <= 0)
        return;
    char extra[NN_OBJ_TEXT];
    nn_atoms_text(argc, argv, extra, sizeof extra);
    bool flag = false;
    for (int i = 0; i < argc; i++)
        flag = flag || (argv[i].type == NN_ATOM_SYMBOL && argv[i].s[0] == '-');
    obj_error(x, "extra arguments ignored: %s%s", extra, flag ? " (flags go before the model name)" : "");
}

/* `void <inlets> [<outlets> [<bufsize>]]` or, for CORD_PER_EXAMPLE, `void <examples> [<bufsize>]`. */
static void obj_parse_lazy(nn_obj *x, nn_obj_grammar grammar, int argc, const nn_atom *argv)
{
    x->lazy = true;
    if (grammar == NN_GRAMMAR_MCS) {
        x->examples = argc > 0 ? obj_count_arg(x, &argv[0], "the number of batch examples", 1) : 1;
        if (argc > 1)
            obj_bufsize_arg(x, &argv[1]);
        obj_extra_args(x, argc - 2, argv + 2);
        return;
    }
    if (argc < 1) {
        obj_error(x, "void needs the number of inlets (%s void <inlets> [<outlets> [<bufsize>]]); using 1", x->name);
        x->cords_in = 1;
    } else {
        x->cords_in = obj_count_arg(x, &argv[0], "the number of inlets", 1);
    }
    x->cords_out = argc > 1 ? obj_count_arg(x, &argv[1], "the number of outlets", 1) : 1;
    if (argc > 2)
        obj_bufsize_arg(x, &argv[2]);
    obj_extra_args(x, argc - 3, argv + 3);
}

void nn_obj_create(nn_obj *x, const nn_host *host, void *owner, const char *name, nn_obj_layout layout,
                   nn_obj_grammar grammar, int info_outlet, const char *no_multichannel, int argc, const nn_atom *argv)
{
    x->host = host;
    x->owner = owner;
    x->name = name;
    x->layout = layout;
    x->info_outlet = info_outlet;
    copy_text(x->method, sizeof x->method, "forward");
    x->bufsize = NN_DEFAULT_BUFFER_SIZE;
    x->enabled = true;
    x->examples = 1;
    x->downloads = nn_downloads_new(host, owner, name, info_outlet, obj_on_list, x);

    while (argc > 0 && argv[0].type == NN_ATOM_SYMBOL && argv[0].s[0] == '-') {
        obj_flag(x, argv[0].s, no_multichannel);
        argc--;
        argv++;
    }

    const char *model_name = NULL;
    int cords_in = 0, cords_out = 0;
    if (argc > 0 && argv[0].type == NN_ATOM_SYMBOL && !strcmp(argv[0].s, "void")) {
        obj_parse_lazy(x, grammar, argc - 1, argv + 1);
        argc = 0;
    } else if (argc > 0) {
        if (argv[0].type == NN_ATOM_SYMBOL) {
            model_name = argv[0].s;
        } else {
            char given[NN_OBJ_TEXT];
            nn_atom_text(&argv[0], given, sizeof given);
            obj_error(x, "the model must be a name or a path, got '%s'", given);
        }
        if (argc > 1 && argv[1].type == NN_ATOM_SYMBOL && argv[1].s[0] == '-') {
            /* [nn~ model -offline]: a flag where the method goes. */
            obj_error(x,
                      "flag '%s' after the model name is ignored: flags go before the model name ([%s %s %s]); "
                      "using method '%s'",
                      argv[1].s, x->name, argv[1].s, model_name ? model_name : "<model>", x->method);
        } else if (argc > 1) {
            nn_atom_text(&argv[1], x->method, sizeof x->method);
        }
        if (grammar == NN_GRAMMAR_MCS) {
            if (argc > 2)
                x->examples = obj_count_arg(x, &argv[2], "the number of batch examples", 1);
            if (argc > 3)
                obj_bufsize_arg(x, &argv[3]);
            obj_extra_args(x, argc - 4, argv + 4);
        } else {
            if (argc > 2)
                obj_bufsize_arg(x, &argv[2]);
            bool fixed = x->layout != NN_LAYOUT_ONE_MULTICHANNEL_CORD;
            if (argc > 3 && fixed)
                cords_in = obj_count_arg(x, &argv[3], "the number of inlets", 1);
            if (argc > 4 && fixed)
                cords_out = obj_count_arg(x, &argv[4], "the number of outlets", 1);
            obj_extra_args(x, argc - (fixed ? 5 : 3), argv + (fixed ? 5 : 3));
        }
    }

    if (model_name)
        x->stream = obj_open(x, model_name, "");
    const nn_method_info *m = obj_method(x);
    if (x->stream)
        copy_text(x->fitting_path, sizeof x->fitting_path, nn_model_path(nn_stream_model(x->stream)));
    if (!x->lazy) {
        /* Counts given after the buffer size fix the cords like `void` does. */
        x->lazy = cords_in > 0 || cords_out > 0;
        x->cords_in = cords_in > 0 ? cords_in : m && m->in_channels > 0 ? m->in_channels : 1;
        x->cords_out = cords_out > 0 ? cords_out : m && m->out_channels > 0 ? m->out_channels : 1;
        if (x->lazy && m)
            obj_fits(x, m, "creation");
    }
    switch (x->layout) {
    case NN_LAYOUT_ONE_MULTICHANNEL_CORD: x->cords_in = x->cords_out = 1; break;
    case NN_LAYOUT_CORD_PER_EXAMPLE: x->cords_in = x->cords_out = x->examples; break;
    case NN_LAYOUT_CORD_PER_CHANNEL:
    case NN_LAYOUT_CORD_PER_CHANNEL_BATCHED: break;
    }
    x->batch = obj_batch_at_creation(x);
    x->next_live = obj_live;
    obj_live = x;
}

static void obj_free_dsp(nn_obj *x)
{
    free(x->in_chans);
    free(x->in_source);
    free(x->out_source);
    free(x->in_scratch);
    free(x->out_scratch);
    free(x->in_ptrs);
    free(x->out_ptrs);
    x->in_chans = x->in_source = x->out_source = NULL;
    x->in_scratch = x->out_scratch = NULL;
    x->in_ptrs = NULL;
    x->out_ptrs = NULL;
    x->n_host_in = x->n_host_out = x->n_model_in = x->n_model_out = 0;
    x->prepared = false;
}

void nn_obj_destroy(nn_obj *x)
{
    for (nn_obj **p = &obj_live; *p; p = &(*p)->next_live)
        if (*p == x) {
            *p = x->next_live;
            break;
        }
    nn_downloads_free(x->downloads);
    x->downloads = NULL;
    while (x->array_sets) {
        nn_obj_array_set *set = x->array_sets;
        x->array_sets = set->next;
        array_set_free(set);
    }
    nn_stream_free(x->stream);
    x->stream = NULL;
    obj_free_dsp(x);
}

/* ---- messages ------------------------------------------------------------------------------- */

static bool obj_need_model(nn_obj *x, const char *what)
{
    if (x->stream)
        return true;
    obj_error(x, "%s: no model loaded (create [%s <model> <method>] or send 'load <model>')", what, x->name);
    return false;
}

/* The symbol when argv holds exactly one; otherwise NULL after `<usage>, got <atoms>`. */
static const char *obj_one_symbol(nn_obj *x, const char *usage, int argc, const nn_atom *argv)
{
    if (argc == 1 && argv[0].type == NN_ATOM_SYMBOL)
        return argv[0].s;
    char given[NN_OBJ_TEXT];
    nn_atoms_text(argc, argv, given, sizeof given);
    obj_error(x, "%s, got %s", usage, given);
    return NULL;
}

/* The index of attribute `name` of the loaded model, or -1 after an error naming those it has. */
static int obj_find_attribute(nn_obj *x, const char *name, const char *what)
{
    const nn_model *model = nn_stream_model(x->stream);
    int index = nn_model_attribute_find(model, name);
    if (index < 0) {
        char attrs[NN_OBJ_TEXT];
        nn_names_text(model, true, "none", attrs, sizeof attrs);
        obj_error(x, "%s: model '%s' has no attribute '%s' (attributes: %s)", what, nn_file_name(nn_model_path(model)),
                  name, attrs);
    }
    return index;
}

static void obj_bang(nn_obj *x)
{
    nn_atom a[2];
    a[0] = nn_atom_int(x->stream ? 1 : 0);
    obj_output(x, "loaded", 1, a);
    if (!x->stream)
        return;
    const nn_model *model = nn_stream_model(x->stream);
    const nn_method_info *m = nn_stream_method(x->stream);
    a[0] = nn_atom_int(nn_stream_enabled(x->stream) ? 1 : 0);
    obj_output(x, "enabled", 1, a);
    a[0] = nn_atom_int(nn_model_device(model) == NN_DEVICE_CUDA ? 1 : 0);
    obj_output(x, "gpu", 1, a);
    a[0] = nn_atom_symbol(nn_model_path(model));
    obj_output(x, "model", 1, a);
    nn_report_methods(x->host, x->owner, x->info_outlet, model);
    a[0] = nn_atom_symbol(m ? m->name : "");
    obj_output(x, "method", 1, a);
    nn_report_attributes(x->host, x->owner, x->info_outlet, model);
    a[0] = nn_atom_int(nn_stream_buffer_size(x->stream));
    obj_output(x, "bufsize", 1, a);
    a[0] = nn_atom_int(m ? m->in_channels : 0);
    a[1] = nn_atom_int(m ? m->out_channels : 0);
    obj_output(x, "dim", 2, a);
    a[0] = nn_atom_int(m ? m->in_ratio : 0);
    a[1] = nn_atom_int(m ? m->out_ratio : 0);
    obj_output(x, "ratio", 2, a);
    a[0] = nn_atom_int(nn_stream_latency(x->stream));
    obj_output(x, "latency", 1, a);
    a[0] = nn_atom_int((long long)nn_stream_overruns(x->stream));
    obj_output(x, "overruns", 1, a);
    a[0] = nn_atom_int(nn_stream_delay(x->stream));
    obj_output(x, "delay", 1, a);
    a[0] = nn_atom_int(x->no_resample ? 0 : 1);
    obj_output(x, "resample", 1, a);
    a[0] = nn_atom_int(nn_stream_model_rate(x->stream));
    obj_output(x, "samplerate", 1, a); /* the rate the model runs at */
    nn_compute_stats stats;
    if (nn_stream_compute_stats(x->stream, &stats) == NN_OK) {
        nn_atom c[4] = {nn_atom_int((long long)stats.count), nn_atom_float(1e3 * stats.p50),
                        nn_atom_float(1e3 * stats.p99), nn_atom_float(1e3 * stats.max)};
        obj_output(x, "compute", 4, c); /* blocks measured, then p50, p99, max in ms */
    }
    nn_stream_mode mode = nn_stream_mode_get(x->stream);
    a[0] = nn_atom_int(mode == NN_STREAM_OFFLINE ? 1 : 0);
    obj_output(x, "offline", 1, a);
    a[0] = nn_atom_symbol(mode == NN_STREAM_OFFLINE       ? "offline"
                          : mode == NN_STREAM_SYNCHRONOUS ? "synchronous"
                                                          : "threaded");
    obj_output(x, "mode", 1, a);
    a[0] = nn_atom_int(x->layout == NN_LAYOUT_ONE_MULTICHANNEL_CORD ? 1 : 0);
    obj_output(x, "multichannel", 1, a);
    a[0] = nn_atom_int(nn_stream_batch(x->stream));
    obj_output(x, "batch", 1, a);
}

void nn_obj_set_enabled(nn_obj *x, bool enabled)
{
    x->enabled = enabled;
    if (x->stream)
        nn_stream_set_enabled(x->stream, enabled);
}

void nn_obj_set_gpu(nn_obj *x, bool want)
{
    if (want && !nn_backend_has_cuda()) {
        obj_post(x, "GPU mode not available (this libtorch has no CUDA), staying on the CPU");
        return;
    }
    if (!x->stream) {
        x->gpu = want;
        return;
    }
    if (nn_model_device(nn_stream_model(x->stream)) != (want ? NN_DEVICE_CUDA : NN_DEVICE_CPU))
        obj_error(x, "gpu: a running model cannot change device; create the object with%s -gpu", want ? "" : "out");
}

void nn_obj_set_offline(nn_obj *x, bool offline)
{
    x->offline = offline;
}

void nn_obj_set_chans(nn_obj *x, long long chans)
{
    if (chans < 0 || chans > NN_MAX_BATCH) {
        obj_error(x, "chans must be 0 (automatic) or 1..%d, got %lld; keeping %d", NN_MAX_BATCH, chans, x->chans);
        return;
    }
    if ((int)chans == x->chans)
        return;
    x->chans = (int)chans;
    if (x->host->io_changed)
        x->host->io_changed(x->owner);
}

/* `enable` and `gpu` take one number (or a bool word). */
static bool obj_flag_value(nn_obj *x, const char *selector, int argc, const nn_atom *argv, bool *out)
{
    double v = 0;
    if (argc == 1 && nn_atom_number(&argv[0], &v)) {
        *out = v != 0;
        return true;
    }
    if (argc == 1 && argv[0].type == NN_ATOM_SYMBOL &&
        (!strcmp(argv[0].s, "true") || !strcmp(argv[0].s, "on") || !strcmp(argv[0].s, "false") ||
         !strcmp(argv[0].s, "off"))) {
        *out = !strcmp(argv[0].s, "true") || !strcmp(argv[0].s, "on");
        return true;
    }
    char given[NN_OBJ_TEXT];
    nn_atoms_text(argc, argv, given, sizeof given);
    obj_error(x, "%s needs 0 or 1, got %s", selector, given);
    return false;
}

static void obj_reload(nn_obj *x)
{
    if (!obj_need_model(x, "reload"))
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_reload(x->stream, &err) != NN_OK)
        obj_error(x, "reload: %s", err.message);
    obj_poll_soon(x);
}

static void obj_load(nn_obj *x, int argc, const nn_atom *argv)
{
    const char *name = obj_one_symbol(x, "load needs one model name or path", argc, argv);
    if (!name)
        return;
    if (!x->stream) {
        nn_stream *stream = obj_open(x, name, "load: ");
        if (!stream)
            return;
        if (!obj_fits(x, nn_stream_method(stream), "load")) {
            nn_stream_free(stream);
            return;
        }
        x->stream = stream;
        copy_text(x->fitting_path, sizeof x->fitting_path, nn_model_path(nn_stream_model(stream)));
        /* DSP is rebuilt by the host (never here: in Max the audio thread may be running). */
        if (x->host->io_changed)
            x->host->io_changed(x->owner);
        return;
    }
    char path[NN_OBJ_TEXT];
    nn_error err;
    nn_error_clear(&err);
    if (nn_obj_locate(x->host, x->owner, name, path, sizeof path, &err) != NN_OK) {
        obj_error(x, "load: could not find model '%s': %s", name, err.message);
        return;
    }
    if (nn_stream_load(x->stream, path, &err) != NN_OK)
        obj_error(x, "load: %s", err.message);
    obj_poll_soon(x);
}

static void obj_method_message(nn_obj *x, int argc, const nn_atom *argv)
{
    const char *name = obj_one_symbol(x, "method needs one method name", argc, argv);
    if (!name || !obj_need_model(x, "method"))
        return;
    const nn_model *model = nn_stream_model(x->stream);
    int index = nn_model_method_find(model, name);
    if (index < 0) {
        char methods[NN_OBJ_TEXT];
        nn_names_text(model, false, "", methods, sizeof methods);
        obj_error(x, "method: model '%s' has no method '%s' (methods: %s)", nn_file_name(nn_model_path(model)), name,
                  methods);
        return;
    }
    if (!obj_fits(x, nn_model_method(model, index), "method"))
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_set_method(x->stream, name, &err) != NN_OK) {
        obj_error(x, "method: %s", err.message);
        return;
    }
    copy_text(x->method, sizeof x->method, name);
    obj_poll_soon(x);
}

static void obj_bufsize(nn_obj *x, int argc, const nn_atom *argv)
{
    long long v = 0;
    if (argc != 1 || !nn_atom_whole(&argv[0], &v)) {
        char given[NN_OBJ_TEXT];
        nn_atoms_text(argc, argv, given, sizeof given);
        obj_error(x, "bufsize needs one whole number (0 = synchronous, or 1..%d), got %s", NN_MAX_BUFFER_SIZE, given);
        return;
    }
    if (v < 0 || v > NN_MAX_BUFFER_SIZE) {
        obj_error(x, "bufsize: buffer size %lld is out of range (0 for synchronous, or 1..%d)", v, NN_MAX_BUFFER_SIZE);
        return;
    }
    int max_ratio = x->stream ? nn_model_max_ratio(nn_stream_model(x->stream)) : 1;
    int resolved = 0;
    if (!obj_check_bufsize(x, (int)v, max_ratio, "bufsize", &resolved))
        return;
    x->bufsize = (int)v;
    if (!x->stream)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_set_buffer_size(x->stream, resolved, &err) != NN_OK)
        obj_error(x, "bufsize: %s", err.message);
    obj_poll_soon(x);
}

/* delay <samples> | auto | 0: how long after a block is handed off its result plays. */
static void obj_delay(nn_obj *x, int argc, const nn_atom *argv)
{
    long long v = 0;
    if (argc == 1 && argv[0].type == NN_ATOM_SYMBOL && !strcmp(argv[0].s, "auto")) {
        v = NN_DELAY_AUTO;
    } else if (argc != 1 || !nn_atom_whole(&argv[0], &v) || v < 0 || v > NN_MAX_BUFFER_SIZE) {
        char given[NN_OBJ_TEXT];
        nn_atoms_text(argc, argv, given, sizeof given);
        obj_error(x, "delay needs 'auto', 0 (a whole block) or a number of samples 1..%d, got %s", NN_MAX_BUFFER_SIZE,
                  given);
        return;
    }
    x->delay = (int)v;
    if (!x->stream)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_set_delay(x->stream, (int)v, &err) != NN_OK)
        obj_error(x, "delay: %s", err.message);
    obj_poll_soon(x);
}

/* resample 0|1: run a model that declares its own sample rate at that rate. */
static void obj_resample(nn_obj *x, int argc, const nn_atom *argv)
{
    bool on = false;
    if (!obj_flag_value(x, "resample", argc, argv, &on))
        return;
    x->no_resample = !on;
    if (!x->stream)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_set_resample(x->stream, on, &err) != NN_OK)
        obj_error(x, "resample: %s", err.message);
    obj_rate_note(x);
    obj_poll_soon(x);
}

static void obj_remember_array_set(nn_obj *x, const nn_attribute_info *info, int argc, const nn_atom *argv);

static void obj_set(nn_obj *x, int argc, const nn_atom *argv)
{
    if (argc < 1 || argv[0].type != NN_ATOM_SYMBOL) {
        char given[NN_OBJ_TEXT];
        nn_atoms_text(argc, argv, given, sizeof given);
        obj_error(x, "set needs an attribute name then its values (set <attribute> <value> ...), got %s", given);
        return;
    }
    if (!obj_need_model(x, "set"))
        return;
    const char *name = argv[0].s;
    int index = obj_find_attribute(x, name, "set");
    if (index < 0)
        return;
    const nn_attribute_info *info = nn_model_attribute(nn_stream_model(x->stream), index);
    nn_value *values = NULL;
    double sr = x->sample_rate > 0 ? x->sample_rate : x->host->sample_rate(x->owner);
    if (!nn_obj_values_from_atoms(x->host, x->owner, x->name, info, argc - 1, argv + 1, sr, &values))
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_attribute_set(x->stream, name, values, info->count, &err) != NN_OK)
        obj_error(x, "set %s: %s", name, err.message);
    else
        obj_remember_array_set(x, info, argc, argv);
    nn_obj_values_free(values, info->count);
    obj_poll_soon(x);
}

/* Remembers `set <argv>` for attribute `info` when one of its elements reads an array,
 * replacing the attribute's earlier one. */
static void obj_remember_array_set(nn_obj *x, const nn_attribute_info *info, int argc, const nn_atom *argv)
{
    bool reads_array = false;
    for (int i = 0; i < info->count; i++)
        reads_array = reads_array || info->types[i] == NN_TYPE_TENSOR || info->types[i] == NN_TYPE_BUFFER;
    for (nn_obj_array_set **p = &x->array_sets; *p; p = &(*p)->next)
        if (!strcmp((*p)->argv[0].s, info->name)) {
            nn_obj_array_set *old = *p;
            *p = old->next;
            array_set_free(old);
            break;
        }
    if (!reads_array)
        return;
    nn_obj_array_set *set = calloc(1, sizeof *set);
    nn_atom *copy = calloc((size_t)argc, sizeof *copy);
    if (!set || !copy) {
        free(set);
        free(copy);
        return;
    }
    for (int i = 0; i < argc; i++) {
        copy[i] = argv[i];
        copy[i].s = NULL;
        if (argv[i].type == NN_ATOM_SYMBOL) {
            char *text = malloc(strlen(argv[i].s) + 1);
            if (text)
                strcpy(text, argv[i].s);
            copy[i].s = text ? text : NULL;
            if (!text)
                copy[i] = nn_atom_int(0);
        }
    }
    set->argc = argc;
    set->argv = copy;
    set->next = x->array_sets;
    x->array_sets = set;
}

int nn_obj_array_changed(nn_obj *x, const char *name)
{
    int count = 0;
    /* obj_set replaces the entries it replays: take them out of the list first. */
    nn_obj_array_set *replay = NULL;
    nn_obj_array_set **p = &x->array_sets;
    while (*p) {
        nn_obj_array_set *set = *p;
        bool uses = false;
        for (int i = 1; i < set->argc; i++)
            uses = uses || (set->argv[i].type == NN_ATOM_SYMBOL && (!name || !strcmp(set->argv[i].s, name)));
        if (uses) {
            *p = set->next;
            set->next = replay;
            replay = set;
        } else {
            p = &set->next;
        }
    }
    while (replay) {
        nn_obj_array_set *set = replay;
        replay = set->next;
        if (name)
            obj_post(x, "%s changed: set %s again", name, set->argv[0].s);
        else
            obj_post(x, "set %s again from its array", set->argv[0].s);
        obj_set(x, set->argc, set->argv);
        array_set_free(set);
        count++;
    }
    return count;
}

static void obj_get(nn_obj *x, int argc, const nn_atom *argv)
{
    const char *name = obj_one_symbol(x, "get needs one attribute name", argc, argv);
    if (!name || !obj_need_model(x, "get"))
        return;
    if (obj_find_attribute(x, name, "get") < 0)
        return;
    nn_error err;
    nn_error_clear(&err);
    if (nn_stream_attribute_get(x->stream, name, &err) != NN_OK)
        obj_error(x, "get %s: %s", name, err.message);
    obj_poll_soon(x);
}

static void obj_dump(nn_obj *x)
{
    if (!obj_need_model(x, "dump"))
        return;
    const nn_model *model = nn_stream_model(x->stream);
    nn_atom a = nn_atom_symbol(nn_model_path(model));
    obj_output(x, "model", 1, &a);
    nn_report_methods(x->host, x->owner, x->info_outlet, model);
    for (int i = 0; i < nn_model_method_count(model); i++)
        nn_report_method_params(x->host, x->owner, x->info_outlet, model, i);
    nn_report_attributes(x->host, x->owner, x->info_outlet, model);
    for (int i = 0; i < nn_model_attribute_count(model); i++) {
        nn_report_attribute_types(x->host, x->owner, x->info_outlet, model, i);
        nn_error err;
        nn_error_clear(&err);
        if (nn_stream_attribute_get(x->stream, nn_model_attribute(model, i)->name, &err) != NN_OK)
            obj_error(x, "dump: %s", err.message);
    }
    obj_poll_soon(x);
}

static void obj_on_list(void *object, const nn_card_list *cards)
{
    nn_obj *x = object;
    obj_post(x, "%d model(s) available for download:", cards->count);
    /* The cards as an indented list under that line, without the object's name. */
    for (int i = 0; i < cards->count; i++) {
        char line[NN_OBJ_TEXT];
        snprintf(line, sizeof line, "  %s", cards->cards[i]);
        x->host->console(x->owner, NN_CONSOLE_POST, line);
    }
}

static void obj_no_arguments(nn_obj *x, const char *selector, int argc, const nn_atom *argv)
{
    if (argc == 0)
        return;
    char given[NN_OBJ_TEXT];
    nn_atoms_text(argc, argv, given, sizeof given);
    obj_error(x, "%s takes no arguments; ignoring %s", selector, given);
}

void nn_obj_message(nn_obj *x, const char *selector, int argc, const nn_atom *argv)
{
    bool flag = false;
    if (!strcmp(selector, "bang")) {
        obj_bang(x);
    } else if (!strcmp(selector, "enable")) {
        if (obj_flag_value(x, selector, argc, argv, &flag))
            nn_obj_set_enabled(x, flag);
    } else if (!strcmp(selector, "gpu")) {
        if (obj_flag_value(x, selector, argc, argv, &flag))
            nn_obj_set_gpu(x, flag);
    } else if (!strcmp(selector, "reload")) {
        obj_no_arguments(x, selector, argc, argv);
        obj_reload(x);
    } else if (!strcmp(selector, "load")) {
        obj_load(x, argc, argv);
    } else if (!strcmp(selector, "method")) {
        obj_method_message(x, argc, argv);
    } else if (!strcmp(selector, "bufsize")) {
        obj_bufsize(x, argc, argv);
    } else if (!strcmp(selector, "delay")) {
        obj_delay(x, argc, argv);
    } else if (!strcmp(selector, "resample")) {
        obj_resample(x, argc, argv);
    } else if (!strcmp(selector, "set")) {
        obj_set(x, argc, argv);
    } else if (!strcmp(selector, "get")) {
        obj_get(x, argc, argv);
    } else if (!strcmp(selector, "dump")) {
        obj_dump(x);
    } else if (!strcmp(selector, "print_available_models")) {
        nn_downloads_list(x->downloads);
    } else if (!x->downloads || !nn_downloads_message(x->downloads, selector, argc, argv)) {
        char names[NN_OBJ_TEXT];
        size_t used = 0;
        names[0] = '\0';
        for (int i = 0; nn_obj_messages[i] && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? " " : "", nn_obj_messages[i]);
        obj_error(x, "no method for '%s' (messages: %s)", selector, names);
    }
}

/* ---- DSP ------------------------------------------------------------------------------------ */

/* Channels per example the engine is given (in) or gives (out) for the current method. */
static int obj_engine_channels(const nn_obj *x, bool input)
{
    const nn_method_info *m = obj_method(x);
    int method_channels = m ? (input ? m->in_channels : m->out_channels) : 1;
    switch (x->layout) {
    case NN_LAYOUT_CORD_PER_CHANNEL:
    case NN_LAYOUT_CORD_PER_CHANNEL_BATCHED: return input ? x->cords_in : x->cords_out;
    case NN_LAYOUT_ONE_MULTICHANNEL_CORD:
    case NN_LAYOUT_CORD_PER_EXAMPLE: break;
    }
    return method_channels > 0 ? method_channels : 1;
}

static int obj_batch_for(const nn_obj *x, const int *in_chans)
{
    if (x->layout == NN_LAYOUT_CORD_PER_EXAMPLE)
        return x->examples;
    if (x->layout != NN_LAYOUT_CORD_PER_CHANNEL_BATCHED)
        return 1;
    int batch = 1;
    for (int k = 0; k < x->cords_in; k++)
        if (in_chans && in_chans[k] > batch)
            batch = in_chans[k];
    return batch > NN_MAX_BATCH ? NN_MAX_BATCH : batch;
}

int nn_obj_outlet_channels(const nn_obj *x, const int *in_chans, int outlet)
{
    (void)outlet;
    switch (x->layout) {
    case NN_LAYOUT_CORD_PER_CHANNEL: return 1;
    case NN_LAYOUT_ONE_MULTICHANNEL_CORD: return obj_engine_channels(x, false);
    case NN_LAYOUT_CORD_PER_CHANNEL_BATCHED: return x->chans > 0 ? x->chans : obj_batch_for(x, in_chans);
    case NN_LAYOUT_CORD_PER_EXAMPLE: return x->chans > 0 ? x->chans : obj_engine_channels(x, false);
    }
    return 1;
}

/* Fills the maps from host channels to engine pointers (batch-major: p = b * E + c). */
static void obj_build_maps(nn_obj *x, const int *in_chans, int e_in, int e_out)
{
    int batch = x->batch;
    int first = 0; /* host index of the first channel of cord k */
    for (int p = 0; p < x->n_model_in; p++)
        x->in_source[p] = -1;
    for (int k = 0; k < x->cords_in; k++) {
        int chans = in_chans ? in_chans[k] : 1;
        for (int ch = 0; ch < chans; ch++) {
            int p = -1;
            switch (x->layout) {
            case NN_LAYOUT_CORD_PER_CHANNEL: p = ch == 0 && k < e_in ? k : -1; break;
            case NN_LAYOUT_ONE_MULTICHANNEL_CORD: p = -1; break; /* below: wraps */
            case NN_LAYOUT_CORD_PER_CHANNEL_BATCHED: p = ch < batch && k < e_in ? ch * e_in + k : -1; break;
            case NN_LAYOUT_CORD_PER_EXAMPLE: p = k < batch && ch < e_in ? k * e_in + ch : -1; break;
            }
            if (p >= 0)
                x->in_source[p] = first + ch;
        }
        first += chans;
    }
    if (x->layout == NN_LAYOUT_ONE_MULTICHANNEL_CORD) {
        int chans = in_chans && in_chans[0] > 0 ? in_chans[0] : 1;
        /* A mono signal into a many-input method feeds every input (channel i mod nchans). */
        for (int c = 0; c < e_in; c++)
            x->in_source[c] = c % chans;
    }
    int j = 0;
    for (int k = 0; k < x->cords_out; k++) {
        int chans = nn_obj_outlet_channels(x, in_chans, k);
        for (int ch = 0; ch < chans; ch++, j++) {
            int p = -1;
            switch (x->layout) {
            case NN_LAYOUT_CORD_PER_CHANNEL: p = k < e_out ? k : -1; break;
            case NN_LAYOUT_ONE_MULTICHANNEL_CORD: p = ch < e_out ? ch : -1; break;
            case NN_LAYOUT_CORD_PER_CHANNEL_BATCHED: p = ch < batch && k < e_out ? ch * e_out + k : -1; break;
            case NN_LAYOUT_CORD_PER_EXAMPLE: p = k < batch && ch < e_out ? k * e_out + ch : -1; break;
            }
            x->out_source[j] = p;
        }
    }
}

void nn_obj_dsp(nn_obj *x, double sample_rate, int n, const int *in_chans)
{
    int *chans_copy = calloc((size_t)(x->cords_in > 0 ? x->cords_in : 1), sizeof *chans_copy);
    for (int k = 0; chans_copy && k < x->cords_in; k++)
        chans_copy[k] = in_chans && in_chans[k] > 0 ? in_chans[k] : 1;
    obj_free_dsp(x);
    x->in_chans = chans_copy;
    x->sample_rate = sample_rate;
    x->vector_size = n;
    if (!chans_copy || n <= 0)
        return;

    x->batch = obj_batch_for(x, chans_copy);
    nn_error err;
    nn_error_clear(&err);
    if (x->stream && nn_stream_batch(x->stream) != x->batch) {
        /* The channel count of a cord changed (Max's inputchanged): the engine needs slots
         * for the new batch before the first vector. */
        if (nn_stream_set_batch(x->stream, x->batch, &err) != NN_OK)
            obj_error(x, "%s", err.message);
        nn_stream_wait_idle(x->stream);
        nn_stream_poll(x->stream);
    }
    if (x->layout == NN_LAYOUT_CORD_PER_EXAMPLE) {
        const nn_method_info *m = obj_method(x);
        for (int k = 0; m && k < x->cords_in; k++)
            if (chans_copy[k] != m->in_channels)
                obj_post(x, "inlet %d: got %d channel(s) for %d model input(s) (missing ones are silent)", k + 1,
                         chans_copy[k], m->in_channels);
    }

    int e_in = obj_engine_channels(x, true);
    int e_out = obj_engine_channels(x, false);
    x->n_model_in = x->batch * e_in;
    x->n_model_out = x->batch * e_out;
    for (int k = 0; k < x->cords_in; k++)
        x->n_host_in += chans_copy[k];
    for (int k = 0; k < x->cords_out; k++)
        x->n_host_out += nn_obj_outlet_channels(x, chans_copy, k);

    x->in_source = calloc((size_t)x->n_model_in + 1, sizeof *x->in_source);
    x->out_source = calloc((size_t)x->n_host_out + 1, sizeof *x->out_source);
    x->in_scratch = calloc((size_t)x->n_model_in * (size_t)n + 1, sizeof *x->in_scratch);
    x->out_scratch = calloc((size_t)x->n_model_out * (size_t)n + 1, sizeof *x->out_scratch);
    x->in_ptrs = calloc((size_t)x->n_model_in + 1, sizeof *x->in_ptrs);
    x->out_ptrs = calloc((size_t)x->n_model_out + 1, sizeof *x->out_ptrs);
    if (!x->in_source || !x->out_source || !x->in_scratch || !x->out_scratch || !x->in_ptrs || !x->out_ptrs) {
        obj_error(x, "out of memory preparing DSP (%d inputs, %d outputs, vector size %d)", x->n_model_in,
                  x->n_model_out, n);
        obj_free_dsp(x);
        return;
    }
    for (int p = 0; p < x->n_model_in; p++)
        x->in_ptrs[p] = x->in_scratch + (size_t)p * (size_t)n;
    for (int p = 0; p < x->n_model_out; p++)
        x->out_ptrs[p] = x->out_scratch + (size_t)p * (size_t)n;
    obj_build_maps(x, chans_copy, e_in, e_out);

    if (!x->stream)
        return;
    nn_status status = nn_stream_prepare(x->stream, sample_rate, n, &err);
    const nn_model *model = nn_stream_model(x->stream);
    int declared = model ? nn_model_declared_sample_rate(model) : -1;
    if (status == NN_OK && nn_stream_busy(x->stream) && !x->no_resample && declared > 0) {
        /* A model at its own rate gets a state with a resampler for this rate: wait for it
         * (as for a batch change) so that the first vector plays it, in tune. */
        nn_stream_wait_idle(x->stream);
        nn_stream_poll(x->stream);
        status = nn_stream_prepare(x->stream, sample_rate, n, &err);
    }
    obj_rate_note(x);
    if (status == NN_OK)
        x->prepared = true;
    else
        obj_error(x, "%s", err.message[0] ? err.message : nn_strerror(status));
    x->seen_blocks = nn_stream_blocks(x->stream);
    x->seen_overruns = nn_stream_overruns(x->stream);
}

/* After a block: whether events (errors, overruns, finished commands) wait for the main
 * thread. They follow computed blocks. */
static bool obj_after_process(nn_obj *x)
{
    uint64_t blocks = nn_stream_blocks(x->stream);
    uint64_t overruns = nn_stream_overruns(x->stream);
    bool shed = nn_stream_shed(x->stream); /* a shed stream computes no blocks */
    if (blocks == x->seen_blocks && overruns == x->seen_overruns && shed == x->seen_shed)
        return false;
    x->seen_blocks = blocks;
    x->seen_overruns = overruns;
    x->seen_shed = shed;
    return true;
}

static bool obj_realtime_enter(const nn_obj *x)
{
#ifdef NN_RTSAN
    /* Offline and synchronous streams wait or run the model here by the user's choice;
     * only the threaded mode promises real-time safety. */
    bool realtime = !x->stream || nn_stream_mode_get(x->stream) == NN_STREAM_THREADED;
    if (realtime)
        __rtsan_realtime_enter();
    return realtime;
#else
    (void)x;
    return false;
#endif
}

static void obj_realtime_exit(bool realtime)
{
#ifdef NN_RTSAN
    if (realtime)
        __rtsan_realtime_exit();
#else
    (void)realtime;
#endif
}

static bool obj_ready(const nn_obj *x, int n_ins, int n_outs, int n)
{
    return x->prepared && x->stream && n <= x->vector_size && n_ins >= x->n_host_in && n_outs >= x->n_host_out;
}

/* Host vectors in 32-bit (Pd, `ins`/`outs`) or 64-bit (Max, `ins64`/`outs64`) samples: the
 * other pair is NULL. Inputs are copied first, because hosts may alias input and output
 * vectors; cords the method has no channel for are written with zeros. */
static bool obj_perform(nn_obj *x, const float *const *ins, const double *const *ins64, int n_ins, float *const *outs,
                        double *const *outs64, int n_outs, int n)
{
    bool realtime = obj_realtime_enter(x);
    bool poll = false;
    bool ready = obj_ready(x, n_ins, n_outs, n);
    if (ready) {
        for (int p = 0; p < x->n_model_in; p++) {
            float *dst = (float *)x->in_ptrs[p];
            int src = x->in_source[p];
            if (src < 0)
                memset(dst, 0, sizeof(float) * (size_t)n);
            else if (ins)
                memcpy(dst, ins[src], sizeof(float) * (size_t)n);
            else
                for (int i = 0; i < n; i++)
                    dst[i] = (float)ins64[src][i];
        }
        nn_stream_process(x->stream, x->in_ptrs, x->n_model_in, x->out_ptrs, x->n_model_out, n);
        poll = obj_after_process(x);
    }
    for (int j = 0; j < n_outs; j++) {
        int src = ready && j < x->n_host_out ? x->out_source[j] : -1;
        if (outs && src >= 0)
            memcpy(outs[j], x->out_ptrs[src], sizeof(float) * (size_t)n);
        else if (outs)
            memset(outs[j], 0, sizeof(float) * (size_t)n);
        else if (src >= 0)
            for (int i = 0; i < n; i++)
                outs64[j][i] = (double)x->out_ptrs[src][i];
        else
            memset(outs64[j], 0, sizeof(double) * (size_t)n);
    }
    obj_realtime_exit(realtime);
    return poll;
}

bool nn_obj_perform(nn_obj *x, const float *const *ins, int n_ins, float *const *outs, int n_outs, int n)
{
    return obj_perform(x, ins, NULL, n_ins, outs, NULL, n_outs, n);
}

bool nn_obj_perform64(nn_obj *x, const double *const *ins, int n_ins, double *const *outs, int n_outs, int n)
{
    return obj_perform(x, NULL, ins, n_ins, NULL, outs, n_outs, n);
}

/* ---- labels --------------------------------------------------------------------------------- */

static void obj_label(const nn_obj *x, bool input, int index, char *buf, size_t size)
{
    const nn_method_info *m = obj_method(x);
    int channels = m ? (input ? m->in_channels : m->out_channels) : 0;
    const char *const *labels = m ? (input ? m->input_labels : m->output_labels) : NULL;
    const char *direction = input ? "input" : "output";
    switch (x->layout) {
    case NN_LAYOUT_CORD_PER_EXAMPLE:
        snprintf(buf, size, "(multichannel) batch %d (%d dimensions)", index + 1,
                 input ? channels : nn_obj_outlet_channels(x, x->in_chans, index));
        return;
    case NN_LAYOUT_ONE_MULTICHANNEL_CORD:
        snprintf(buf, size, "(multichannel) model %ss (%d)", direction, channels);
        return;
    case NN_LAYOUT_CORD_PER_CHANNEL:
    case NN_LAYOUT_CORD_PER_CHANNEL_BATCHED: break;
    }
    const char *kind = x->layout == NN_LAYOUT_CORD_PER_CHANNEL ? "(signal)" : "(multichannel)";
    /* Labels written for nn~ usually carry their kind already: "(signal) pitch". */
    if (labels && index < channels && labels[index] && labels[index][0] == '(')
        snprintf(buf, size, "%s", labels[index]);
    else if (labels && index < channels && labels[index] && labels[index][0])
        snprintf(buf, size, "%s %s", kind, labels[index]);
    else
        snprintf(buf, size, "%s model %s %d", kind, direction, index + 1);
}

void nn_obj_inlet_label(const nn_obj *x, int index, char *buf, size_t size)
{
    obj_label(x, true, index, buf, size);
}

void nn_obj_outlet_label(const nn_obj *x, int index, char *buf, size_t size)
{
    obj_label(x, false, index, buf, size);
}
