/* nn~ in C — the real-time stream engine.
 * SPDX-License-Identifier: MIT
 *
 * A stream runs one method of one model on audio that arrives in host
 * vectors. Each stream owns an immutable "engine state" (model, method,
 * resolved buffer size, preallocated block buffers) that the audio thread
 * reads; a control thread builds new states (load, method, buffer size,
 * reload), warms them up and publishes them through an atomic pointer, and the
 * audio thread adopts a published state at a block boundary. An inference
 * thread runs the blocks the audio thread hands over through a lock-free SPSC
 * ring. Events (errors, swaps, attribute values) travel back to the host's
 * main thread through a mutex-protected queue drained by nn_stream_poll().
 * docs/engine.md describes the threading, latency and swap protocol.
 */
#define _POSIX_C_SOURCE 200809L

#include "nn/nn.h"
#include "internal.h"

#include "pool.h"
#include "resample.h"
#include "ring.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef NN_RTSAN
/* Exported by the RealtimeSanitizer runtime; not in clang-22's public header. */
void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);
#endif

/* Four slots per state: one being filled, one in the worker's hands, one
 * playing, and one spare so that a late (abandoned) block does not force the
 * next input block to be dropped. */
#define NN_SLOTS 4

/* Model calls whose compute time nn_stream_compute_stats summarises. */
#define NN_COMPUTE_HISTORY 1024

/* Auto delay: seconds of audio with no overrun before D may come down to the
 * measured hint; each overrun doubles it, up to SHRINK_WAIT_MAX_S. */
#define SHRINK_WAIT_S 3
#define SHRINK_WAIT_MAX_S 96
/* Auto delay at the start: this many times the slowest warm-up run, plus one vector. */
#define AUTO_START_FACTOR 2.0

/* Life of a slot. The audio thread owns FREE, FILLING, DONE, SHED and PLAYING
 * slots; the inference thread owns QUEUED and RUNNING ones. CANCELLED is a
 * QUEUED slot the audio thread gave up on before it ran; the inference thread
 * turns it back into FREE without running it. SHED is a block the inference
 * thread did not run because the pool shed the stream: it plays as silence and
 * is not an overrun. */
enum slot_status {
    SLOT_FREE,
    SLOT_FILLING,
    SLOT_QUEUED,
    SLOT_RUNNING,
    SLOT_DONE,
    SLOT_PLAYING,
    SLOT_CANCELLED,
    SLOT_SHED
};

/* `expect` values besides a slot index. */
enum { EXPECT_NONE = -1, EXPECT_DROPPED = -2 };

/* Messages from the audio thread to the inference thread. */
enum { MSG_JOB, MSG_RETIRE };

/* A model shared by the states built on it, the main thread's view and the
 * LOADED events in flight; the last holder frees it (never the audio thread). */
typedef struct model_ref {
    nn_model *model;
    atomic_int refs;
} model_ref;

typedef struct engine_slot {
    float *in;      /* [batch][in_ch][B] */
    float *out;     /* [batch][out_ch][B] */
    uint64_t start; /* stream position of the block's first sample (written before the hand-off) */
    double handed;  /* THREADED: when the audio thread handed it off (CLOCK_MONOTONIC seconds) */
    double due;     /* THREADED: when its output is due (hand-off + (D - n) / rate), for the pool */
    atomic_int status;
} engine_slot;

/* A message that must land on a known block: `set`, `get` and a host sample-rate
 * change. Stamped on the main thread with the stream position (samples the audio
 * thread has consumed) and applied to a state's model just before the first model
 * call for a block that starts at or after that position. */
enum timed_kind { TIMED_SET, TIMED_GET, TIMED_RATE };

typedef struct timed_msg {
    struct timed_msg *next;
    enum timed_kind kind;
    uint64_t at;
    char *attribute;
    nn_value *values;
    int count;
    int rate;
} timed_msg;

#define POSITION_UNKNOWN UINT64_MAX

typedef struct engine_state {
    /* Immutable once published, except B (and the slots) of a synchronous
     * state, which the audio thread resizes to the vector size: nothing else
     * touches a synchronous state's slots. */
    model_ref *ref;
    int method;
    int in_ch, out_ch, in_ratio, out_ratio;
    int batch;
    int requested; /* the user's buffer size, 0 = synchronous */
    int base_b;    /* B before the synchronous raise to the vector size */
    int b;
    /* Low latency (THREADED): a result plays `delay` samples after its block was
     * handed off (D; B by default), i.e. from `switch_at` = D - n samples into the
     * next input block. Resolved from the request (0 = B, -1 = auto, > 0 = samples)
     * whenever the vector size is known; audio thread (and prepare/build). */
    int delay_req;
    double measured_s; /* auto: slowest of the timed runs after warm-up */
    int delay, switch_at;
    /* Auto: the inference thread's p99 of recent compute times, as a delay in
     * samples; the audio thread moves up to it at the next switch, and after an
     * overrun asks for one vector more (`bump`). After `shrink_wait` seconds of
     * audio (`calm`) with no overrun and no change it moves down to `shrink_hint`,
     * the slowest of those times as a delay (delay_shrink): at least the p99, so a
     * move down is not followed by a move up while the model keeps its pace. Each
     * overrun doubles the wait. `bump`, `calm`, `shrink_wait`: audio thread only. */
    atomic_int delay_hint, shrink_hint;
    int bump;
    int64_t calm;
    int shrink_wait;
    float recent[128]; /* inference thread only: compute times of the last blocks */
    int recent_count;
    nn_stream_mode mode;
    /* The model's own rate when it differs from the host's (resample.h): blocks go
     * through `rs`, which adds nn_resampler_latency() samples. NULL otherwise. */
    nn_resampler *rs;
    int host_rate, model_rate;
    atomic_bool rs_reset; /* set by state_restart; the thread that runs blocks resets `rs` */
    int n_slots;
    engine_slot slots[NN_SLOTS];
    /* Serialises model calls between the inference thread (or, in synchronous
     * mode, the audio thread) and the control thread. Never taken by the audio
     * thread in THREADED or OFFLINE mode. */
    pthread_mutex_t model_lock;
    atomic_bool retired;
    /* Messages waiting for their block, in the order they were sent (under the
     * stream's `lock`; popped and applied only while holding `model_lock`). */
    timed_msg *timed_head, *timed_tail;
    /* Start of the block being filled (audio thread writes; POSITION_UNKNOWN until
     * the state is adopted). */
    _Atomic uint64_t fill_start;
    _Atomic uint64_t first_start; /* fill_start when the state was adopted or restarted */
    /* Under model_lock: the earliest start the next model call can have (the last
     * run block's start + B; POSITION_UNKNOWN before the first run). */
    uint64_t next_run;
    /* Inference-thread (or synchronous audio-thread) only. */
    bool run_failed;
    /* Audio-thread only. */
    int acc;    /* slot being filled, -1 when the block is being discarded */
    int expect; /* slot whose result plays at the next boundary */
    int play;   /* slot being played, -1 for silence */
    int in_pos, out_pos;
    unsigned abandoned; /* slots given up on while RUNNING; reclaimed when DONE */
    bool fits;          /* B is usable with the prepared vector size */
} engine_state;

typedef enum command_kind {
    CMD_INIT,
    CMD_LOAD,
    CMD_METHOD,
    CMD_BUFFER_SIZE,
    CMD_BATCH,
    CMD_RELOAD,
    CMD_DELAY,
    CMD_RESAMPLE, /* resampling switched, or the host rate changed: rebuild if it matters */
    CMD_TIMED /* a timed message was queued (msg, or already on the target state) */
} command_kind;

typedef struct command {
    struct command *next;
    command_kind kind;
    char *text; /* path, method or attribute name */
    int number; /* buffer size, batch, method index (INIT) */
    model_ref *ref; /* INIT */
    timed_msg *msg; /* TIMED sent while a swap was in progress: placed by the control thread */
    bool swap;      /* counted in swaps_pending until its state is published or it fails */
} command;

typedef struct event_node {
    struct event_node *next;
    nn_event_kind kind;
    nn_status status;
    char *message;
    int attribute;
    nn_value_list values;
    model_ref *ref; /* LOADED: the model the main thread's view moves to */
    int method;
} event_node;

struct nn_stream {
    nn_event_fn on_event;
    void *user;
    nn_stream_mode base_mode; /* mode for non-zero buffer sizes */
    int batch;                /* control thread (set before it starts, then by CMD_BATCH) */

    /* Control-thread settings (written before the thread starts, then only
     * by the control thread). */
    char *method_name;
    int requested;
    engine_state *latest;             /* newest built state: pending or current */
    int initial_requested, initial_b; /* immutable copies for the main thread */

    pthread_t runner, controller;
    bool runner_started, controller_started;
    pthread_mutex_t lock;
    pthread_cond_t command_cond; /* control thread waits for commands */
    pthread_cond_t changed;      /* a command or a block finished */
    command *cmd_head, *cmd_tail;
    event_node *ev_head, *ev_tail;
    engine_state *graveyard[NN_RING_CAPACITY];
    int graveyard_count;
    atomic_int pending;       /* commands queued and not finished */
    atomic_int pending_loads; /* of which loads (they change the attribute set) */
    atomic_bool quit;

    sem_t wake; /* audio -> inference thread: sem_post is non-blocking */
    nn_ring msgs;
    _Atomic(engine_state *) next_state; /* control -> audio */
    engine_state *current;              /* audio thread (and prepare) */
    uint64_t position;                  /* audio thread: samples consumed while enabled */
    bool paused;                        /* audio thread: the last call found the stream disabled */
    atomic_uint_least64_t q_position;   /* `position` for the main thread */
    /* Under `lock`: the newest published state and the swaps queued and not yet
     * published. With none pending, a timed message goes straight to `target`. */
    engine_state *target;
    int swaps_pending;
    command *running; /* control thread: the command being run */
    atomic_uint_least64_t jobs_submitted, jobs_finished;

    atomic_int vector_size, sample_rate;
    atomic_int q_latency, q_buffer_size, q_mode, q_delay, q_model_rate;
    int delay_req; /* control thread (set before it starts, then by CMD_DELAY) */
    bool resample; /* control thread (set before it starts, then by CMD_RESAMPLE) */
    int init_declared; /* the first model's declared rate (immutable) */
    /* Compute time of the last blocks run (seconds), under `lock`. */
    float compute[NN_COMPUTE_HISTORY];
    int compute_next;
    uint64_t compute_count;
    atomic_uint_least64_t overruns, blocks;
    atomic_uint delay_moves; /* audio thread: times auto moved D (grow or shrink) */
    atomic_bool enabled;
    /* The shared pool's view of this stream (NULL: own thread, unscheduled). */
    nn_pool_member *member;
    uint64_t pool_overruns; /* inference thread: overruns when it last asked for a turn */

    /* Main thread only. */
    int requested_batch;
    model_ref *view;
    int view_method;
    uint64_t reported_overruns;
    struct timespec last_notice;
    bool reported_shed;
    unsigned reported_moves;
    struct timespec moves_notice;
};

/* ------------------------------------------------------------------------- */
/* Small helpers                                                              */
/* ------------------------------------------------------------------------- */

static model_ref *model_ref_new(nn_model *model)
{
    model_ref *ref = malloc(sizeof *ref);
    if (!ref)
        return NULL;
    ref->model = model;
    atomic_init(&ref->refs, 1);
    return ref;
}

static model_ref *model_ref_retain(model_ref *ref)
{
    if (ref)
        atomic_fetch_add_explicit(&ref->refs, 1, memory_order_relaxed);
    return ref;
}

static void model_ref_release(model_ref *ref)
{
    if (ref && atomic_fetch_sub_explicit(&ref->refs, 1, memory_order_acq_rel) == 1) {
        nn_model_free(ref->model);
        free(ref);
    }
}

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int lcm_capped(int a, int b)
{
    long long l = (long long)a / gcd(a, b) * b;
    return l > NN_MAX_BUFFER_SIZE ? -1 : (int)l;
}

static int latency_of(nn_stream_mode mode, int b, int delay, int vector_size, int resampling)
{
    if (vector_size <= 0 || b <= 0)
        return -1;
    return (mode == NN_STREAM_SYNCHRONOUS ? b - vector_size : b + delay - vector_size) + resampling;
}

/* ------------------------------------------------------------------------- */
/* Events (control/inference threads -> main thread)                          */
/* ------------------------------------------------------------------------- */

static void event_push(nn_stream *s, nn_event_kind kind, nn_status status, const char *message, int attribute,
                       nn_value_list *values, model_ref *ref, int method)
{
    event_node *node = calloc(1, sizeof *node);
    if (!node) {
        if (values)
            nn_value_list_clear(values);
        model_ref_release(ref);
        return;
    }
    node->kind = kind;
    node->status = status;
    node->message = nn_string_copy(message ? message : "");
    node->attribute = attribute;
    if (values) {
        node->values = *values;
        values->count = 0;
        values->values = NULL;
    }
    node->ref = ref;
    node->method = method;
    pthread_mutex_lock(&s->lock);
    if (s->ev_tail)
        s->ev_tail->next = node;
    else
        s->ev_head = node;
    s->ev_tail = node;
    pthread_mutex_unlock(&s->lock);
}

static void event_error(nn_stream *s, nn_status status, const char *message)
{
    event_push(s, NN_EVENT_ERROR, status, message, -1, NULL, NULL, -1);
}

static void event_node_free(event_node *node)
{
    nn_value_list_clear(&node->values);
    model_ref_release(node->ref);
    free(node->message);
    free(node);
}

/* ------------------------------------------------------------------------- */
/* Timed messages                                                             */
/* ------------------------------------------------------------------------- */

static void values_free(nn_value *values, int count)
{
    for (int i = 0; i < count; i++) {
        free((char *)values[i].s);
        free((float *)values[i].data);
    }
    free(values);
}

static void timed_free(timed_msg *m)
{
    while (m) {
        timed_msg *next = m->next;
        values_free(m->values, m->count);
        free(m->attribute);
        free(m);
        m = next;
    }
}

static nn_value *values_copy(const nn_value *values, int count)
{
    nn_value *out = calloc((size_t)(count > 0 ? count : 1), sizeof *out);
    if (!out)
        return NULL;
    for (int i = 0; i < count; i++) {
        nn_value *v = &out[i];
        *v = values[i];
        v->s = NULL;
        v->data = NULL;
        if (values[i].s && !(v->s = nn_string_copy(values[i].s))) {
            values_free(out, count);
            return NULL;
        }
        int64_t floats = 0;
        if (values[i].type == NN_TYPE_TENSOR)
            floats = values[i].frames;
        else if (values[i].type == NN_TYPE_BUFFER)
            floats = values[i].channels * values[i].frames;
        if (values[i].data && floats > 0) {
            float *data = malloc((size_t)floats * sizeof(float));
            if (!data) {
                values_free(out, count);
                return NULL;
            }
            memcpy(data, values[i].data, (size_t)floats * sizeof(float));
            v->data = data;
        }
    }
    return out;
}

static timed_msg *timed_new(enum timed_kind kind, const char *attribute, const nn_value *values, int count, int rate)
{
    timed_msg *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->kind = kind;
    m->rate = rate;
    m->count = values ? count : 0;
    if ((attribute && !(m->attribute = nn_string_copy(attribute))) ||
        (values && !(m->values = values_copy(values, count)))) {
        timed_free(m);
        return NULL;
    }
    return m;
}

/* Deep copy of a list (control thread: a state built from the newest one inherits
 * the messages still waiting there, which were sent before the swap). */
static timed_msg *timed_copy_list(const timed_msg *m, timed_msg ***tail)
{
    timed_msg *head = NULL, **link = &head;
    for (; m; m = m->next) {
        timed_msg *copy = timed_new(m->kind, m->attribute, m->values, m->count, m->rate);
        if (!copy) {
            nn_log(NN_LOG_WARNING, "out of memory: a queued '%s' is lost", m->attribute ? m->attribute : "rate");
            continue;
        }
        copy->at = m->at;
        *link = copy;
        link = &copy->next;
    }
    *tail = link;
    return head;
}

/* Append a list to a state's queue. Caller holds the stream's lock. */
static void timed_append(engine_state *st, timed_msg *m)
{
    if (!m)
        return;
    if (st->timed_tail)
        st->timed_tail->next = m;
    else
        st->timed_head = m;
    while (m->next)
        m = m->next;
    st->timed_tail = m;
}

/* ------------------------------------------------------------------------- */
/* Engine states                                                              */
/* ------------------------------------------------------------------------- */

static void state_free(engine_state *st)
{
    if (!st)
        return;
    timed_free(st->timed_head);
    for (int i = 0; i < NN_SLOTS; i++) {
        free(st->slots[i].in);
        free(st->slots[i].out);
    }
    nn_resampler_free(st->rs);
    pthread_mutex_destroy(&st->model_lock);
    model_ref_release(st->ref);
    free(st);
}

static size_t in_len(const engine_state *st)
{
    return (size_t)st->batch * (size_t)(st->in_ch > 0 ? st->in_ch : 1) * (size_t)st->b;
}

static size_t out_len(const engine_state *st)
{
    return (size_t)st->batch * (size_t)(st->out_ch > 0 ? st->out_ch : 1) * (size_t)st->b;
}

/* Samples one block slot may hold (512 MiB of floats): batch x channels x B above it is
 * refused with a message, rather than left to an allocation that may overcommit. */
#define NN_MAX_SLOT_SAMPLES ((size_t)1 << 27)

static nn_status state_check_size(const engine_state *st, int b, nn_error *err)
{
    int ch = st->in_ch > st->out_ch ? st->in_ch : st->out_ch;
    size_t samples = (size_t)st->batch * (size_t)(ch > 0 ? ch : 1) * (size_t)b;
    if (samples <= NN_MAX_SLOT_SAMPLES)
        return NN_OK;
    return nn_error_set(err, NN_ERR_BUFFER_SIZE,
                        "batch %d x %d channels x buffer size %d = %zu samples per block, more than the %zu the "
                        "engine accepts (%.1f GiB per block): lower the buffer size or the batch",
                        st->batch, ch, b, samples, NN_MAX_SLOT_SAMPLES,
                        (double)samples * sizeof(float) / (1024.0 * 1024.0 * 1024.0));
}

static bool state_alloc_slots(engine_state *st)
{
    for (int i = 0; i < st->n_slots; i++) {
        float *in = calloc(in_len(st), sizeof(float));
        float *out = calloc(out_len(st), sizeof(float));
        if (!in || !out) {
            free(in);
            free(out);
            return false;
        }
        free(st->slots[i].in);
        free(st->slots[i].out);
        st->slots[i].in = in;
        st->slots[i].out = out;
    }
    return true;
}

/* Reset the audio-side bookkeeping so that the next sample starts block 0.
 * Blocks still in the inference thread's hands are cancelled or abandoned. */
static void state_restart(engine_state *st, uint64_t position)
{
    for (int i = 0; i < st->n_slots; i++) {
        engine_slot *slot = &st->slots[i];
        int expected = SLOT_QUEUED;
        if (atomic_compare_exchange_strong_explicit(&slot->status, &expected, SLOT_CANCELLED, memory_order_acq_rel,
                                                    memory_order_acquire))
            continue;
        if (expected == SLOT_RUNNING) {
            st->abandoned |= 1u << i;
        } else if (expected != SLOT_CANCELLED) {
            atomic_store_explicit(&slot->status, SLOT_FREE, memory_order_relaxed);
            st->abandoned &= ~(1u << i);
        }
    }
    st->acc = -1;
    for (int i = 0; i < st->n_slots && st->acc < 0; i++) {
        if (atomic_load_explicit(&st->slots[i].status, memory_order_acquire) == SLOT_FREE) {
            atomic_store_explicit(&st->slots[i].status, SLOT_FILLING, memory_order_relaxed);
            st->acc = i;
        }
    }
    st->expect = EXPECT_NONE;
    st->play = -1;
    st->in_pos = 0;
    st->out_pos = 0;
    /* The resampler's FIFOs hold audio from before: cleared before the next block runs. */
    atomic_store_explicit(&st->rs_reset, true, memory_order_relaxed);
    atomic_store_explicit(&st->first_start, position, memory_order_relaxed);
    atomic_store_explicit(&st->fill_start, position, memory_order_release);
}

/* Resolve D for vector size n at `rate`: the user's value, or for auto twice the
 * slowest timed run after warm-up plus one vector (runs of a warm model on silence,
 * alone, are quicker than the calls once audio runs; delay_shrink brings D down to
 * what the real calls take after the first quiet seconds), each rounded up to a
 * multiple of n and kept within [n, B]. Integer and float arithmetic only (the
 * audio thread adopts). */
static void state_set_delay(engine_state *st, int n, int rate)
{
    int d = st->b;
    if (st->mode == NN_STREAM_THREADED && st->delay_req != 0 && n > 0) {
        double want = st->delay_req > 0 ? (double)st->delay_req
                                         : ceil(AUTO_START_FACTOR * st->measured_s * (double)rate) + (double)n;
        double vectors = ceil(want / (double)n);
        d = vectors * n < (double)st->b ? (int)vectors * n : st->b;
        if (d < n)
            d = n;
    }
    st->delay = d;
    st->switch_at = n > 0 && d >= n ? (d - n) % st->b : 0;
}

/* (Re)build the resampler for B = st->b when the model runs at its own rate: the
 * model is called on blocks of B samples at its rate. Allocates. */
static nn_status state_resampler(engine_state *st, nn_error *err)
{
    nn_resampler_free(st->rs);
    st->rs = NULL;
    if (st->model_rate <= 0 || st->host_rate <= 0 || st->model_rate == st->host_rate)
        return NN_OK;
    return nn_resampler_new(st->host_rate, st->model_rate, st->batch, st->in_ch, st->out_ch, st->in_ratio,
                            st->out_ratio, st->b, st->b, &st->rs, err);
}

static int state_resampling(const engine_state *st)
{
    return nn_resampler_latency(st->rs);
}

static nn_status model_block(void *user, const float *in, float *out, nn_error *err)
{
    engine_state *st = user;
    return nn_model_run(st->ref->model, st->method, st->batch, st->b, in, out, err);
}

/* One engine block through the model, resampled when the model has its own rate.
 * Caller holds model_lock. */
static nn_status state_run(engine_state *st, const float *in, float *out, nn_error *err)
{
    if (!st->rs)
        return model_block(st, in, out, err);
    /* Relaxed is enough: the block's hand-off (ring push, release) follows the restart. */
    if (atomic_exchange_explicit(&st->rs_reset, false, memory_order_relaxed))
        nn_resampler_reset(st->rs);
    nn_error_clear(err);
    return nn_resampler_block(st->rs, in, out, model_block, st, err);
}

/* Whether B works with vector size n; in synchronous mode with a user buffer
 * size of 0 the block is resized to the least common multiple of the largest
 * ratio and n (this allocates: synchronous mode is not real-time safe). */
static nn_status state_fit(engine_state *st, int n, int rate, uint64_t position, nn_error *err)
{
    st->fits = false;
    state_set_delay(st, n, rate);
    if (n <= 0)
        return nn_error_set(err, NN_ERR_BUFFER_SIZE, "the stream is not prepared (no vector size)");
    if (st->mode == NN_STREAM_SYNCHRONOUS && st->requested == 0) {
        int b = lcm_capped(st->base_b, n);
        if (b < 0)
            return nn_error_set(err, NN_ERR_BUFFER_SIZE, "vector size %d gives a buffer size above %d", n,
                                NN_MAX_BUFFER_SIZE);
        if (b != st->b) {
            nn_status size_status = state_check_size(st, b, err);
            if (size_status != NN_OK)
                return size_status;
            int old_b = st->b;
            st->b = b;
            if (!state_alloc_slots(st)) {
                /* The slots keep their old size, so B must too. */
                st->b = old_b;
                return nn_error_set(err, NN_ERR_NO_MEMORY, "cannot allocate %d-sample blocks", b);
            }
            nn_status status = state_resampler(st, err);
            if (status != NN_OK)
                return status;
            state_restart(st, position);
        }
    }
    if (st->b % n != 0)
        return nn_error_set(err, NN_ERR_BUFFER_SIZE,
                            "buffer size %d is not a multiple of the vector size %d; the stream outputs silence "
                            "(choose a buffer size that is a multiple of %d)",
                            st->b, n, n);
    state_set_delay(st, n, rate);
    st->fits = true;
    return NN_OK;
}

/* Build a state for `method` of `ref`'s model: resolve B, allocate, warm up.
 * Control thread. Takes a reference on `ref` only on success. */
static nn_status state_build(nn_stream *s, model_ref *ref, int method, int requested, engine_state **out, nn_error *err)
{
    *out = NULL;
    nn_model *model = ref->model;
    const nn_method_info *info = nn_model_method(model, method);
    if (!info)
        return nn_error_set(err, NN_ERR_UNKNOWN_METHOD, "%s: no method with index %d", nn_model_path(model), method);
    int base_b = 0;
    bool synchronous = false, raised = false;
    nn_status status =
        nn_buffer_size_resolve(requested, nn_model_max_ratio(model), &base_b, &synchronous, &raised, err);
    if (status != NN_OK)
        return status;

    engine_state *st = calloc(1, sizeof *st);
    if (!st)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory building the stream");
    pthread_mutex_init(&st->model_lock, NULL);
    st->method = method;
    st->in_ch = info->in_channels;
    st->out_ch = info->out_channels;
    st->in_ratio = info->in_ratio > 0 ? info->in_ratio : 1;
    st->out_ratio = info->out_ratio > 0 ? info->out_ratio : 1;
    st->batch = s->batch;
    st->requested = requested;
    st->base_b = base_b;
    st->b = base_b;
    st->delay_req = s->delay_req;
    st->mode = (synchronous || s->base_mode == NN_STREAM_SYNCHRONOUS) ? NN_STREAM_SYNCHRONOUS : s->base_mode;
    st->n_slots = st->mode == NN_STREAM_SYNCHRONOUS ? 1 : NN_SLOTS;
    atomic_init(&st->retired, false);
    atomic_init(&st->fill_start, POSITION_UNKNOWN);
    atomic_init(&st->first_start, POSITION_UNKNOWN);
    atomic_init(&st->delay_hint, 0);
    atomic_init(&st->shrink_hint, 0);
    st->shrink_wait = SHRINK_WAIT_S;
    atomic_init(&st->rs_reset, false);
    st->next_run = POSITION_UNKNOWN;
    for (int i = 0; i < NN_SLOTS; i++)
        atomic_init(&st->slots[i].status, SLOT_FREE);

    int n = atomic_load(&s->vector_size);
    if (st->mode == NN_STREAM_SYNCHRONOUS && requested == 0 && n > 0) {
        st->b = lcm_capped(base_b, n);
        if (st->b < 0) {
            state_free(st);
            return nn_error_set(err, NN_ERR_BUFFER_SIZE, "vector size %d gives a buffer size above %d", n,
                                NN_MAX_BUFFER_SIZE);
        }
    }
    if (st->b % st->in_ratio != 0 || st->b % st->out_ratio != 0) {
        int b = st->b;
        state_free(st);
        return nn_error_set(err, NN_ERR_BUFFER_SIZE, "buffer size %d is not a multiple of method '%s' ratios (%d, %d)",
                            b, info->name, info->in_ratio, info->out_ratio);
    }
    /* Built anyway: the host may change its vector size (prepare) to one
     * that fits, and until then the stream is silent. */
    if (n > 0 && st->b % n != 0) {
        char message[NN_ERROR_MESSAGE_SIZE];
        snprintf(message, sizeof message,
                 "buffer size %d is not a multiple of the vector size %d; the stream outputs silence (choose a "
                 "multiple of %d)",
                 st->b, n, n);
        event_error(s, NN_ERR_BUFFER_SIZE, message);
    }
    nn_status size_status = state_check_size(st, st->b, err);
    if (size_status != NN_OK) {
        state_free(st);
        return size_status;
    }
    if (!state_alloc_slots(st)) {
        state_free(st);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "cannot allocate %d-sample blocks", base_b);
    }
    st->ref = model_ref_retain(ref);

    int sample_rate = atomic_load(&s->sample_rate);
    if (sample_rate > 0) {
        /* A model that declares its own rate runs at it, resampled (docs/engine.md). */
        int declared = nn_model_declared_sample_rate(model);
        int rate = s->resample && declared > 0 ? declared : sample_rate;
        nn_error rate_err;
        if (nn_model_set_sample_rate(model, rate, &rate_err) != NN_OK) {
            int own = nn_model_sample_rate(model); /* a refusal may name the rate it wants */
            if (s->resample && own > 0 && own != rate)
                rate = own;
            else
                event_error(s, rate_err.status, rate_err.message);
        }
        st->host_rate = sample_rate;
        st->model_rate = rate;
        nn_error rs_err;
        if (state_resampler(st, &rs_err) != NN_OK) {
            event_error(s, rs_err.status, rs_err.message);
            st->model_rate = sample_rate;
        }
    }
    /* Warm-up: TorchScript's profiling executor specialises a method on its
     * first runs, so two runs on silence here keep that cost off the first
     * real blocks. The model state (streaming caches) afterwards is that of a
     * model that heard silence, which for causal streaming models is the same
     * as a fresh start. A failure here is reported when the block runs. */
    for (int i = 0; i < 2; i++) {
        nn_error warm_err;
        nn_model_run(model, method, st->batch, st->b, st->slots[0].in, st->slots[0].out, &warm_err);
    }
    if (st->mode == NN_STREAM_THREADED && st->delay_req < 0) {
        /* Auto delay: the slowest of a few timed runs, here where the model is warm. */
        for (int i = 0; i < 8; i++) {
            nn_error run_err;
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            nn_model_run(model, method, st->batch, st->b, st->slots[0].in, st->slots[0].out, &run_err);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
            if (took > st->measured_s)
                st->measured_s = took;
        }
    }
    memset(st->slots[0].out, 0, out_len(st) * sizeof(float));

    if (raised) {
        char message[256];
        snprintf(message, sizeof message, "buffer size %d is smaller than the model's largest ratio, switching to %d",
                 requested, base_b);
        event_push(s, NN_EVENT_INFO, NN_OK, message, -1, NULL, NULL, -1);
    }
    st->acc = 0;
    atomic_store_explicit(&st->slots[0].status, SLOT_FILLING, memory_order_relaxed);
    st->expect = EXPECT_NONE;
    st->play = -1;
    st->fits = n > 0 && st->b % n == 0;
    state_set_delay(st, n, sample_rate);
    *out = st;
    return NN_OK;
}

/* Hand a state the audio thread will never see (again) to the control thread,
 * which frees it. Inference thread. */
static void graveyard_add(nn_stream *s, engine_state *st)
{
    pthread_mutex_lock(&s->lock);
    if (s->graveyard_count < (int)NN_RING_CAPACITY) {
        s->graveyard[s->graveyard_count++] = st;
        st = NULL;
    }
    pthread_cond_signal(&s->command_cond);
    pthread_mutex_unlock(&s->lock);
    state_free(st); /* only when the graveyard is full: rare, and not on the audio thread */
}

/* Apply one timed message to the state's model. Caller holds model_lock. */
static void timed_apply(nn_stream *s, engine_state *st, const timed_msg *m)
{
    nn_model *model = st->ref->model;
    nn_error err;
    nn_error_clear(&err);
    if (m->kind == TIMED_RATE) {
        /* A model at its own rate keeps it; CMD_RESAMPLE builds a state for the new rate. */
        if (st->model_rate > 0 && st->model_rate != st->host_rate)
            return;
        if (nn_model_set_sample_rate(model, m->rate, &err) != NN_OK)
            event_error(s, err.status, err.message);
        return;
    }
    int attribute = nn_model_attribute_find(model, m->attribute);
    if (attribute < 0) {
        nn_error_set(&err, NN_ERR_UNKNOWN_ATTRIBUTE, "%s has no attribute '%s'", nn_model_path(model), m->attribute);
        event_error(s, err.status, err.message);
        return;
    }
    nn_value_list values = {0, NULL};
    nn_status status = m->kind == TIMED_SET ? nn_model_attribute_set(model, attribute, m->values, m->count, &err)
                                            : nn_model_attribute_get(model, attribute, &values, &err);
    if (status != NN_OK) {
        nn_value_list_clear(&values);
        event_push(s, NN_EVENT_ERROR, status, err.message, attribute, NULL, NULL, -1);
    } else if (m->kind == TIMED_SET) {
        event_push(s, NN_EVENT_ATTRIBUTE_SET, NN_OK, m->attribute, attribute, NULL, NULL, -1);
    } else {
        event_push(s, NN_EVENT_ATTRIBUTE_VALUE, NN_OK, m->attribute, attribute, &values, NULL, -1);
    }
}

/* Apply, in order, the messages sent at or before `start`: called just before the
 * model call for the block that starts there, or by the control thread with the
 * earliest start the next model call can have. Caller holds model_lock, so the
 * messages popped here are applied before any other thread sees the model. Never
 * called on the audio thread in THREADED mode. */
static void timed_apply_due(nn_stream *s, engine_state *st, uint64_t start)
{
    pthread_mutex_lock(&s->lock);
    timed_msg *due = NULL, **link = &due;
    while (st->timed_head && st->timed_head->at <= start) {
        timed_msg *m = st->timed_head;
        st->timed_head = m->next;
        m->next = NULL;
        *link = m;
        link = &m->next;
    }
    if (!st->timed_head)
        st->timed_tail = NULL;
    pthread_mutex_unlock(&s->lock);
    for (timed_msg *m = due; m; m = m->next)
        timed_apply(s, st, m);
    timed_free(due);
}

/* Control thread: apply at once the messages that every future model call of `st`
 * must see. When every block handed off so far has been run, the next call is for
 * the block being filled or a later one; otherwise it is for the oldest block not
 * run yet, which starts no earlier than the block after the last one run (or, if
 * none has run since the state was adopted, its first block). A message sent at or
 * before that start is due now; one sent after it waits for the thread that runs
 * the blocks. */
static void timed_apply_ready(nn_stream *s, engine_state *st)
{
    pthread_mutex_lock(&st->model_lock);
    uint64_t fill = atomic_load_explicit(&st->fill_start, memory_order_acquire);
    /* The audio thread counts a job before it publishes the next fill start. */
    uint64_t submitted = atomic_load_explicit(&s->jobs_submitted, memory_order_acquire);
    uint64_t finished = atomic_load_explicit(&s->jobs_finished, memory_order_acquire);
    uint64_t next = fill;
    if (fill != POSITION_UNKNOWN && finished < submitted) {
        uint64_t oldest =
            st->next_run != POSITION_UNKNOWN ? st->next_run : atomic_load_explicit(&st->first_start, memory_order_acquire);
        if (oldest < next)
            next = oldest;
    }
    timed_apply_due(s, st, next);
    pthread_mutex_unlock(&st->model_lock);
}

/* ------------------------------------------------------------------------- */
/* Audio side                                                                 */
/* ------------------------------------------------------------------------- */

static void publish_queries(nn_stream *s, const engine_state *st)
{
    int n = atomic_load_explicit(&s->vector_size, memory_order_relaxed);
    atomic_store_explicit(&s->q_buffer_size, st->b, memory_order_relaxed);
    atomic_store_explicit(&s->q_mode, (int)st->mode, memory_order_relaxed);
    atomic_store_explicit(&s->q_delay, st->mode == NN_STREAM_SYNCHRONOUS ? 0 : st->delay, memory_order_relaxed);
    /* A state built before the host's rate was known runs the model at whatever rate
     * prepare then gives it (TIMED_RATE). */
    int host_rate = atomic_load_explicit(&s->sample_rate, memory_order_relaxed);
    atomic_store_explicit(&s->q_model_rate, st->model_rate > 0 ? st->model_rate : host_rate, memory_order_relaxed);
    atomic_store_explicit(&s->q_latency,
                          st->fits ? latency_of(st->mode, st->b, st->delay, n, state_resampling(st)) : -1,
                          memory_order_relaxed);
}

/* Take the published state, if any, and retire the current one. RT-safe in
 * THREADED mode: the only side effects are atomics and a ring push. */
static engine_state *adopt(nn_stream *s)
{
    if (!atomic_load_explicit(&s->next_state, memory_order_acquire))
        return s->current;
    /* Room for the retirement and the first job, checked before taking the
     * state so that a taken state always has a way back to the worker. */
    if (s->current && nn_ring_space(&s->msgs) < 2)
        return s->current;
    engine_state *next = atomic_exchange_explicit(&s->next_state, NULL, memory_order_acq_rel);
    if (!next)
        return s->current;
    engine_state *old = s->current;
    if (old) {
        atomic_store_explicit(&old->retired, true, memory_order_relaxed);
        nn_ring_push(&s->msgs, (nn_ring_msg){MSG_RETIRE, -1, old});
        sem_post(&s->wake);
    }
    int n = atomic_load_explicit(&s->vector_size, memory_order_relaxed);
    next->fits = n > 0 && next->b % n == 0;
    state_set_delay(next, n, atomic_load_explicit(&s->sample_rate, memory_order_relaxed));
    atomic_store_explicit(&next->first_start, s->position, memory_order_relaxed);
    atomic_store_explicit(&next->fill_start, s->position, memory_order_release);
    s->current = next;
    publish_queries(s, next);
    return next;
}

static void offline_wait_commands(nn_stream *s)
{
    if (atomic_load_explicit(&s->pending, memory_order_acquire) == 0)
        return;
    pthread_mutex_lock(&s->lock);
    while (atomic_load_explicit(&s->pending, memory_order_acquire) > 0)
        pthread_cond_wait(&s->changed, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

static void offline_wait_slot(nn_stream *s, engine_slot *slot)
{
    int status = atomic_load_explicit(&slot->status, memory_order_acquire);
    if (status == SLOT_DONE)
        return;
    pthread_mutex_lock(&s->lock);
    while ((status = atomic_load_explicit(&slot->status, memory_order_acquire)) == SLOT_QUEUED ||
           status == SLOT_RUNNING)
        pthread_cond_wait(&s->changed, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

static void run_synchronous(nn_stream *s, engine_state *st)
{
    nn_error err;
    uint64_t start = atomic_load_explicit(&st->fill_start, memory_order_relaxed);
    pthread_mutex_lock(&st->model_lock);
    timed_apply_due(s, st, start);
    nn_status status = state_run(st, st->slots[0].in, st->slots[0].out, &err);
    st->next_run = start + (uint64_t)st->b;
    pthread_mutex_unlock(&st->model_lock);
    atomic_fetch_add_explicit(&s->blocks, 1, memory_order_relaxed);
    if (status != NN_OK && !st->run_failed)
        event_error(s, status, err.message);
    st->run_failed = status != NN_OK;
    st->play = 0;
}

static void run_job(nn_stream *s, engine_state *st, int index);

/* A block of B input samples is complete. */
/* The output cursor reached the point where the next result starts playing:
 * `switch_at` samples into an input block, i.e. D - n samples after the previous
 * block was handed off (D = B by default: at the last vector of the next block).
 * A result that is not ready plays as silence and counts as one overrun. */
/* An auto delay of `want` samples as D: rounded up to a multiple of n, within [n, B]. */
static int delay_round(int want, int n, int b)
{
    int d = (want + n - 1) / n * n;
    return d < n ? n : d > b ? b : d;
}

/* Auto delay: move to a larger D asked for by the inference thread's measurements
 * or by an overrun. At the old switch point the new one is still ahead in this
 * block: the playing block runs out and the gap until the new point is silence
 * (a deliberate latency change, not an overrun). Returns whether D grew. */
static bool delay_grow(nn_stream *s, engine_state *st)
{
    if (st->delay_req >= 0 || st->mode != NN_STREAM_THREADED)
        return false;
    int want = atomic_load_explicit(&st->delay_hint, memory_order_relaxed);
    if (st->bump > want)
        want = st->bump;
    int n = atomic_load_explicit(&s->vector_size, memory_order_relaxed);
    if (want <= st->delay || n <= 0)
        return false;
    int d = delay_round(want, n, st->b);
    if (d <= st->delay)
        return false;
    st->delay = d;
    st->switch_at = (d - n) % st->b;
    st->calm = 0;
    publish_queries(s, st);
    atomic_fetch_add_explicit(&s->delay_moves, 1, memory_order_relaxed);
    return true;
}

/* Auto delay, after a quiet stretch: move down to the slowest recent time + one vector
 * when that gains at least one vector. At this switch the result `st->play`
 * has just been taken; it plays from sample `skip` = old D - new D instead of 0, so
 * the next switch, `skip` samples earlier in the next block, finds out_pos at B. The
 * samples skipped are crossfaded into the ones that follow (at most 256, at most
 * `skip`, so that no sample read has been written), so the jump in the model's output
 * does not click. Audio thread; no allocation, no lock. */
static void delay_shrink(nn_stream *s, engine_state *st)
{
    int rate = atomic_load_explicit(&s->sample_rate, memory_order_relaxed);
    int n = atomic_load_explicit(&s->vector_size, memory_order_relaxed);
    if (st->delay_req >= 0 || st->mode != NN_STREAM_THREADED || st->play < 0 || n <= 0 || rate <= 0 ||
        st->calm < (int64_t)st->shrink_wait * rate)
        return;
    int hint = atomic_load_explicit(&st->shrink_hint, memory_order_relaxed);
    if (hint <= 0)
        return;
    int d = delay_round(hint, n, st->b);
    if (d > st->delay - n)
        return;
    int skip = st->delay - d;
    int fade = skip < 256 ? skip : 256;
    if (fade > st->b - skip)
        fade = st->b - skip;
    float *out = st->slots[st->play].out;
    for (int c = 0; c < st->batch * st->out_ch; c++) {
        float *y = out + (size_t)c * (size_t)st->b;
        for (int i = 0; i < fade; i++) {
            float w = (float)(i + 1) / (float)(fade + 1);
            y[skip + i] = (1.0f - w) * y[i] + w * y[skip + i];
        }
    }
    st->out_pos = skip;
    st->delay = d;
    st->switch_at = d - n;
    st->bump = 0;
    st->calm = 0;
    publish_queries(s, st);
    atomic_fetch_add_explicit(&s->delay_moves, 1, memory_order_relaxed);
}

static void late(nn_stream *s, engine_state *st)
{
    /* A shed stream is silent anyway: a block its inference thread has not turned away
     * in time (a starved thread leaves slots cancelled but not yet free) is no overrun. */
    if (nn_pool_shed(s->member))
        return;
    atomic_fetch_add_explicit(&s->overruns, 1, memory_order_relaxed);
    if (st->delay_req < 0) {
        st->bump = st->delay + atomic_load_explicit(&s->vector_size, memory_order_relaxed);
        st->calm = 0;
        if (st->shrink_wait < SHRINK_WAIT_MAX_S)
            st->shrink_wait *= 2;
    }
}

static void play_next(nn_stream *s, engine_state *st)
{
    if (delay_grow(s, st))
        return;
    st->out_pos = 0;
    for (int i = 0; i < st->n_slots; i++) {
        int status = atomic_load_explicit(&st->slots[i].status, memory_order_acquire);
        if ((st->abandoned & (1u << i)) && (status == SLOT_DONE || status == SLOT_SHED)) {
            atomic_store_explicit(&st->slots[i].status, SLOT_FREE, memory_order_relaxed);
            st->abandoned &= ~(1u << i);
        }
    }
    if (st->play >= 0) {
        atomic_store_explicit(&st->slots[st->play].status, SLOT_FREE, memory_order_relaxed);
        st->play = -1;
    }
    if (st->expect >= 0) {
        engine_slot *slot = &st->slots[st->expect];
        if (st->mode == NN_STREAM_OFFLINE)
            offline_wait_slot(s, slot);
        int expected = SLOT_QUEUED;
        if (atomic_compare_exchange_strong_explicit(&slot->status, &expected, SLOT_CANCELLED, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            late(s, st); /* not counted when the stream is shed */
        } else if (expected == SLOT_DONE) {
            atomic_store_explicit(&slot->status, SLOT_PLAYING, memory_order_relaxed);
            st->play = st->expect;
            delay_shrink(s, st);
        } else if (expected == SLOT_SHED) {
            atomic_store_explicit(&slot->status, SLOT_FREE, memory_order_relaxed);
        } else {
            st->abandoned |= 1u << st->expect;
            late(s, st);
        }
    } else if (st->expect == EXPECT_DROPPED) {
        late(s, st);
    }
    st->expect = EXPECT_NONE;
}

/* A block of B input samples is complete: adopt a published state, or hand the
 * block over (run it, in SYNCHRONOUS and OFFLINE mode). */
static engine_state *boundary(nn_stream *s, engine_state *st)
{
    st->in_pos = 0;
    engine_state *next = adopt(s);
    if (next != st)
        return next; /* a synchronous state that needs resizing is resized by the next call */
    if (st->mode == NN_STREAM_SYNCHRONOUS) {
        run_synchronous(s, st);
        st->out_pos = 0;
        atomic_store_explicit(&st->fill_start, s->position, memory_order_release);
        return st;
    }

    st->expect = EXPECT_DROPPED;
    if (st->acc >= 0)
        st->slots[st->acc].start = atomic_load_explicit(&st->fill_start, memory_order_relaxed);
    if (st->acc >= 0 && st->mode == NN_STREAM_OFFLINE) {
        /* Offline, this thread would only wait for the inference thread: running the block
         * here gives the same output (played one block later, so the latency stays 2B - n)
         * without two thread hand-offs per block. */
        atomic_store_explicit(&st->slots[st->acc].status, SLOT_QUEUED, memory_order_relaxed);
        run_job(s, st, st->acc);
        st->expect = st->acc;
    } else if (st->acc >= 0) {
        engine_slot *slot = &st->slots[st->acc];
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now); /* vDSO, no system call: RT-safe */
        slot->handed = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
        int rate = atomic_load_explicit(&s->sample_rate, memory_order_relaxed);
        int n = atomic_load_explicit(&s->vector_size, memory_order_relaxed);
        slot->due = slot->handed + (rate > 0 ? (double)(st->delay - n) / (double)rate : 0.0);
        atomic_store_explicit(&slot->status, SLOT_QUEUED, memory_order_relaxed);
        if (nn_ring_push(&s->msgs, (nn_ring_msg){MSG_JOB, st->acc, st})) {
            st->expect = st->acc;
            atomic_fetch_add_explicit(&s->jobs_submitted, 1, memory_order_relaxed);
            sem_post(&s->wake);
        } else {
            atomic_store_explicit(&slot->status, SLOT_FREE, memory_order_relaxed);
        }
    }
    /* After the hand-off (release): a thread that sees the new start sees the job counted. */
    atomic_store_explicit(&st->fill_start, s->position, memory_order_release);
    st->acc = -1;
    for (int i = 0; i < st->n_slots; i++) {
        if (!(st->abandoned & (1u << i)) &&
            atomic_load_explicit(&st->slots[i].status, memory_order_acquire) == SLOT_FREE) {
            atomic_store_explicit(&st->slots[i].status, SLOT_FILLING, memory_order_relaxed);
            st->acc = i;
            break;
        }
    }
    return st;
}

static void write_zeros(float *const *outputs, int n_outputs, int offset, int count)
{
    if (!outputs)
        return;
    for (int i = 0; i < n_outputs; i++)
        if (outputs[i])
            memset(outputs[i] + offset, 0, (size_t)count * sizeof(float));
}

static void copy_inputs(const engine_state *st, const float *const *inputs, int n_inputs, int offset, int count)
{
    if (st->acc < 0)
        return;
    float *block = st->slots[st->acc].in;
    int host_channels = inputs && n_inputs > 0 ? n_inputs / st->batch : 0;
    for (int b = 0; b < st->batch; b++) {
        for (int c = 0; c < st->in_ch; c++) {
            float *dst = block + ((size_t)b * (size_t)st->in_ch + (size_t)c) * (size_t)st->b + (size_t)st->in_pos;
            const float *src = c < host_channels ? inputs[b * host_channels + c] : NULL;
            if (src)
                memcpy(dst, src + offset, (size_t)count * sizeof(float));
            else
                memset(dst, 0, (size_t)count * sizeof(float));
        }
    }
}

static void copy_outputs(const engine_state *st, float *const *outputs, int n_outputs, int offset, int count)
{
    if (!outputs || n_outputs <= 0)
        return;
    int host_channels = n_outputs / st->batch;
    int avail = st->b - st->out_pos;
    int take = count < avail ? count : avail;
    if (take < 0)
        take = 0;
    const float *block = st->play >= 0 ? st->slots[st->play].out : NULL;
    for (int b = 0; b < st->batch; b++) {
        for (int c = 0; c < host_channels; c++) {
            float *dst = outputs[b * host_channels + c];
            if (!dst)
                continue;
            dst += offset;
            if (block && c < st->out_ch) {
                memcpy(dst, block + ((size_t)b * (size_t)st->out_ch + (size_t)c) * (size_t)st->b + (size_t)st->out_pos,
                       (size_t)take * sizeof(float));
                memset(dst + take, 0, (size_t)(count - take) * sizeof(float));
            } else {
                memset(dst, 0, (size_t)count * sizeof(float));
            }
        }
    }
    /* Pointers past batch * host_channels (n_outputs not a multiple of the
     * batch) are still outputs the host will play. */
    for (int i = st->batch * host_channels; i < n_outputs; i++)
        if (outputs[i])
            memset(outputs[i] + offset, 0, (size_t)count * sizeof(float));
}

/* The part of a call that may wait (OFFLINE) or allocate (SYNCHRONOUS);
 * in THREADED mode it only adopts a published state, which is RT-safe. */
static engine_state *call_state(nn_stream *s)
{
    if (s->base_mode == NN_STREAM_OFFLINE) {
        offline_wait_commands(s);
        adopt(s);
    }
    engine_state *st = s->current;
    if (!st || !st->fits)
        st = adopt(s);
    if (st && st->mode == NN_STREAM_SYNCHRONOUS && !st->fits) {
        state_fit(st, atomic_load_explicit(&s->vector_size, memory_order_relaxed),
                  atomic_load_explicit(&s->sample_rate, memory_order_relaxed), s->position, NULL);
        publish_queries(s, st);
    }
    return st;
}

static void process_body(nn_stream *s, engine_state *st, const float *const *inputs, int n_inputs,
                         float *const *outputs, int n_outputs, int n)
{
    if (!st || !st->fits || n > atomic_load_explicit(&s->vector_size, memory_order_relaxed)) {
        write_zeros(outputs, n_outputs, 0, n);
        s->position += (uint64_t)n;
        return;
    }
    int done = 0;
    while (done < n) {
        if (st->mode != NN_STREAM_SYNCHRONOUS && st->in_pos == st->switch_at)
            play_next(s, st);
        int count = n - done;
        if (count > st->b - st->in_pos)
            count = st->b - st->in_pos;
        if (st->mode != NN_STREAM_SYNCHRONOUS && st->in_pos < st->switch_at && count > st->switch_at - st->in_pos)
            count = st->switch_at - st->in_pos;
        copy_inputs(st, inputs, n_inputs, done, count);
        st->in_pos += count;
        st->calm += count;
        s->position += (uint64_t)count;
        if (st->in_pos == st->b)
            st = boundary(s, st);
        copy_outputs(st, outputs, n_outputs, done, count);
        st->out_pos += count;
        done += count;
    }
}

void nn_stream_process(nn_stream *s, const float *const *inputs, int n_inputs, float *const *outputs, int n_outputs,
                       int n)
{
    if (n <= 0)
        return;
    if (!s || !atomic_load_explicit(&s->enabled, memory_order_relaxed)) {
        write_zeros(outputs, n_outputs, 0, n);
        if (s)
            s->paused = true;
        return;
    }
    engine_state *st = call_state(s);
    if (s->paused) {
        /* Enabled again: start a new block here, so that the first model call is for
         * a block that starts after the message (the paused block is dropped). */
        s->paused = false;
        if (st)
            state_restart(st, s->position);
    }
#ifdef NN_RTSAN
    bool realtime = st && st->mode == NN_STREAM_THREADED;
    if (realtime)
        __rtsan_realtime_enter();
#endif
    process_body(s, st, inputs, n_inputs, outputs, n_outputs, n);
    atomic_store_explicit(&s->q_position, s->position, memory_order_release);
#ifdef NN_RTSAN
    if (realtime)
        __rtsan_realtime_exit();
#endif
}

/* ------------------------------------------------------------------------- */
/* Inference thread                                                           */
/* ------------------------------------------------------------------------- */

static int float_compare(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Inference thread (or OFFLINE's calling thread). */
static void compute_record(nn_stream *s, double seconds)
{
    pthread_mutex_lock(&s->lock);
    s->compute[s->compute_next] = (float)seconds;
    s->compute_next = (s->compute_next + 1) % NN_COMPUTE_HISTORY;
    s->compute_count++;
    pthread_mutex_unlock(&s->lock);
}

/* Auto delay, inference thread: every 16 blocks, the p99 of the last 128 times
 * from hand-off to DONE (plus one vector, as at build) becomes the hint the audio
 * thread moves up to at once, and their maximum (plus one vector) the one it moves
 * down to after a quiet stretch. */
static void delay_hint_update(nn_stream *s, engine_state *st, double took)
{
    enum { WINDOW = 128, EVERY = 16 };
    st->recent[st->recent_count % WINDOW] = (float)took;
    st->recent_count++;
    if (st->recent_count % EVERY != 0)
        return;
    int kept = st->recent_count < WINDOW ? st->recent_count : WINDOW;
    float sorted[WINDOW];
    memcpy(sorted, st->recent, (size_t)kept * sizeof *sorted);
    qsort(sorted, (size_t)kept, sizeof *sorted, float_compare);
    double p99 = sorted[(int)ceil(0.99 * kept) - 1];
    int n = atomic_load_explicit(&s->vector_size, memory_order_relaxed);
    int rate = atomic_load_explicit(&s->sample_rate, memory_order_relaxed);
    atomic_store_explicit(&st->delay_hint, (int)ceil(p99 * (double)rate) + n, memory_order_relaxed);
    atomic_store_explicit(&st->shrink_hint, (int)ceil(sorted[kept - 1] * (double)rate) + n, memory_order_relaxed);
}

/* THREADED with the pool: wait for a turn. False when the stream is shed: the block
 * is then marked SHED (silence, not an overrun) without running. */
static bool pool_turn(nn_stream *s, engine_state *st, engine_slot *slot)
{
    uint64_t overruns = atomic_load_explicit(&s->overruns, memory_order_relaxed);
    bool missed = overruns != s->pool_overruns;
    s->pool_overruns = overruns;
    int rate = atomic_load_explicit(&s->sample_rate, memory_order_relaxed);
    double period = rate > 0 ? (double)st->b / (double)rate : 0.0;
    if (nn_pool_acquire(s->member, slot->due, period, missed) == NN_POOL_RUN)
        return true;
    int expected = SLOT_QUEUED;
    if (!atomic_compare_exchange_strong_explicit(&slot->status, &expected, SLOT_SHED, memory_order_acq_rel,
                                                 memory_order_acquire) &&
        expected == SLOT_CANCELLED)
        atomic_store_explicit(&slot->status, SLOT_FREE, memory_order_release);
    return false;
}

static void run_job(nn_stream *s, engine_state *st, int index)
{
    engine_slot *slot = &st->slots[index];
    if (atomic_load_explicit(&st->retired, memory_order_relaxed))
        return;
    nn_pool_member *member = st->mode == NN_STREAM_THREADED ? s->member : NULL;
    if (member && !pool_turn(s, st, slot))
        return;
    int expected = SLOT_QUEUED;
    /* Retired or cancelled while it waited for its turn: late work is dropped, not run. */
    if ((member && atomic_load_explicit(&st->retired, memory_order_relaxed)) ||
        !atomic_compare_exchange_strong_explicit(&slot->status, &expected, SLOT_RUNNING, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        if (member)
            nn_pool_release(member, false, 0.0);
        if (expected == SLOT_CANCELLED)
            atomic_store_explicit(&slot->status, SLOT_FREE, memory_order_release);
        return;
    }
    nn_error err;
    struct timespec t0, t1;
    pthread_mutex_lock(&st->model_lock);
    timed_apply_due(s, st, slot->start);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nn_status status = state_run(st, slot->in, slot->out, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st->next_run = slot->start + (uint64_t)st->b;
    pthread_mutex_unlock(&st->model_lock);
    double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (member)
        nn_pool_release(member, true, took);
    compute_record(s, took);
    /* Auto delay: what D must cover is the hand-off to DONE, which also holds the time
     * this thread waited for a core and for the model's lock, not the model call alone. */
    if (st->mode == NN_STREAM_THREADED && st->delay_req < 0)
        delay_hint_update(s, st, (double)t1.tv_sec + 1e-9 * (double)t1.tv_nsec - slot->handed);
    if (status != NN_OK && !st->run_failed)
        event_error(s, status, err.message);
    st->run_failed = status != NN_OK;
    /* Release: the output block is complete before the audio thread sees DONE. */
    atomic_store_explicit(&slot->status, SLOT_DONE, memory_order_release);
    /* Counted after DONE: whoever sees the count (acquire) sees the block ready to play. */
    atomic_fetch_add_explicit(&s->blocks, 1, memory_order_release);
}

static void *runner_main(void *arg)
{
    nn_stream *s = arg;
    for (;;) {
        while (sem_wait(&s->wake) != 0 && errno == EINTR) {
        }
        nn_ring_msg msg;
        while (nn_ring_pop(&s->msgs, &msg)) {
            if (msg.kind == MSG_RETIRE) {
                graveyard_add(s, msg.ptr);
                continue;
            }
            run_job(s, msg.ptr, msg.slot);
            pthread_mutex_lock(&s->lock);
            atomic_fetch_add_explicit(&s->jobs_finished, 1, memory_order_release);
            pthread_cond_broadcast(&s->changed);
            pthread_mutex_unlock(&s->lock);
        }
        if (atomic_load(&s->quit))
            return NULL;
    }
}

/* ------------------------------------------------------------------------- */
/* Control thread                                                             */
/* ------------------------------------------------------------------------- */

static void publish(nn_stream *s, engine_state *st, const char *summary)
{
    /* From here on, timed messages go straight to the new state. Those queued while
     * the swap was being built (sent before it is published) are moved over first,
     * so that they land on its first block rather than whenever this thread gets
     * to them. */
    pthread_mutex_lock(&s->lock);
    s->target = st;
    if (s->running && s->running->swap) {
        s->running->swap = false;
        s->swaps_pending--;
    }
    for (command *c = s->cmd_head; c && c->kind == CMD_TIMED; c = c->next) {
        timed_append(st, c->msg);
        c->msg = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    /* The new state has not played: everything queued on it is due. */
    timed_apply_ready(s, st);
    engine_state *old = atomic_exchange_explicit(&s->next_state, st, memory_order_acq_rel);
    /* A state the audio thread never took can be freed here. */
    state_free(old);
    s->latest = st;
    event_push(s, NN_EVENT_LOADED, NN_OK, summary, -1, NULL, model_ref_retain(st->ref), st->method);
}

static void summary_of(const engine_state *st, char *buf, size_t size)
{
    const nn_method_info *info = nn_model_method(st->ref->model, st->method);
    snprintf(buf, size, "%s: method %s, %d in, %d out, buffer size %d%s", nn_model_path(st->ref->model),
             info ? info->name : "?", st->in_ch, st->out_ch, st->b,
             st->mode == NN_STREAM_SYNCHRONOUS ? " (synchronous)" : "");
}

/* Build and publish a state from a model the control thread owns a
 * reference to (released here). */
static void build_and_publish(nn_stream *s, model_ref *ref, int method, int requested, timed_msg *carry)
{
    engine_state *st = NULL;
    nn_error err;
    nn_error_clear(&err);
    nn_status status = state_build(s, ref, method, requested, &st, &err);
    if (status != NN_OK) {
        event_error(s, status, err.message);
        model_ref_release(ref);
        timed_free(carry);
        return;
    }
    timed_append(st, carry); /* st is not shared yet */
    const nn_method_info *info = nn_model_method(ref->model, method);
    char *name = nn_string_copy(info->name);
    if (name) {
        free(s->method_name);
        s->method_name = name;
    }
    s->requested = requested;
    char summary[NN_ERROR_MESSAGE_SIZE];
    summary_of(st, summary, sizeof summary);
    publish(s, st, summary);
    model_ref_release(ref);
}

/* A fresh copy of the newest model with what the user set on it. The file loads
 * without the model's lock (the old model may be playing); the lock is held only
 * while the values are read, together with the messages still waiting for a block
 * (sent before this swap, so the new state inherits them in `carry`). */
static model_ref *reload_latest(nn_stream *s, timed_msg **carry, nn_error *err)
{
    engine_state *old = s->latest;
    *carry = NULL;
    pthread_mutex_lock(&old->model_lock);
    nn_model_config config = nn_model_reload_config(old->ref->model);
    pthread_mutex_unlock(&old->model_lock);
    nn_model *model = NULL;
    if (nn_model_load(nn_model_path(old->ref->model), &config, &model, err) != NN_OK)
        return NULL;
    pthread_mutex_lock(&old->model_lock);
    nn_model_replay(model, old->ref->model);
    pthread_mutex_lock(&s->lock);
    timed_msg **tail;
    *carry = timed_copy_list(old->timed_head, &tail);
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_unlock(&old->model_lock);
    model_ref *ref = model_ref_new(model);
    if (!ref) {
        nn_model_free(model);
        nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    }
    return ref;
}

/* CMD_RESAMPLE (`on`: 0/1 switches resampling, -1 the host rate changed): whether the
 * newest state must be rebuilt, i.e. whether it resamples and should not, should and
 * does not, or does for another host rate. Control thread. */
static bool resample_matters(nn_stream *s, int on)
{
    if (on >= 0)
        s->resample = on != 0;
    const engine_state *st = s->latest;
    int host = atomic_load(&s->sample_rate);
    int declared = nn_model_declared_sample_rate(st->ref->model);
    bool want = s->resample && host > 0 && declared > 0 && declared != host;
    bool has = st->rs != NULL || (st->model_rate > 0 && st->model_rate != st->host_rate);
    return want != has || (has && st->host_rate != host);
}

static void run_command(nn_stream *s, command *cmd)
{
    nn_error err;
    nn_error_clear(&err);
    if (cmd->kind == CMD_INIT) {
        model_ref *ref = cmd->ref;
        cmd->ref = NULL;
        build_and_publish(s, ref, cmd->number, s->requested, NULL);
        return;
    }
    if (cmd->kind == CMD_TIMED) {
        if (cmd->msg) {
            /* Sent while a swap was queued and not moved at its publication (the swap
             * failed, or another one is still queued): it goes to the newest state. */
            if (!s->latest) {
                if (cmd->msg->kind != TIMED_RATE)
                    event_error(s, NN_ERR_INVALID_ARGUMENT, "no model is loaded");
                return;
            }
            pthread_mutex_lock(&s->lock);
            timed_append(s->latest, cmd->msg);
            cmd->msg = NULL;
            pthread_mutex_unlock(&s->lock);
        }
        if (s->latest)
            timed_apply_ready(s, s->latest);
        return;
    }
    if (cmd->kind == CMD_LOAD) {
        nn_model_config config = nn_model_config_default();
        config.sample_rate = atomic_load(&s->sample_rate);
        nn_model *model = NULL;
        if (nn_model_load(cmd->text, &config, &model, &err) != NN_OK) {
            event_error(s, err.status, err.message);
            return;
        }
        model_ref *ref = model_ref_new(model);
        if (!ref) {
            nn_model_free(model);
            event_error(s, NN_ERR_NO_MEMORY, "out of memory");
            return;
        }
        int method = s->method_name ? nn_model_method_find(model, s->method_name) : -1;
        if (method < 0 && nn_model_method_count(model) < 1) {
            event_error(s, NN_ERR_NOT_NN_MODEL, "the model has no method");
            model_ref_release(ref);
            return;
        }
        if (method < 0) {
            int fallback = nn_model_method_find(model, "forward");
            method = fallback >= 0 ? fallback : 0;
            char message[NN_ERROR_MESSAGE_SIZE];
            snprintf(message, sizeof message, "%s has no method '%s', using '%s'", cmd->text,
                     s->method_name ? s->method_name : "", nn_model_method(model, method)->name);
            event_push(s, NN_EVENT_INFO, NN_OK, message, -1, NULL, NULL, -1);
        }
        build_and_publish(s, ref, method, s->requested, NULL);
        return;
    }
    if (cmd->kind == CMD_RESAMPLE && !s->latest) {
        if (cmd->number >= 0)
            s->resample = cmd->number != 0;
        return;
    }
    if (!s->latest) {
        event_error(s, NN_ERR_INVALID_ARGUMENT, "no model is loaded");
        return;
    }
    nn_model *model = s->latest->ref->model;
    switch (cmd->kind) {
    case CMD_METHOD:
    case CMD_BUFFER_SIZE:
    case CMD_BATCH:
    case CMD_DELAY:
    case CMD_RESAMPLE:
    case CMD_RELOAD: {
        if (cmd->kind == CMD_RESAMPLE && !resample_matters(s, cmd->number))
            return;
        if (cmd->kind == CMD_BATCH)
            s->batch = cmd->number;
        if (cmd->kind == CMD_DELAY)
            s->delay_req = cmd->number;
        const char *name = cmd->kind == CMD_METHOD ? cmd->text : s->method_name;
        int method = nn_model_method_find(model, name);
        if (method < 0) {
            nn_error_set(&err, NN_ERR_UNKNOWN_METHOD, "%s has no method '%s'", nn_model_path(model), name);
            event_error(s, err.status, err.message);
            return;
        }
        int requested = cmd->kind == CMD_BUFFER_SIZE ? cmd->number : s->requested;
        /* A fresh copy of the model keeps streaming caches clean across the
         * swap and carries over the attribute values the user set. */
        timed_msg *carry = NULL;
        model_ref *ref = reload_latest(s, &carry, &err);
        if (!ref) {
            event_error(s, err.status, err.message);
            return;
        }
        build_and_publish(s, ref, method, requested, carry);
        return;
    }
    case CMD_INIT:
    case CMD_LOAD:
    case CMD_TIMED: break;
    }
}

static void command_free(command *cmd)
{
    if (!cmd)
        return;
    timed_free(cmd->msg);
    free(cmd->text);
    model_ref_release(cmd->ref);
    free(cmd);
}

static void bury_dead_states(nn_stream *s)
{
    engine_state *dead[NN_RING_CAPACITY];
    pthread_mutex_lock(&s->lock);
    int count = s->graveyard_count;
    memcpy(dead, s->graveyard, (size_t)count * sizeof dead[0]);
    s->graveyard_count = 0;
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < count; i++)
        state_free(dead[i]);
}

static void *controller_main(void *arg)
{
    nn_stream *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->cmd_head && s->graveyard_count == 0 && !atomic_load(&s->quit))
            pthread_cond_wait(&s->command_cond, &s->lock);
        command *cmd = s->cmd_head;
        if (cmd) {
            s->cmd_head = cmd->next;
            if (!s->cmd_head)
                s->cmd_tail = NULL;
        }
        bool quit = atomic_load(&s->quit);
        pthread_mutex_unlock(&s->lock);

        bury_dead_states(s);
        if (cmd) {
            s->running = cmd;
            if (!quit)
                run_command(s, cmd);
            s->running = NULL;
            if (cmd->kind == CMD_LOAD)
                atomic_fetch_sub(&s->pending_loads, 1);
            pthread_mutex_lock(&s->lock);
            if (cmd->swap)
                s->swaps_pending--;
            pthread_mutex_unlock(&s->lock);
            command_free(cmd);
            pthread_mutex_lock(&s->lock);
            atomic_fetch_sub_explicit(&s->pending, 1, memory_order_release);
            pthread_cond_broadcast(&s->changed);
            pthread_mutex_unlock(&s->lock);
        } else if (quit) {
            return NULL;
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Main-thread API                                                            */
/* ------------------------------------------------------------------------- */

nn_stream_config nn_stream_config_default(void)
{
    nn_stream_config config;
    memset(&config, 0, sizeof config);
    config.method = "forward";
    config.buffer_size = NN_DEFAULT_BUFFER_SIZE;
    config.mode = NN_STREAM_THREADED;
    config.batch = 1;
    config.resample = true;
    return config;
}

static void enqueue(nn_stream *s, command *cmd)
{
    atomic_fetch_add_explicit(&s->pending, 1, memory_order_acq_rel);
    if (cmd->kind == CMD_LOAD)
        atomic_fetch_add(&s->pending_loads, 1);
    pthread_mutex_lock(&s->lock);
    if (cmd->kind != CMD_TIMED) {
        cmd->swap = true;
        s->swaps_pending++;
    }
    if (s->cmd_tail)
        s->cmd_tail->next = cmd;
    else
        s->cmd_head = cmd;
    s->cmd_tail = cmd;
    pthread_cond_signal(&s->command_cond);
    pthread_mutex_unlock(&s->lock);
}

static command *command_new(command_kind kind, const char *text, int number);

/* Queue a timed message (main thread), stamped with the stream position: it lands
 * on the first model call for a block that starts at or after that position. With
 * no swap queued it goes straight onto the newest state, where the thread that
 * runs the blocks finds it; the control thread is only told, to apply it at once
 * when no block can come before it (e.g. before DSP starts). */
static nn_status submit_timed(nn_stream *s, timed_msg *m, nn_error *err)
{
    command *cmd = m ? command_new(CMD_TIMED, NULL, 0) : NULL;
    if (!cmd) {
        timed_free(m);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    }
    m->at = atomic_load_explicit(&s->q_position, memory_order_acquire);
    pthread_mutex_lock(&s->lock);
    if (s->swaps_pending == 0 && s->target)
        timed_append(s->target, m);
    else
        cmd->msg = m;
    pthread_mutex_unlock(&s->lock);
    enqueue(s, cmd);
    return NN_OK;
}

static command *command_new(command_kind kind, const char *text, int number)
{
    command *cmd = calloc(1, sizeof *cmd);
    if (!cmd)
        return NULL;
    cmd->kind = kind;
    cmd->number = number;
    if (text && !(cmd->text = nn_string_copy(text))) {
        free(cmd);
        return NULL;
    }
    return cmd;
}

nn_status nn_stream_new(nn_model *model, const nn_stream_config *config, nn_stream **out, nn_error *err)
{
    if (out)
        *out = NULL;
    if (!model || !out) {
        nn_model_free(model);
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_stream_new: NULL %s", model ? "result" : "model");
    }
    nn_stream_config cfg = config ? *config : nn_stream_config_default();
    const char *method_name = cfg.method ? cfg.method : "forward";
    int method = nn_model_method_find(model, method_name);
    nn_status status = NN_OK;
    if (method < 0)
        status = nn_error_set(err, NN_ERR_UNKNOWN_METHOD, "%s has no method '%s'", nn_model_path(model), method_name);
    else if (cfg.batch < 1 || cfg.batch > NN_MAX_BATCH)
        status = nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "batch must be 1..%d (got %d)", NN_MAX_BATCH, cfg.batch);
    else if (cfg.delay < NN_DELAY_AUTO || cfg.delay > NN_MAX_BUFFER_SIZE)
        status = nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "delay must be -1 (auto), 0 (one block) or 1..%d, got %d",
                              NN_MAX_BUFFER_SIZE, cfg.delay);
    else if (cfg.mode != NN_STREAM_THREADED && cfg.mode != NN_STREAM_SYNCHRONOUS && cfg.mode != NN_STREAM_OFFLINE)
        status = nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "unknown stream mode %d", (int)cfg.mode);
    else if (cfg.schedule != NN_SCHEDULE_POOL && cfg.schedule != NN_SCHEDULE_OWN_THREAD)
        status = nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "unknown schedule %d", (int)cfg.schedule);
    int b = 0;
    bool synchronous = false;
    if (status == NN_OK)
        status = nn_buffer_size_resolve(cfg.buffer_size, nn_model_max_ratio(model), &b, &synchronous, NULL, err);
    if (status != NN_OK) {
        nn_model_free(model);
        return status;
    }

    nn_stream *s = calloc(1, sizeof *s);
    model_ref *ref = s ? model_ref_new(model) : NULL;
    command *init = ref ? command_new(CMD_INIT, NULL, method) : NULL;
    char *name = init ? nn_string_copy(method_name) : NULL;
    if (!name) {
        free(init);
        free(ref);
        free(s);
        nn_model_free(model);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory creating a stream");
    }
    s->on_event = cfg.on_event;
    s->user = cfg.user;
    s->base_mode = cfg.mode;
    s->batch = cfg.batch;
    s->requested_batch = cfg.batch;
    s->method_name = name;
    s->requested = cfg.buffer_size;
    s->initial_requested = cfg.buffer_size;
    s->initial_b = b;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->command_cond, NULL);
    pthread_cond_init(&s->changed, NULL);
    sem_init(&s->wake, 0, 0);
    nn_ring_init(&s->msgs);
    atomic_init(&s->pending, 0);
    atomic_init(&s->pending_loads, 0);
    atomic_init(&s->quit, false);
    atomic_init(&s->next_state, NULL);
    atomic_init(&s->jobs_submitted, 0);
    atomic_init(&s->jobs_finished, 0);
    atomic_init(&s->vector_size, 0);
    atomic_init(&s->sample_rate, 0);
    atomic_init(&s->q_latency, -1);
    atomic_init(&s->q_delay, 0);
    s->delay_req = cfg.delay;
    s->resample = cfg.resample;
    s->init_declared = nn_model_declared_sample_rate(model);
    atomic_init(&s->q_model_rate, 0);
    atomic_init(&s->q_buffer_size, b);
    atomic_init(&s->q_mode,
                (int)((synchronous || cfg.mode == NN_STREAM_SYNCHRONOUS) ? NN_STREAM_SYNCHRONOUS : cfg.mode));
    atomic_init(&s->overruns, 0);
    atomic_init(&s->blocks, 0);
    atomic_init(&s->delay_moves, 0);
    atomic_init(&s->enabled, true);
    s->view = ref;
    s->view_method = method;
    if (cfg.schedule == NN_SCHEDULE_POOL)
        s->member = nn_pool_join(); /* NULL when out of memory: the stream runs unscheduled */
    init->ref = model_ref_retain(ref);
    enqueue(s, init);

    if (pthread_create(&s->runner, NULL, runner_main, s) == 0)
        s->runner_started = true;
    if (s->runner_started && pthread_create(&s->controller, NULL, controller_main, s) == 0)
        s->controller_started = true;
    if (!s->controller_started) {
        nn_stream_free(s);
        return nn_error_set(err, NN_ERR_INTERNAL, "cannot start the stream's threads");
    }
    *out = s;
    return NN_OK;
}

void nn_stream_free(nn_stream *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->quit, true);
    pthread_cond_broadcast(&s->command_cond);
    pthread_mutex_unlock(&s->lock);
    sem_post(&s->wake);
    if (s->controller_started)
        pthread_join(s->controller, NULL);
    if (s->runner_started)
        pthread_join(s->runner, NULL);
    nn_pool_leave(s->member);

    nn_ring_msg msg;
    while (nn_ring_pop(&s->msgs, &msg))
        if (msg.kind == MSG_RETIRE)
            state_free(msg.ptr);
    for (int i = 0; i < s->graveyard_count; i++)
        state_free(s->graveyard[i]);
    engine_state *next = atomic_load(&s->next_state);
    if (s->latest != s->current && s->latest != next)
        state_free(s->latest);
    if (next != s->current)
        state_free(next);
    state_free(s->current);
    while (s->cmd_head) {
        command *cmd = s->cmd_head;
        s->cmd_head = cmd->next;
        command_free(cmd);
    }
    while (s->ev_head) {
        event_node *node = s->ev_head;
        s->ev_head = node->next;
        event_node_free(node);
    }
    model_ref_release(s->view);
    free(s->method_name);
    sem_destroy(&s->wake);
    pthread_cond_destroy(&s->changed);
    pthread_cond_destroy(&s->command_cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Whether a host-rate change may need a new state: the model the stream uses or is about to
 * use declares a rate of its own, or a load of a file not read yet is queued. Otherwise the
 * timed rate message is all it takes (and no swap is queued in front of later messages).
 * Main thread. */
static bool rate_may_matter(nn_stream *s)
{
    if (atomic_load(&s->pending_loads) > 0)
        return true;
    pthread_mutex_lock(&s->lock);
    int declared = s->target ? nn_model_declared_sample_rate(s->target->ref->model) : s->init_declared;
    pthread_mutex_unlock(&s->lock);
    return declared > 0;
}

nn_status nn_stream_prepare(nn_stream *s, double sample_rate, int vector_size, nn_error *err)
{
    if (!s)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_stream_prepare: NULL stream");
    if (vector_size < 1 || vector_size > NN_MAX_BUFFER_SIZE)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "vector size %d is out of range (1..%d)", vector_size,
                            NN_MAX_BUFFER_SIZE);
    if (!(sample_rate > 0) || sample_rate > 1e7)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "sample rate %g is out of range", sample_rate);
    int rate = (int)lround(sample_rate);
    int old_rate = atomic_exchange(&s->sample_rate, rate);
    int old_size = atomic_exchange(&s->vector_size, vector_size);

    /* The audio thread is stopped: act in its place. */
    engine_state *st = adopt(s);
    nn_status status = NN_OK;
    if (st) {
        if (old_size != vector_size || !st->fits)
            state_restart(st, s->position);
        status = state_fit(st, vector_size, rate, s->position, err);
        publish_queries(s, st);
    } else {
        int b = atomic_load(&s->q_buffer_size);
        nn_stream_mode mode = (nn_stream_mode)atomic_load(&s->q_mode);
        if (mode != NN_STREAM_SYNCHRONOUS && b % vector_size != 0)
            status = nn_error_set(err, NN_ERR_BUFFER_SIZE,
                                  "buffer size %d is not a multiple of the vector size %d; the stream outputs "
                                  "silence (choose a buffer size that is a multiple of %d)",
                                  b, vector_size, vector_size);
        if (mode == NN_STREAM_SYNCHRONOUS && s->initial_requested == 0) {
            b = lcm_capped(s->initial_b, vector_size);
            atomic_store(&s->q_buffer_size, b);
        }
        atomic_store(&s->q_latency, status == NN_OK ? latency_of(mode, b, b, vector_size, 0) : -1);
    }
    if (old_rate != rate) {
        submit_timed(s, timed_new(TIMED_RATE, NULL, NULL, 0, rate), NULL);
        /* A model at its own rate needs a state with a resampler for the new one. */
        if (rate_may_matter(s)) {
            command *cmd = command_new(CMD_RESAMPLE, NULL, -1);
            if (cmd)
                enqueue(s, cmd);
        }
    }
    return status;
}

/* Main thread: whether a rate-limited notice last given at `*last` may be given again
 * (a second later); if so, `*last` becomes now. */
static bool notice_due(struct timespec *last)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - last->tv_sec) + 1e-9 * (double)(now.tv_nsec - last->tv_nsec);
    if (since < 1.0)
        return false;
    *last = now;
    return true;
}

int nn_stream_poll(nn_stream *s)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    event_node *node = s->ev_head;
    s->ev_head = s->ev_tail = NULL;
    pthread_mutex_unlock(&s->lock);
    int delivered = 0;
    while (node) {
        event_node *next = node->next;
        if (node->kind == NN_EVENT_LOADED && node->ref) {
            model_ref *old = s->view;
            s->view = node->ref;
            s->view_method = node->method;
            node->ref = old;
        }
        if (s->on_event) {
            nn_event event = {node->kind,
                              node->status,
                              node->message ? node->message : "",
                              node->attribute,
                              node->kind == NN_EVENT_ATTRIBUTE_VALUE ? &node->values : NULL,
                              0};
            s->on_event(s->user, &event);
        }
        event_node_free(node);
        delivered++;
        node = next;
    }
    bool shed = nn_pool_shed(s->member);
    if (shed != s->reported_shed) {
        if (s->on_event) {
            nn_event event = {NN_EVENT_OVERLOAD,
                              NN_OK,
                              shed ? "the machine is overloaded: this stream is silent until load drops"
                                   : "load dropped: this stream plays again",
                              -1,
                              NULL,
                              shed ? 1u : 0u};
            s->on_event(s->user, &event);
        }
        s->reported_shed = shed;
        delivered++;
    }
    uint64_t overruns = atomic_load_explicit(&s->overruns, memory_order_relaxed);
    if (shed) {
        /* The overload event says it: no advice about buffer sizes for a shed stream. */
        s->reported_overruns = overruns;
    } else if (overruns > s->reported_overruns) {
        if (notice_due(&s->last_notice)) {
            char message[200];
            int b = atomic_load_explicit(&s->q_buffer_size, memory_order_relaxed);
            int delay = atomic_load_explicit(&s->q_delay, memory_order_relaxed);
            if (delay > 0 && delay < b)
                snprintf(message, sizeof message,
                         "%llu blocks were not ready in time and played as silence (raise the delay, now %d "
                         "samples, up to %d; or the buffer size)",
                         (unsigned long long)overruns, delay, b);
            else
                snprintf(message, sizeof message,
                         "%llu blocks were not ready in time and played as silence (raise the buffer size)",
                         (unsigned long long)overruns);
            if (s->on_event) {
                nn_event event = {NN_EVENT_OVERRUN, NN_OK, message, -1, NULL, overruns};
                s->on_event(s->user, &event);
            }
            s->reported_overruns = overruns;
            delivered++;
        }
    }
    /* Auto moved D (and with it the latency): one line, at most once a second, with
     * the values now in use. */
    unsigned moves = atomic_load_explicit(&s->delay_moves, memory_order_relaxed);
    if (moves != s->reported_moves && notice_due(&s->moves_notice)) {
        int delay = atomic_load_explicit(&s->q_delay, memory_order_relaxed);
        int latency = atomic_load_explicit(&s->q_latency, memory_order_relaxed);
        int rate = atomic_load_explicit(&s->sample_rate, memory_order_relaxed);
        char message[160];
        snprintf(message, sizeof message, "auto delay now %d samples: latency %d samples (%.1f ms)", delay, latency,
                 rate > 0 ? 1e3 * latency / (double)rate : 0.0);
        if (s->on_event) {
            nn_event event = {NN_EVENT_INFO, NN_OK, message, -1, NULL, 0};
            s->on_event(s->user, &event);
        }
        s->reported_moves = moves;
        delivered++;
    }
    return delivered;
}

bool nn_stream_busy(const nn_stream *s)
{
    return s && atomic_load_explicit(&((nn_stream *)s)->pending, memory_order_acquire) > 0;
}

void nn_stream_wait_idle(nn_stream *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    while (atomic_load_explicit(&s->pending, memory_order_acquire) > 0)
        pthread_cond_wait(&s->changed, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

int nn_stream_latency(const nn_stream *s)
{
    return s ? atomic_load_explicit(&((nn_stream *)s)->q_latency, memory_order_relaxed) : -1;
}

int nn_stream_delay(const nn_stream *s)
{
    return s ? atomic_load_explicit(&((nn_stream *)s)->q_delay, memory_order_relaxed) : 0;
}

nn_status nn_stream_compute_stats(nn_stream *s, nn_compute_stats *out)
{
    if (!s || !out)
        return NN_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    float *times = malloc(NN_COMPUTE_HISTORY * sizeof *times);
    if (!times)
        return NN_ERR_NO_MEMORY;
    pthread_mutex_lock(&s->lock);
    uint64_t count = s->compute_count;
    int kept = count < NN_COMPUTE_HISTORY ? (int)count : NN_COMPUTE_HISTORY;
    memcpy(times, s->compute, (size_t)kept * sizeof *times);
    pthread_mutex_unlock(&s->lock);
    out->count = count;
    out->window = kept;
    if (kept > 0) {
        qsort(times, (size_t)kept, sizeof *times, float_compare);
        out->p50 = times[(kept - 1) / 2];
        out->p99 = times[(int)ceil(0.99 * kept) - 1];
        out->max = times[kept - 1];
    }
    free(times);
    return NN_OK;
}

nn_status nn_stream_set_delay(nn_stream *s, int delay, nn_error *err)
{
    if (!s)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "delay: NULL stream");
    if (delay < NN_DELAY_AUTO || delay > NN_MAX_BUFFER_SIZE)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "delay must be -1 (auto), 0 (one block) or 1..%d, got %d",
                            NN_MAX_BUFFER_SIZE, delay);
    command *cmd = command_new(CMD_DELAY, NULL, delay);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    enqueue(s, cmd);
    return NN_OK;
}

nn_status nn_stream_set_resample(nn_stream *s, bool on, nn_error *err)
{
    if (!s)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "resample: NULL stream");
    command *cmd = command_new(CMD_RESAMPLE, NULL, on ? 1 : 0);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    enqueue(s, cmd);
    return NN_OK;
}

int nn_stream_model_rate(const nn_stream *s)
{
    return s ? atomic_load_explicit(&((nn_stream *)s)->q_model_rate, memory_order_relaxed) : 0;
}

int nn_stream_buffer_size(const nn_stream *s)
{
    return s ? atomic_load_explicit(&((nn_stream *)s)->q_buffer_size, memory_order_relaxed) : 0;
}

nn_stream_mode nn_stream_mode_get(const nn_stream *s)
{
    return s ? (nn_stream_mode)atomic_load_explicit(&((nn_stream *)s)->q_mode, memory_order_relaxed)
             : NN_STREAM_THREADED;
}

uint64_t nn_stream_overruns(const nn_stream *s)
{
    return s ? atomic_load_explicit(&((nn_stream *)s)->overruns, memory_order_relaxed) : 0;
}

bool nn_stream_shed(const nn_stream *s)
{
    return s && nn_pool_shed(s->member);
}

uint64_t nn_stream_blocks(const nn_stream *s)
{
    return s ? atomic_load_explicit(&((nn_stream *)s)->blocks, memory_order_acquire) : 0;
}

const nn_model *nn_stream_model(const nn_stream *s)
{
    return s && s->view ? s->view->model : NULL;
}

const nn_method_info *nn_stream_method(const nn_stream *s)
{
    return s && s->view ? nn_model_method(s->view->model, s->view_method) : NULL;
}

void nn_stream_set_enabled(nn_stream *s, bool enabled)
{
    if (s)
        atomic_store_explicit(&s->enabled, enabled, memory_order_relaxed);
}

bool nn_stream_enabled(const nn_stream *s)
{
    return s && atomic_load_explicit(&((nn_stream *)s)->enabled, memory_order_relaxed);
}

nn_status nn_stream_load(nn_stream *s, const char *path, nn_error *err)
{
    if (!s || !path || !*path)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "load: %s", s ? "no model path given" : "NULL stream");
    command *cmd = command_new(CMD_LOAD, path, 0);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    enqueue(s, cmd);
    return NN_OK;
}

nn_status nn_stream_set_method(nn_stream *s, const char *method, nn_error *err)
{
    if (!s || !method || !*method)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "method: %s", s ? "no method name given" : "NULL stream");
    /* Checked at once unless a queued load may bring a model that has it. */
    if (atomic_load(&s->pending_loads) == 0 && s->view && nn_model_method_find(s->view->model, method) < 0)
        return nn_error_set(err, NN_ERR_UNKNOWN_METHOD, "%s has no method '%s'", nn_model_path(s->view->model), method);
    command *cmd = command_new(CMD_METHOD, method, 0);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    enqueue(s, cmd);
    return NN_OK;
}

nn_status nn_stream_set_buffer_size(nn_stream *s, int buffer_size, nn_error *err)
{
    if (!s)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "bufsize: NULL stream");
    int resolved = 0;
    nn_status status = nn_buffer_size_resolve(buffer_size, 1, &resolved, NULL, NULL, err);
    if (status != NN_OK)
        return status;
    command *cmd = command_new(CMD_BUFFER_SIZE, NULL, buffer_size);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    enqueue(s, cmd);
    return NN_OK;
}

nn_status nn_stream_set_batch(nn_stream *s, int batch, nn_error *err)
{
    if (!s)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "batch: NULL stream");
    if (batch < 1 || batch > NN_MAX_BATCH)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "batch must be 1..%d, got %d", NN_MAX_BATCH, batch);
    if (batch == s->requested_batch)
        return NN_OK;
    command *cmd = command_new(CMD_BATCH, NULL, batch);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    s->requested_batch = batch;
    enqueue(s, cmd);
    return NN_OK;
}

int nn_stream_batch(const nn_stream *s)
{
    return s ? s->requested_batch : 0;
}

nn_status nn_stream_reload(nn_stream *s, nn_error *err)
{
    if (!s)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "reload: NULL stream");
    command *cmd = command_new(CMD_RELOAD, NULL, 0);
    if (!cmd)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "out of memory");
    enqueue(s, cmd);
    return NN_OK;
}

static bool value_fits(nn_type expected, const nn_value *v)
{
    switch (expected) {
    case NN_TYPE_BOOL: return v->type == NN_TYPE_BOOL || v->type == NN_TYPE_INT || v->type == NN_TYPE_FLOAT;
    case NN_TYPE_INT: return v->type == NN_TYPE_INT || (v->type == NN_TYPE_FLOAT && v->f == floor(v->f));
    case NN_TYPE_FLOAT: return v->type == NN_TYPE_FLOAT || v->type == NN_TYPE_INT;
    case NN_TYPE_STRING: return v->type == NN_TYPE_STRING && v->s;
    case NN_TYPE_TENSOR: return v->type == NN_TYPE_TENSOR && (v->data || v->frames == 0) && v->frames >= 0;
    case NN_TYPE_BUFFER: return v->type == NN_TYPE_BUFFER && v->data && v->channels > 0 && v->frames > 0;
    }
    return false;
}

static nn_status check_values(const nn_attribute_info *info, const nn_value *values, int count, nn_error *err)
{
    char types[256] = "";
    size_t used = 0;
    for (int i = 0; i < info->count && used < sizeof types; i++)
        used += (size_t)snprintf(types + used, sizeof types - used, "%s%s", i ? " " : "", nn_type_name(info->types[i]));
    if (count != info->count)
        return nn_error_set(err, NN_ERR_WRONG_COUNT, "attribute '%s' takes %d value%s (%s), %d given", info->name,
                            info->count, info->count == 1 ? "" : "s", types, count);
    for (int i = 0; i < count; i++)
        if (!value_fits(info->types[i], &values[i]))
            return nn_error_set(err, NN_ERR_WRONG_TYPE, "attribute '%s' value %d must be %s (expects %s), got %s",
                                info->name, i + 1, nn_type_name(info->types[i]), types, nn_type_name(values[i].type));
    return NN_OK;
}

nn_status nn_stream_attribute_set(nn_stream *s, const char *attribute, const nn_value *values, int count, nn_error *err)
{
    if (!s || !attribute || count < 0 || (count > 0 && !values))
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "set: %s", s ? "bad arguments" : "NULL stream");
    if (atomic_load(&s->pending_loads) == 0 && s->view) {
        const nn_model *model = s->view->model;
        int index = nn_model_attribute_find(model, attribute);
        if (index < 0)
            return nn_error_set(err, NN_ERR_UNKNOWN_ATTRIBUTE, "%s has no attribute '%s'", nn_model_path(model),
                                attribute);
        nn_status status = check_values(nn_model_attribute(model, index), values, count, err);
        if (status != NN_OK)
            return status;
    }
    return submit_timed(s, timed_new(TIMED_SET, attribute, values, count, 0), err);
}

nn_status nn_stream_attribute_get(nn_stream *s, const char *attribute, nn_error *err)
{
    if (!s || !attribute)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "get: %s", s ? "no attribute name given" : "NULL stream");
    if (atomic_load(&s->pending_loads) == 0 && s->view && nn_model_attribute_find(s->view->model, attribute) < 0)
        return nn_error_set(err, NN_ERR_UNKNOWN_ATTRIBUTE, "%s has no attribute '%s'", nn_model_path(s->view->model),
                            attribute);
    return submit_timed(s, timed_new(TIMED_GET, attribute, NULL, 0, 0), err);
}
