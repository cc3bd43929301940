/* nn~ in C — the host-neutral object layer shared by the Pure Data and Max objects.
 * SPDX-License-Identifier: MIT
 *
 * Everything [nn~] and [nn.info] mean, written once for every host: argument and flag
 * grammar, buffer-size rules, typed conversion of `set` values, the `bang`/`dump`/`get`
 * reports, load/method/bufsize/reload handling, lazy (`void`) objects, model lookup, the
 * model downloads, the mapping between host signal cords and the engine's channels, and the
 * console wording. A host folder (src/pd, src/max) only translates: its atoms into nn_atom,
 * its outlets, console, arrays and clocks into an nn_host table, its class set-up and DSP
 * callbacks into the calls below. No host header is included here.
 *
 * Threads: every function runs on the host's main thread, except nn_obj_perform and
 * nn_obj_perform64 (the audio thread; real-time safe in threaded mode).
 */
#ifndef NN_OBJ_H
#define NN_OBJ_H

#include "nn/nn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- atoms ------------------------------------------------------------------------------ */

typedef enum nn_atom_type { NN_ATOM_INT, NN_ATOM_FLOAT, NN_ATOM_SYMBOL } nn_atom_type;

/* One message element. Pd has only floats and symbols; Max also has ints. Symbols point to
 * host-owned (interned) text that outlives the call. */
typedef struct nn_atom {
    nn_atom_type type;
    long long i;
    double f;
    const char *s;
} nn_atom;

nn_atom nn_atom_int(long long value);
nn_atom nn_atom_float(double value);
nn_atom nn_atom_symbol(const char *text);

/* A number atom as a double; false for symbols. */
bool nn_atom_number(const nn_atom *a, double *out);
/* A number atom that holds a whole number (exact below 2^53); false otherwise. */
bool nn_atom_whole(const nn_atom *a, long long *out);
/* The atom as the host would print it ("3", "0.5", "name"). */
void nn_atom_text(const nn_atom *a, char *buf, size_t size);
/* Atoms separated by spaces, "nothing" when argc is 0. */
void nn_atoms_text(int argc, const nn_atom *argv, char *buf, size_t size);

/* ---- what a host provides --------------------------------------------------------------- */

typedef enum nn_console_level { NN_CONSOLE_POST, NN_CONSOLE_ERROR, NN_CONSOLE_DEBUG } nn_console_level;

/* An array or sound buffer read from the host, planar [channels][frames] in `data`, which
 * the host allocates with malloc and the layer frees. */
typedef struct nn_host_array {
    float *data;
    int channels;
    int frames;
    double sample_rate;
} nn_host_array;

typedef struct nn_host {
    /* One console line (no trailing newline), attributed to the object `owner`. */
    void (*console)(void *owner, nn_console_level level, const char *text);
    /* A message `selector argv...` out of outlet `outlet` (see each object for its outlets). */
    void (*output)(void *owner, int outlet, const char *selector, int argc, const nn_atom *argv);
    /* Find `file` (".ts" already appended) on the host's search path, the patch's folder
     * first: true and the full path in `out`. May be NULL. */
    bool (*find_file)(void *owner, const char *file, char *out, size_t size);
    /* The folder of the owner's patch, or NULL (listed in "searched:" messages). May be NULL. */
    const char *(*patch_dir)(void *owner);
    /* Read the host array or buffer called `name` for an attribute element of `type`
     * (NN_TYPE_TENSOR or NN_TYPE_BUFFER). False and a reason in `why` when it cannot. */
    bool (*read_array)(void *owner, const char *name, nn_type type, nn_host_array *out, char *why, size_t why_size);
    /* Call nn_obj_tick / nn_info_tick on the main thread after `ms` milliseconds. Also
     * called from the audio thread (by nn_obj_perform's caller, when it returns true): the
     * host's scheduling call must be safe there (Pd clock_delay, Max clock/qelem). */
    void (*poll_later)(void *owner, double ms);
    /* The host's logical time in milliseconds (rate limits of console warnings). */
    double (*now_ms)(void *owner);
    /* The host's sample rate now (model loading). */
    double (*sample_rate)(void *owner);
    /* The cords or their channel counts must be rebuilt (a model was loaded into an object
     * that had none, the method's dimensions changed, @chans): recompile DSP. May be NULL. */
    void (*io_changed)(void *owner);
    /* Whether console lines start with "<object name>: " (Max prints the name itself). */
    bool prefix_console;
    /* How the host names the list of places find_file searches, e.g. "Pd's search path". */
    const char *search_path_name;
    /* What names an array for tensor and buffer attributes, e.g. "a Pd array". */
    const char *array_name;
    /* Where the package's example models are, relative to the folder of the external's
     * binary ("models" for Pd, "../models" for a Max package's externals/), or NULL. */
    const char *package_models;
    /* Writes into `buf` every path find_file tries for `file`, in its order, separated by
     * ", " (Pd: in the [declare] paths, the patch folder, Pd's search path), so that
     * "searched:" lists them. May be NULL: then search_path_name stands for them. */
    void (*search_path_text)(void *owner, const char *file, char *buf, size_t size);
    /* Whether channel labels go out as one word each: a leading "(signal) " dropped and
     * spaces as '_' ("(signal) Latent dimension 1" -> "Latent_dimension_1"), for hosts whose
     * console escapes the spaces of a symbol (Pd prints "(signal)\\ Latent\\ ..."). */
    bool label_words;
} nn_host;

/* ---- the nn~ family --------------------------------------------------------------------- */

/* How host signals map to the engine's channels and batch examples. */
typedef enum nn_obj_layout {
    /* One single-channel cord per model channel, batch 1: Pd [nn~], Max [nn~]. */
    NN_LAYOUT_CORD_PER_CHANNEL,
    /* One multichannel cord carrying the model's channels, batch 1; input channel i comes
     * from cord channel i mod nchans (a mono signal feeds every input): Pd [nn~ -m]. */
    NN_LAYOUT_ONE_MULTICHANNEL_CORD,
    /* One multichannel cord per model channel; cord channel k = batch example k; batch =
     * the widest input cord; outlet channels = @chans or the batch: Max [mc.nn~]. */
    NN_LAYOUT_CORD_PER_CHANNEL_BATCHED,
    /* One multichannel cord per batch example carrying its model channels; outlet
     * channels = @chans or the method's outputs: Max [mcs.nn~]. */
    NN_LAYOUT_CORD_PER_EXAMPLE
} nn_obj_layout;

/* Creation grammar, see nn_obj_create. */
typedef enum nn_obj_grammar {
    NN_GRAMMAR_NN, /* <model> [<method> [<bufsize> [<inlets> [<outlets>]]]] | void <inlets> [<outlets> [<bufsize>]] */
    NN_GRAMMAR_MCS /* <model> [<method> [<examples> [<bufsize>]]] | void <examples> [<bufsize>] */
} nn_obj_grammar;

typedef struct nn_obj_downloads nn_obj_downloads;

typedef struct nn_obj {
    const nn_host *host;
    void *owner;
    const char *name; /* "nn~", "mc.nn~", ... */
    nn_obj_layout layout;
    int info_outlet; /* host outlet index of reports (bang, get, dump, downloaded) */

    nn_stream *stream;
    nn_obj_downloads *downloads;
    struct nn_obj_array_set *array_sets; /* `set` messages that read host arrays */

    /* What the user asked for; the stream reports what is in effect. */
    char method[128];
    int bufsize;
    int delay; /* NN_DELAY_BLOCK (0), NN_DELAY_AUTO (-l) or samples (`delay` message) */
    bool gpu;
    bool offline;
    bool no_resample;        /* -noresample / `resample 0`: a model's own rate is ignored */
    bool enabled;
    bool lazy;               /* created with `void`: fixed cords, model loaded later */
    int cords_in;            /* signal inlets */
    int cords_out;           /* signal outlets */
    int examples;            /* CORD_PER_EXAMPLE: cords = batch examples */
    int chans;               /* @chans (0 = automatic) */
    char fitting_path[1024]; /* last model file whose method fits the cords */
    char rate_noted[1100];   /* what the last sample-rate console line was about */

    /* DSP state, rebuilt by nn_obj_dsp, read by the perform calls. */
    double sample_rate;
    int vector_size;
    bool prepared;
    int batch;
    int *in_chans;      /* channels of each input cord at the last dsp */
    int n_host_in;      /* host input channel pointers */
    int n_host_out;     /* host output channel pointers */
    int n_model_in;     /* engine input pointers (batch * in_ch) */
    int n_model_out;    /* engine output pointers (batch * out_ch) */
    int *in_source;     /* engine input p <- host input index, or -1 (silence) */
    int *out_source;    /* host output j <- engine output index, or -1 (silence) */
    float *in_scratch;  /* [n_model_in][vector_size] */
    float *out_scratch; /* [n_model_out][vector_size] */
    const float **in_ptrs;
    float **out_ptrs;

    uint64_t seen_blocks;
    uint64_t seen_overruns;
    bool seen_shed;
    double last_overrun_warning;
    bool warned_overruns;
    struct nn_obj *next_live;
} nn_obj;

/* Sets up `x` (zeroed by the host) and parses the creation arguments: leading flags
 * (-m: one multichannel cord, or an error ending "<no_multichannel>; ignoring '-m'" when
 * `no_multichannel` is not NULL, e.g. "needs Pd 0.54 or later"; -g/-gpu; -d disabled;
 * -offline; -l; -noresample), then the model (or `void`) and the rest by `grammar`. Loads the model. The
 * cord counts to create are in x->cords_in / x->cords_out afterwards; prints one clear
 * line for each problem and keeps sensible defaults, so creation never fails. */
void nn_obj_create(nn_obj *x, const nn_host *host, void *owner, const char *name, nn_obj_layout layout,
                   nn_obj_grammar grammar, int info_outlet, const char *no_multichannel, int argc, const nn_atom *argv);
void nn_obj_destroy(nn_obj *x);

/* The message names every nn~ object answers (NULL-terminated), for the host's class
 * set-up; nn_obj_message handles them all. */
extern const char *const nn_obj_messages[];
/* Handles message `selector`; prints an error naming the messages for an unknown one. */
void nn_obj_message(nn_obj *x, const char *selector, int argc, const nn_atom *argv);
/* Attribute-style setters the hosts also expose as attributes (Max @enable, @gpu, @chans). */
void nn_obj_set_enabled(nn_obj *x, bool enabled);
void nn_obj_set_gpu(nn_obj *x, bool gpu);
void nn_obj_set_chans(nn_obj *x, long long chans);
void nn_obj_set_offline(nn_obj *x, bool offline);

/* The host array or buffer `name` changed (Max @track_buffers, Pd's `reread` message):
 * every attribute whose last `set` read it is set again from it; `name` NULL: every
 * attribute whose last `set` read any array. Returns how many attributes were set again. */
int nn_obj_array_changed(nn_obj *x, const char *name);

/* The poll clock's callback: delivers engine and download events. */
void nn_obj_tick(nn_obj *x);

/* ---- DSP -------------------------------------------------------------------------------- */

/* The channels outlet `outlet` will carry once DSP is built with input cords of
 * `in_chans[cords_in]` channels (NULL: one each). For Max's multichanneloutputs and Pd's
 * signal_setmultiout. */
int nn_obj_outlet_channels(const nn_obj *x, const int *in_chans, int outlet);

/* Builds the DSP state for vector size `n` at `sample_rate`: input cord k carries
 * in_chans[k] channels (NULL: one each). The host then passes, to each perform call, all
 * channels of all input cords in cord order and all channels of all output cords (as given
 * by nn_obj_outlet_channels) in cord order. Allocates; never fails silently. */
void nn_obj_dsp(nn_obj *x, double sample_rate, int n, const int *in_chans);

/* Process `n` samples (n <= the dsp vector size). Returns true when events are waiting
 * for the main thread (the host then calls host->poll_later(owner, 0) or its equivalent,
 * whichever is safe from the audio thread). Real-time safe in threaded mode. */
bool nn_obj_perform(nn_obj *x, const float *const *ins, int n_ins, float *const *outs, int n_outs, int n);
bool nn_obj_perform64(nn_obj *x, const double *const *ins, int n_ins, double *const *outs, int n_outs, int n);

/* Labels for inlet/outlet `index` (Max assist), e.g. "(signal) loudness". */
void nn_obj_inlet_label(const nn_obj *x, int index, char *buf, size_t size);
void nn_obj_outlet_label(const nn_obj *x, int index, char *buf, size_t size);

/* ---- nn.info ---------------------------------------------------------------------------- */

/* Outputs of nn.info by meaning; each host maps them to its outlets. */
typedef enum nn_info_output {
    NN_INFO_OUT_PATH,       /* the model file */
    NN_INFO_OUT_METHODS,    /* method names */
    NN_INFO_OUT_ATTRIBUTES, /* attribute names */
    NN_INFO_OUT_PARAMS,     /* per-method parameters and labels, attribute types and values */
    NN_INFO_OUT_DICT,       /* the model as a dictionary (hosts that have dictionaries) */
    NN_INFO_OUT_MODELS,     /* downloadable models and downloads */
    NN_INFO_OUT_COUNT
} nn_info_output;

/* How nn.info words its outputs: Pd's messages (`methods m1 m2`, `params m 1 1 2 1`, ...)
 * or the Max object's (`method m` per method, `m channels_in 1`, dictionaries). */
typedef enum nn_info_style { NN_INFO_STYLE_PD, NN_INFO_STYLE_MAX } nn_info_style;

/* A dictionary being built by nn.info, for hosts that have them. */
typedef struct nn_dict_sink {
    void *(*begin)(void *owner); /* a new empty dictionary */
    /* Sets keys[0] / keys[1] / ... / keys[depth - 1] = atoms, creating inner dictionaries. */
    void (*set)(void *dict, const char *const *keys, int depth, int argc, const nn_atom *argv);
    /* Publishes the dictionary (named `name`, or a unique name when empty) and sends
     * `dictionary <name>` out of `outlet`. */
    void (*end)(void *owner, void *dict, const char *name, int outlet);
} nn_dict_sink;

typedef struct nn_info {
    const nn_host *host;
    void *owner;
    const char *name;
    nn_info_style style;
    int outlets[NN_INFO_OUT_COUNT]; /* host outlet of each nn_info_output */
    const nn_dict_sink *dicts;      /* NULL where the host has no dictionaries */
    char dict_name[256];            /* Max @dict: the model dictionary's name ("" = unique) */
    nn_model *model;
    nn_obj_downloads *downloads;
} nn_info;

/* `outlets` maps each nn_info_output to a host outlet. */
void nn_info_create(nn_info *x, const nn_host *host, void *owner, const char *name, nn_info_style style,
                    const int outlets[NN_INFO_OUT_COUNT], const nn_dict_sink *dicts, int argc, const nn_atom *argv);
void nn_info_destroy(nn_info *x);
extern const char *const nn_info_messages[];
void nn_info_message(nn_info *x, const char *selector, int argc, const nn_atom *argv);
void nn_info_tick(nn_info *x);

/* ---- shared by both objects ------------------------------------------------------------- */

/* Finds the file of model `name` for an object: ".ts" appended when missing; an absolute
 * path as given; else the patch's folder and the host's search path (find_file; Pd: the
 * [declare] paths, the patch folder, then Pd's search path), then the package's own models
 * folder (the bundled examples), then the per-user models folder (downloads). On failure
 * `err` lists every path tried, in that order. */
nn_status nn_obj_locate(const nn_host *host, void *owner, const char *name, char *out, size_t size, nn_error *err);

/* The package's models folder (host->package_models next to the external), or false. */
bool nn_obj_package_models_dir(const nn_host *host, char *out, size_t size);

/* Prints one console line `<name>: <formatted>` at `level` through `host`. */
void nn_obj_print(const nn_host *host, void *owner, const char *name, nn_console_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif /* NN_OBJ_H */
