/* nn~ in C — public API of the core library.
 * SPDX-License-Identifier: MIT
 *
 * This header is the contract between the core library (model loading through
 * libtorch, the real-time stream engine, file lookup, model download) and its
 * frontends (Pure Data objects, Max objects, the nntilde command-line tool).
 * Every symbol starts with `nn_`; every type is `nn_<thing>`; constants are
 * `NN_<GROUP>_<VALUE>`. No host header is included here.
 *
 * Conventions used throughout:
 *  - Fallible calls return an `nn_status`. Those that can fail for a reason a
 *    user must read take an optional `nn_error *err` (may be NULL) that receives
 *    a one-line message naming the file, method or attribute concerned. An
 *    explicit error object (rather than "last error per handle") is used because
 *    handles are touched by several threads (main, worker, audio).
 *  - `nn_x_free(NULL)` is always a no-op.
 *  - "RT-safe" means: no allocation, lock, wait, log, I/O or libtorch call.
 */
#ifndef NN_NN_H
#define NN_NN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NN_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------- */
/* Status codes and errors                                                    */
/* ------------------------------------------------------------------------- */

typedef enum nn_status {
    NN_OK = 0,
    NN_ERR_INVALID_ARGUMENT,   /* NULL handle, negative size, bad index, ... */
    NN_ERR_NO_MEMORY,
    NN_ERR_FILE_NOT_FOUND,     /* model or sound file does not exist */
    NN_ERR_NOT_A_FILE,         /* path is a directory or special file */
    NN_ERR_EMPTY_FILE,         /* file has zero bytes */
    NN_ERR_BAD_FILE,           /* not a TorchScript archive, truncated, corrupt */
    NN_ERR_NOT_NN_MODEL,       /* valid TorchScript, but no nn~ method */
    NN_ERR_BAD_METADATA,       /* a listed method/attribute has unreadable params */
    NN_ERR_UNKNOWN_METHOD,
    NN_ERR_UNKNOWN_ATTRIBUTE,
    NN_ERR_WRONG_COUNT,        /* attribute given the wrong number of values */
    NN_ERR_WRONG_TYPE,         /* attribute value of the wrong type */
    NN_ERR_REFUSED,            /* the model's setter returned non-zero or threw */
    NN_ERR_MODEL_FAILED,       /* the model threw while running */
    NN_ERR_BAD_OUTPUT,         /* output of wrong shape, dtype or channel count */
    NN_ERR_UNSUPPORTED,        /* e.g. GPU requested but libtorch has no CUDA */
    NN_ERR_BUFFER_SIZE,        /* buffer size incompatible with vector size */
    NN_ERR_BUSY,               /* a previous command is still pending */
    NN_ERR_IO,                 /* read/write/rename failed */
    NN_ERR_NETWORK,            /* connection, DNS, timeout */
    NN_ERR_HTTP,               /* server answered with a non-2xx status */
    NN_ERR_BAD_RESPONSE,       /* server answer is not what the API promises */
    NN_ERR_BAD_CARD,           /* model card malformed or escaping the folder */
    NN_ERR_CANCELLED,
    NN_ERR_INTERNAL
} nn_status;

/* A short, static, English description of a status ("file not found"). */
const char *nn_strerror(nn_status status);

#define NN_ERROR_MESSAGE_SIZE 512

/* Caller-owned error report. `message` is always NUL-terminated. */
typedef struct nn_error {
    nn_status status;
    char message[NN_ERROR_MESSAGE_SIZE];
} nn_error;

/* Fill `err` (if not NULL) with a status and a printf-style message; returns
 * `status` so that callers can write `return nn_error_set(err, ...)`. */
nn_status nn_error_set(nn_error *err, nn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reset an error report to NN_OK / "". */
void nn_error_clear(nn_error *err);

/* ------------------------------------------------------------------------- */
/* Logging                                                                    */
/* ------------------------------------------------------------------------- */

typedef enum nn_log_level { NN_LOG_ERROR = 0, NN_LOG_WARNING, NN_LOG_INFO, NN_LOG_DEBUG } nn_log_level;

typedef void (*nn_log_fn)(void *user, nn_log_level level, const char *message);

/* Install the process-wide log handler (NULL restores the default, which
 * writes to stderr). The core only logs from non-real-time threads; a frontend
 * whose host console is main-thread only must forward messages accordingly.
 * Main thread only; not RT-safe. */
void nn_log_set_handler(nn_log_fn fn, void *user);
void nn_log(nn_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ------------------------------------------------------------------------- */
/* Runtime (libtorch) settings                                                */
/* ------------------------------------------------------------------------- */

/* Version of the libtorch the library is linked with, e.g. "1.13.1". */
const char *nn_backend_version(void);

/* Name of the BLAS library actually mapped into the process (e.g.
 * "libopenblas.so.0 (/usr/lib/x86_64-linux-gnu/openblas-pthread/...)"), or
 * "unknown". Used by `nntilde doctor` and the benchmarks. */
const char *nn_backend_blas(void);

/* Whether the linked libtorch can run on a CUDA device. */
bool nn_backend_has_cuda(void);

/* Set the number of intra-op threads libtorch uses per inference (default 1,
 * which is what many concurrent streams need). Also limits OpenBLAS threads.
 * Process-wide. Call from a non-real-time thread. */
void nn_backend_set_threads(int intra_op_threads);
int nn_backend_threads(void);

/* ------------------------------------------------------------------------- */
/* Model: one loaded TorchScript file following the nn~ contract              */
/* ------------------------------------------------------------------------- */

typedef struct nn_model nn_model;

/* Attribute element type codes, exactly as stored in `<attr>_params`. */
typedef enum nn_type {
    NN_TYPE_BOOL = 0,
    NN_TYPE_INT = 1,
    NN_TYPE_FLOAT = 2,
    NN_TYPE_STRING = 3,
    NN_TYPE_TENSOR = 4,
    NN_TYPE_BUFFER = 5
} nn_type;

/* "bool", "int", "float", "string", "tensor", "buffer" (the names nn.info
 * uses), or "unknown". */
const char *nn_type_name(nn_type type);

typedef enum nn_device { NN_DEVICE_CPU = 0, NN_DEVICE_CUDA = 1 } nn_device;

/* One processing method, read once at load. All strings are owned by the
 * model and live as long as it. */
typedef struct nn_method_info {
    const char *name;
    int in_channels;
    int in_ratio;
    int out_channels;
    int out_ratio;
    const char *const *input_labels;  /* in_channels entries */
    const char *const *output_labels; /* out_channels entries */
} nn_method_info;

/* One settable attribute, read once at load. */
typedef struct nn_attribute_info {
    const char *name;
    int count;            /* number of values the setter takes */
    const nn_type *types; /* `count` type codes */
} nn_attribute_info;

/* A typed value, used to set attributes and to report their current value.
 *  - BOOL/INT/FLOAT: `b`, `i`, `f`.
 *  - STRING: `s`.
 *  - TENSOR: set: `data` holds `frames` floats (a 1-D tensor; `channels` is
 *    ignored). get: `s` describes it ("Tensor(dim: 256)").
 *  - BUFFER: set: `data` is planar `[channels][frames]`, `sample_rate` is the
 *    host buffer's rate. get: `s` is the model's description of the buffer.
 * When values are returned by the library (nn_value_list), `s` is owned by the
 * list; when passed in, everything stays owned by the caller. */
typedef struct nn_value {
    nn_type type;
    bool b;
    int64_t i;
    double f;
    const char *s;
    const float *data;
    int64_t channels;
    int64_t frames;
    double sample_rate;
} nn_value;

typedef struct nn_value_list {
    int count;
    nn_value *values;
} nn_value_list;

/* Release what a list holds and set it to empty. NULL is a no-op. */
void nn_value_list_clear(nn_value_list *list);

/* Format one value the way `get` prints it: bool "true"/"false", int in
 * decimal, float with up to 9 significant digits ("0.5"), strings as is.
 * Returns the length that would have been written (snprintf semantics). */
int nn_value_format(const nn_value *value, char *buf, size_t size);

typedef struct nn_model_config {
    nn_device device;  /* NN_DEVICE_CPU by default */
    int sample_rate;   /* passed to set_sample_rate at load when > 0 (default 0) */
} nn_model_config;

nn_model_config nn_model_config_default(void);

/* Load a model file. On success `*out` receives a new handle. On failure
 * `*out` is NULL and `err` names the file and the reason, with a distinct
 * status for: missing file, a directory, an empty file, bytes that are not a
 * TorchScript archive (random or truncated), a TorchScript file that is not an
 * nn~ model (no method), a listed method without readable params.
 * Reads all metadata (methods, attributes, buffer attributes) once, calls
 * `set_sample_rate` when config->sample_rate > 0 and the model has it.
 * `config` may be NULL for defaults. Never throws, never aborts.
 * Thread: any non-real-time thread. Slow (file I/O, TorchScript compile). */
nn_status nn_model_load(const char *path, const nn_model_config *config, nn_model **out, nn_error *err);

/* Load the same file again and re-apply every attribute value that was
 * successfully set on `model` (in the order they were set), plus its sample
 * rate. `model` is left untouched. */
nn_status nn_model_reload(const nn_model *model, nn_model **out, nn_error *err);

void nn_model_free(nn_model *model);

/* Metadata. Immutable after load: these may be called from any thread,
 * including the audio thread (they are RT-safe). */
const char *nn_model_path(const nn_model *model);
int nn_model_method_count(const nn_model *model);
const nn_method_info *nn_model_method(const nn_model *model, int index); /* NULL if out of range */
int nn_model_method_find(const nn_model *model, const char *name);      /* index, or -1 */
int nn_model_max_ratio(const nn_model *model); /* max in/out ratio over methods, >= 1 */
int nn_model_attribute_count(const nn_model *model);
const nn_attribute_info *nn_model_attribute(const nn_model *model, int index);
int nn_model_attribute_find(const nn_model *model, const char *name);
int nn_model_buffer_count(const nn_model *model); /* entries of get_buffer_attributes() */
const char *nn_model_buffer_name(const nn_model *model, int index); /* "attr#i" */
bool nn_model_has_sample_rate(const nn_model *model); /* has set_sample_rate */
nn_device nn_model_device(const nn_model *model);

/* Calls into the model. A model handle must not be used by two threads at
 * the same time for any of the calls below (the stream engine guarantees it).
 * None of them is RT-safe. */

/* Run method `method` (an index) on `batch` examples of `frames` samples.
 * `input` is contiguous planar float32 [batch][in_channels][frames]; it is
 * decimated by in_ratio (last sample of each group) before the call. `output`
 * is contiguous [batch][out_channels][frames]; each output frame is held
 * out_ratio samples. `frames` must be a multiple of both ratios.
 * On any failure (model throws, output of wrong shape/dtype/channel count) the
 * output is zero-filled and the status says why. */
nn_status nn_model_run(nn_model *model, int method, int batch, int frames, const float *input, float *output,
                       nn_error *err);

/* Current values of an attribute, read through `get_<name>()` (a scalar, a
 * list or a tuple result are all accepted). `out` must be cleared by the
 * caller with nn_value_list_clear. */
nn_status nn_model_attribute_get(nn_model *model, int attribute, nn_value_list *out, nn_error *err);

/* Set an attribute from `count` typed values. Count and types are checked
 * against the attribute's type codes before the model is called (an INT value
 * is accepted for a FLOAT element; a FLOAT value for an INT element only when
 * integral; BOOL accepts BOOL and INT/FLOAT 0/1...). Buffer elements are sent
 * with set_buffer_attribute("<name>#<i>", [channels, frames], sr) first and a
 * refusal there (bounds) is reported. The model's refusal (non-zero return or
 * exception) gives NN_ERR_REFUSED with the attribute's name. Nothing changes
 * on any error before the model's own setter runs. */
nn_status nn_model_attribute_set(nn_model *model, int attribute, const nn_value *values, int count, nn_error *err);

/* Reset buffer element `element` of buffer attribute `attribute` to empty
 * (clear_buffer_attribute). */
nn_status nn_model_buffer_clear(nn_model *model, int attribute, int element, nn_error *err);

/* Call set_sample_rate(sr) if the model has it (NN_OK and no-op otherwise). */
nn_status nn_model_set_sample_rate(nn_model *model, int sample_rate, nn_error *err);

/* The model's get_sample_rate(), or -1 when it has none / returns unset. */
int nn_model_sample_rate(nn_model *model);

/* The rate the model file declares: its get_sample_rate() when it was loaded,
 * before the host's rate was passed to set_sample_rate (most exporters' setter
 * just stores what it is given, so get_sample_rate() echoes the host after
 * that). -1 when it declares none. Immutable after load; any thread, RT-safe. */
int nn_model_declared_sample_rate(const nn_model *model);

/* Move the model to a device. NN_ERR_UNSUPPORTED when not available. */
nn_status nn_model_set_device(nn_model *model, nn_device device, nn_error *err);

/* ------------------------------------------------------------------------- */
/* Buffer-size rules                                                          */
/* ------------------------------------------------------------------------- */

#define NN_DEFAULT_BUFFER_SIZE 4096
#define NN_MAX_BUFFER_SIZE (1 << 20)
#define NN_MAX_BATCH 1024 /* examples per model call (multichannel hosts) */

/* Resolve a requested buffer size against a model's largest ratio:
 * 0 -> synchronous mode, B = max_ratio (raised to vector size later);
 * 0 < v < max_ratio -> max_ratio (and *raised = true);
 * otherwise the next power of two >= v. Values < 0 or > NN_MAX_BUFFER_SIZE
 * give NN_ERR_BUFFER_SIZE. `synchronous` receives whether v == 0. */
nn_status nn_buffer_size_resolve(int requested, int max_ratio, int *resolved, bool *synchronous, bool *raised,
                                 nn_error *err);

/* ------------------------------------------------------------------------- */
/* Stream engine                                                              */
/* ------------------------------------------------------------------------- */
/*
 * A stream runs one method of one model on audio arriving in host vectors of
 * n samples. Audio is collected into blocks of B samples; each block is one
 * model call.
 *
 * Channel layout (one layout, used everywhere): pointer arrays are
 * batch-major, `ptr[b * channels + c]` is channel c of batch (example) b, for
 * inputs and outputs alike. The host passes as many pointers as it has
 * (`n_inputs`, `n_outputs`, each a multiple of `batch`); channels the method
 * does not take are ignored, channels it lacks are read as zero, outputs the
 * method does not produce are written with zeros.
 *
 * Modes:
 *  - THREADED: a long-lived worker runs the model; the audio thread never
 *    waits. A block's result plays D samples after the block is handed off
 *    (the delay; D = B by default): latency B + D - n (2B - n by default). A
 *    block not ready in time is silence and counts as one overrun. A smaller D
 *    (low-latency mode, set or chosen from the measured compute time) gives
 *    the model less time per block.
 *  - SYNCHRONOUS (buffer size 0): the model runs inside process(), by the
 *    user's explicit choice. Latency B - n.
 *  - OFFLINE: process() waits for pending swaps and runs each full block
 *    itself (the result plays one block later), so no block is dropped and
 *    the output is deterministic. Not RT-safe, by design. Latency 2B - n.
 *
 * Control is asynchronous: the call checks what it can at once (names, types,
 * counts) and queues the rest. Results and errors come back as events,
 * delivered by nn_stream_poll() on the thread that calls it (the host's main
 * thread).
 *  - Swaps (load, method, buffer size, batch, reload) build a new state on a
 *    control thread; the audio thread adopts it at the first block boundary
 *    after it is ready, and its block 0 starts there.
 *  - Timed messages (attribute set and get, a sample-rate change through
 *    nn_stream_prepare) are stamped with the stream position (samples consumed
 *    so far) and take effect on the first model call for a block that starts
 *    at or after that position, in every mode, independent of thread timing.
 *  - Re-enabling (nn_stream_set_enabled) starts a new block at the next vector.
 *
 * Scheduling (THREADED): by default every stream joins one process-wide pool
 * that runs at most one model call per core at a time, earliest deadline
 * first. When the machine cannot carry every stream, the pool sheds whole
 * streams (newest first): a shed stream plays silence, counts no overruns,
 * keeps its state and comes back (oldest first) when the load allows; each
 * change is an NN_EVENT_OVERLOAD. NN_SCHEDULE_OWN_THREAD gives a stream the
 * unscheduled inference thread of earlier versions (the kernel shares the
 * cores out, so under overload every stream is late).
 * docs/engine.md has the details.
 */

typedef struct nn_stream nn_stream;

typedef enum nn_stream_mode {
    NN_STREAM_THREADED = 0,
    NN_STREAM_SYNCHRONOUS = 1,
    NN_STREAM_OFFLINE = 2
} nn_stream_mode;

typedef enum nn_event_kind {
    NN_EVENT_LOADED,          /* a model/method/bufsize swap took effect (message: summary) */
    NN_EVENT_ERROR,           /* a queued command failed (status + message) */
    NN_EVENT_ATTRIBUTE_SET,   /* set succeeded (attribute) */
    NN_EVENT_ATTRIBUTE_VALUE, /* answer to nn_stream_attribute_get (attribute, values) */
    NN_EVENT_OVERRUN,         /* rate-limited: overruns counted so far (count) */
    NN_EVENT_INFO,            /* informational message */
    NN_EVENT_OVERLOAD         /* the pool shed the stream (count 1: silent until load drops) or
                                 brought it back (count 0) */
} nn_event_kind;

typedef struct nn_event {
    nn_event_kind kind;
    nn_status status;
    const char *message;          /* valid during the callback only */
    int attribute;                /* index in the stream's current model, or -1 */
    const nn_value_list *values;  /* ATTRIBUTE_VALUE only */
    uint64_t count;               /* OVERRUN: overruns so far; OVERLOAD: 1 shed, 0 back */
} nn_event;

typedef void (*nn_event_fn)(void *user, const nn_event *event);

/* How a THREADED stream's model calls are scheduled. */
typedef enum nn_schedule {
    NN_SCHEDULE_POOL = 0,      /* the shared pool: earliest deadline first, whole streams shed under overload */
    NN_SCHEDULE_OWN_THREAD = 1 /* its own inference thread, unscheduled (before the pool) */
} nn_schedule;

typedef struct nn_stream_config {
    const char *method;   /* default "forward" */
    int buffer_size;      /* requested B; 0 = synchronous. Default 4096 */
    nn_stream_mode mode;  /* default THREADED (forced SYNCHRONOUS when buffer_size == 0) */
    int batch;            /* examples per call, default 1 */
    int delay;            /* THREADED: NN_DELAY_BLOCK (default), NN_DELAY_AUTO or D in samples */
    bool resample;        /* run a model that declares its own rate at that rate (default true) */
    nn_schedule schedule; /* THREADED: NN_SCHEDULE_POOL (default) or NN_SCHEDULE_OWN_THREAD */
    nn_event_fn on_event; /* may be NULL */
    void *user;
} nn_stream_config;

nn_stream_config nn_stream_config_default(void);

/* The delay D between a block's hand-off and the start of its playback
 * (THREADED mode; SYNCHRONOUS and OFFLINE ignore it). */
#define NN_DELAY_BLOCK 0 /* D = B: latency 2B - n, the most time for the model */
/* Low latency, measured: D starts at twice the slowest of 8 timed runs after warm-up + one
 * vector, grows to the p99 of recent hand-off-to-done times + one vector (and one vector per
 * overrun), and after 3 s of audio with no overrun comes down to their maximum + one vector,
 * crossfaded (docs/engine.md). nn_stream_poll reports the moves (NN_EVENT_INFO, one a second at most). */
#define NN_DELAY_AUTO (-1)
/* A positive D is rounded up to a multiple of the vector size and kept within
 * [n, B]; the latency is then B + D - n. */

/* Create a stream that takes ownership of `model` (also on failure). The
 * method must exist (NN_ERR_UNKNOWN_METHOD otherwise). Starts the worker.
 * Main thread. */
nn_status nn_stream_new(nn_model *model, const nn_stream_config *config, nn_stream **out, nn_error *err);

/* Stop the worker (an in-flight block completes), free everything. */
void nn_stream_free(nn_stream *stream);

/* Allocate for a host rate and largest vector size. B must be a multiple of
 * the vector size (NN_ERR_BUFFER_SIZE otherwise; process then outputs
 * silence). Calls set_sample_rate on the model when the rate changed.
 * Main thread (Pd's dsp method), never concurrently with process(). */
nn_status nn_stream_prepare(nn_stream *stream, double sample_rate, int vector_size, nn_error *err);

/* Process n samples (n <= prepared vector size). RT-safe in THREADED mode.
 * Audio thread only. */
void nn_stream_process(nn_stream *stream, const float *const *inputs, int n_inputs, float *const *outputs,
                       int n_outputs, int n);

/* Deliver pending events to config->on_event and emit rate-limited overrun
 * notices. Returns the number of events delivered. Main thread. */
int nn_stream_poll(nn_stream *stream);

/* True while a queued command has not finished (poll until false). */
bool nn_stream_busy(const nn_stream *stream);

/* Block until every queued command has finished (CLI, tests). Main thread. */
void nn_stream_wait_idle(nn_stream *stream);

/* Queries: any thread, RT-safe. They describe the state the audio thread
 * currently uses. */
int nn_stream_latency(const nn_stream *stream);        /* samples, resampling included; -1 before prepare */
int nn_stream_buffer_size(const nn_stream *stream);    /* resolved B */
int nn_stream_delay(const nn_stream *stream);          /* D in use (samples); 0 in SYNCHRONOUS mode */
int nn_stream_model_rate(const nn_stream *stream);     /* rate the model runs at (Hz); 0 before prepare */
nn_stream_mode nn_stream_mode_get(const nn_stream *stream);
uint64_t nn_stream_overruns(const nn_stream *stream);
uint64_t nn_stream_blocks(const nn_stream *stream);    /* blocks computed; a counted block is ready to play */
bool nn_stream_shed(const nn_stream *stream);          /* the pool shed it: silent until load drops */

/* Compute time of the model calls (seconds), over the last `window` of `count`
 * calls: the median, the 99th percentile and the slowest. Main thread (takes a
 * lock the inference thread takes once per block; never the audio thread's). */
typedef struct nn_compute_stats {
    uint64_t count;
    int window;
    double p50, p99, max;
} nn_compute_stats;
nn_status nn_stream_compute_stats(nn_stream *stream, nn_compute_stats *out);

/* The model and method the stream uses as seen from the main thread (they
 * change only inside nn_stream_poll when a LOADED event is delivered). */
const nn_model *nn_stream_model(const nn_stream *stream);
const nn_method_info *nn_stream_method(const nn_stream *stream);

/* Asynchronous control (main thread). Each returns at once; NN_OK means the
 * command was queued. Checks that can be done at once are done at once. */
nn_status nn_stream_load(nn_stream *stream, const char *path, nn_error *err);
nn_status nn_stream_set_method(nn_stream *stream, const char *method, nn_error *err);
nn_status nn_stream_set_buffer_size(nn_stream *stream, int buffer_size, nn_error *err);
nn_status nn_stream_reload(nn_stream *stream, nn_error *err);
/* Change the delay (NN_DELAY_BLOCK, NN_DELAY_AUTO or samples): a swap, like a
 * buffer-size change. Main thread. */
nn_status nn_stream_set_delay(nn_stream *stream, int delay, nn_error *err);
/* Resampling (on by default, nn_stream_config.resample): a model that declares a
 * rate of its own (nn_model_declared_sample_rate, or one named by get_sample_rate()
 * after refusing the host's) different from the host's runs at it. Each block's
 * inputs are converted to the model's rate (libsamplerate, SRC_SINC_MEDIUM_QUALITY,
 * one converter per channel; inputs at a ratio > 1 are held, not filtered), the
 * model is called on blocks of B samples at its rate as they fill, and the outputs
 * go back to the host's rate (held when the output ratio is > 1). That adds a fixed
 * number of samples R to the latency, which nn_stream_latency() includes: latency
 * 2B - n + R (threaded), B - n + R (synchronous); docs/engine.md gives R. Switching
 * is a swap, like a buffer-size change; so is a host-rate change (nn_stream_prepare)
 * for such a model. Main thread. */
nn_status nn_stream_set_resample(nn_stream *stream, bool on, nn_error *err);

/* Change the number of examples per model call (mc.nn~: the widest multichannel
 * input). Builds a new state like a buffer-size change; a no-op when `batch` is
 * already the requested batch. Main thread. */
nn_status nn_stream_set_batch(nn_stream *stream, int batch, nn_error *err);
int nn_stream_batch(const nn_stream *stream); /* the batch last requested (main thread) */
/* Timed: `set` lands on the first model call for a block that starts at or after
 * the current stream position; `get` answers (ATTRIBUTE_VALUE) in order after the
 * sets before it. Both may be answered before DSP starts. Main thread. */
nn_status nn_stream_attribute_set(nn_stream *stream, const char *attribute, const nn_value *values, int count,
                                  nn_error *err);
nn_status nn_stream_attribute_get(nn_stream *stream, const char *attribute, nn_error *err);

/* Number of model calls the pool runs at once: `workers`, or one per core when
 * 0 (the default). Process-wide, takes effect at once. Any non-real-time thread. */
void nn_pool_set_workers(int workers);
int nn_pool_workers(void);

/* Enable/disable: disabled streams output zeros and do not consume input.
 * Enabling again starts a new block at the next vector (silence for the
 * latency, like a fresh stream). Any thread, RT-safe. */
void nn_stream_set_enabled(nn_stream *stream, bool enabled);
bool nn_stream_enabled(const nn_stream *stream);

/* ------------------------------------------------------------------------- */
/* Model files: lookup                                                        */
/* ------------------------------------------------------------------------- */

/* The per-user models folder: $NN_TILDE_MODELS_DIR if set, else
 * $XDG_DATA_HOME/nn_tilde/models, else ~/.local/share/nn_tilde/models
 * (Linux; ~/Documents/Pd/nn_tilde/models style folders elsewhere).
 * Written into `buf`; NN_ERR_INVALID_ARGUMENT when it does not fit. */
nn_status nn_models_dir(char *buf, size_t size);

/* Find a model file by name: `name` as given if it is an absolute path;
 * otherwise `name` (".ts" appended when missing) in each of `dirs` in order,
 * then in the models folder. Writes the full path into `out`.
 * NN_ERR_FILE_NOT_FOUND lists the places that were searched. */
nn_status nn_model_locate(const char *name, const char *const *dirs, int n_dirs, char *out, size_t size,
                          nn_error *err);

/* The same lookup, then in each of `bundled` in order: the folders of the example
 * models that ship with the frontend (the Pd package's models/ folder,
 * <prefix>/share/nn_tilde/examples for nntilde). The order is therefore:
 *   1. `name` itself when absolute;
 *   2. each of `dirs` (the host's own places: nntilde's current folder; Pd's
 *      patch folder, then its search path);
 *   3. the per-user models folder (nn_models_dir(), where downloads go);
 *   4. each of `bundled`.
 * NULL and empty entries are skipped; the first path that exists wins; the
 * NN_ERR_FILE_NOT_FOUND message lists every path tried. A candidate that exists but is not
 * a regular file (a FIFO would block its reader) ends the search with NN_ERR_NOT_A_FILE
 * without being opened. nn_model_locate is
 * this function with no bundled folders. Any thread; not RT-safe (stat). */
nn_status nn_model_locate_bundled(const char *name, const char *const *dirs, int n_dirs, const char *const *bundled,
                                  int n_bundled, char *out, size_t size, nn_error *err);

/* ------------------------------------------------------------------------- */
/* Model download (IRCAM Forum API)                                           */
/* ------------------------------------------------------------------------- */

#define NN_API_URL_DEFAULT "https://play.forum.ircam.fr/rave-vst-api/"

/* The API root in effect: $NN_TILDE_API_URL if set, else the default. */
const char *nn_api_url(void);

/* Check a model card `source/model/name`: three non-empty parts, no "..",
 * no leading "/", no backslash, no control characters. */
nn_status nn_card_validate(const char *card, nn_error *err);

typedef struct nn_card_list {
    int count;
    char **cards; /* "source/model/name" */
} nn_card_list;

void nn_card_list_clear(nn_card_list *list);

typedef struct nn_downloader nn_downloader;

typedef enum nn_download_event_kind {
    NN_DOWNLOAD_STARTED,
    NN_DOWNLOAD_PROGRESS, /* bytes / total (total 0 when unknown) */
    NN_DOWNLOAD_DONE,     /* path = the installed model */
    NN_DOWNLOAD_FAILED,   /* status + message; card NULL when the list fetch failed */
    NN_DOWNLOAD_LIST      /* cards = the list asked for by nn_downloader_list_start */
} nn_download_event_kind;

typedef struct nn_download_event {
    nn_download_event_kind kind;
    nn_status status;
    const char *card;
    const char *path;
    const char *message;
    uint64_t bytes;
    uint64_t total;
    const nn_card_list *cards; /* NN_DOWNLOAD_LIST only, else NULL */
} nn_download_event;

typedef void (*nn_download_fn)(void *user, const nn_download_event *event);

/* `api_url` NULL = nn_api_url(); `models_dir` NULL = nn_models_dir().
 * Events are delivered by nn_downloader_poll on the caller's thread. */
nn_status nn_downloader_new(const char *api_url, const char *models_dir, nn_download_fn on_event, void *user,
                            nn_downloader **out, nn_error *err);

/* Cancel running downloads, join threads, remove temporary files. Events not
 * yet delivered are dropped. Must not be called from the event callback. */
void nn_downloader_free(nn_downloader *downloader);

/* Change the API root (e.g. a Pd message). */
nn_status nn_downloader_set_api_url(nn_downloader *downloader, const char *api_url, nn_error *err);

/* Fetch the list of cards (blocking, with timeouts), sorted. `out` is cleared
 * by the caller with nn_card_list_clear. Blocks the calling thread for the whole
 * request: a host whose main thread runs audio (Pd) uses nn_downloader_list_start. */
nn_status nn_downloader_list(nn_downloader *downloader, nn_card_list *out, nn_error *err);

/* Fetch the list of cards in a background thread and return at once (main thread).
 * nn_downloader_poll later delivers exactly one event: NN_DOWNLOAD_LIST with
 * `cards` (sorted, owned by the downloader, valid during the callback only) or
 * NN_DOWNLOAD_FAILED with card NULL, status and message (the same text
 * nn_downloader_list puts in its error). NN_ERR_BUSY while an earlier list fetch
 * has not been delivered. nn_downloader_free cancels a running fetch. */
nn_status nn_downloader_list_start(nn_downloader *downloader, nn_error *err);

/* Start downloading `card` into `<models_dir>/<name or last part>.ts` in a
 * background thread. The card is validated at once (no request for a bad
 * card). Returns NN_OK when queued. */
nn_status nn_downloader_start(nn_downloader *downloader, const char *card, const char *name, nn_error *err);

/* Same, blocking (the CLI); events are still delivered to the callback while
 * it waits; `path_out` receives the installed path.
 * Both: NN_ERR_BAD_CARD for a malformed card or name (nothing requested),
 * NN_ERR_BUSY when the same target is already downloading. A target that
 * exists and is not empty is kept and reported as DONE ("already downloaded").
 * Timeouts and size limit: see docs/download.md (NN_TILDE_HTTP_TIMEOUT,
 * NN_TILDE_MAX_DOWNLOAD_BYTES). */
nn_status nn_downloader_fetch(nn_downloader *downloader, const char *card, const char *name, char *path_out,
                              size_t size, nn_error *err);

/* Delete `<models_dir>/<name>.ts` (name may be a card; its last part is used). */
nn_status nn_downloader_remove(nn_downloader *downloader, const char *name, nn_error *err);

/* Deliver pending events. Returns how many. */
int nn_downloader_poll(nn_downloader *downloader);

/* True while a download or list fetch is running, or has finished but its final
 * event has not been delivered by nn_downloader_poll yet: poll until it is false. */
bool nn_downloader_busy(const nn_downloader *downloader);

#ifdef __cplusplus
}
#endif

#endif /* NN_NN_H */
