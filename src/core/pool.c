/* nn~ in C — the shared inference pool: earliest deadline first, and whole streams shed
 * when the machine cannot carry them all.
 * SPDX-License-Identifier: MIT
 *
 * Every inference thread of a pooled stream asks for a turn before each model call. The
 * pool lets `workers` calls run at once (one per core by default) and hands the next turn
 * to the waiting call with the earliest deadline. Today's per-stream threads let the kernel
 * share the cores out evenly, so when the streams need more CPU than there is, every stream
 * is late; here the calls of the streams that fit keep their deadlines, and the pool sheds
 * the others whole:
 *  - a miss (an overrun counted by a stream's audio thread: a block not ready when its
 *    output was due; the audio thread cancels it, and it is dropped, not run) lowers the
 *    capacity (the share of the workers the streams may load; SHED_LOAD at most) to 0.9 of
 *    the load that missed, since other work on the machine takes the rest, and sheds the
 *    newest carried streams until the estimated load of those left fits (at least one;
 *    the oldest active stream is never shed), then waits SHED_GAP before it sheds again,
 *    so that the backlog of the overload can drain;
 *  - with no miss and no change for `hold` seconds, the capacity grows by a tenth and shed
 *    streams come back, oldest first, as long as their cost fits under RESTORE_SHARE of
 *    the capacity with the others; a
 *    stream shed again within 4 x hold of coming back doubles `hold` (up to HOLD_MAX), and
 *    a quiet minute resets it.
 * The load of a stream is its recent cost per call (the wall time of the call, so a busy
 * machine counts) over its period; a stream that handed over nothing for a while (DSP
 * off, disabled) counts for nothing. docs/engine.md ("Overload") has the measurements.
 */
#define _POSIX_C_SOURCE 200809L

#include "pool.h"

#include "nn/nn.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SHED_LOAD 0.9     /* at most: shed down to this share of the workers */
#define RESTORE_SHARE 0.67 /* bring back a stream only if the load stays under this share of the capacity */
#define SHED_GAP 0.5      /* seconds between two sheddings */
#define HOLD_BASE 2.0     /* seconds without a miss or a change before a stream comes back */
#define HOLD_MAX 32.0
#define HOLD_RESET 60.0 /* a quiet minute resets the hold */
#define COST_WEIGHT 0.2 /* weight of the newest call in the cost estimate */

struct nn_pool_member {
    nn_pool_member *prev, *next; /* oldest first */
    atomic_bool shed;
    pthread_cond_t turn;
    bool waiting;
    double deadline;
    double cost;      /* seconds per call, recent average; 0 until measured */
    double period;    /* seconds between two blocks */
    double last_seen; /* when it last asked for a turn */
    double back_at;   /* when it was last brought back */
};

static struct {
    pthread_mutex_t lock;
    nn_pool_member *head, *tail;
    int workers; /* 0: one per core */
    int running;
    double last_change, last_miss;
    double hold;
    /* Share of the workers the streams may load: SHED_LOAD at most, lowered to 0.9 of
     * the load that missed (other work on the machine takes the rest), raised again by a
     * tenth after each quiet `hold`. */
    double capacity, last_grow;
} pool = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0, -1e9, -1e9, HOLD_BASE, SHED_LOAD, -1e9};

double nn_pool_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)n : 1;
}

static int workers_locked(void)
{
    return pool.workers > 0 ? pool.workers : cores();
}

void nn_pool_set_workers(int workers)
{
    pthread_mutex_lock(&pool.lock);
    pool.workers = workers > 0 ? workers : 0;
    /* More turns may be free now. */
    for (nn_pool_member *m = pool.head; m; m = m->next)
        if (m->waiting)
            pthread_cond_signal(&m->turn);
    pthread_mutex_unlock(&pool.lock);
}

int nn_pool_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    int n = workers_locked();
    pthread_mutex_unlock(&pool.lock);
    return n;
}

nn_pool_member *nn_pool_join(void)
{
    nn_pool_member *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    atomic_init(&m->shed, false);
    pthread_cond_init(&m->turn, NULL);
    m->last_seen = -1e9;
    m->back_at = -1e9;
    pthread_mutex_lock(&pool.lock);
    m->prev = pool.tail;
    if (pool.tail)
        pool.tail->next = m;
    else
        pool.head = m;
    pool.tail = m;
    pthread_mutex_unlock(&pool.lock);
    return m;
}

void nn_pool_leave(nn_pool_member *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&pool.lock);
    if (m->prev)
        m->prev->next = m->next;
    else
        pool.head = m->next;
    if (m->next)
        m->next->prev = m->prev;
    else
        pool.tail = m->prev;
    pthread_mutex_unlock(&pool.lock);
    pthread_cond_destroy(&m->turn);
    free(m);
}

bool nn_pool_shed(const nn_pool_member *m)
{
    return m && atomic_load_explicit(&((nn_pool_member *)m)->shed, memory_order_relaxed);
}

/* ---- policy (caller holds the lock) ------------------------------------------------------ */

static bool active(const nn_pool_member *m, double now)
{
    double idle = 4.0 * m->period > 1.0 ? 4.0 * m->period : 1.0;
    return now - m->last_seen < idle;
}

static double load_of(const nn_pool_member *m)
{
    return m->period > 0 ? m->cost / m->period : 0.0;
}

static double carried_load(double now)
{
    double load = 0;
    for (nn_pool_member *m = pool.head; m; m = m->next)
        if (!atomic_load_explicit(&m->shed, memory_order_relaxed) && active(m, now))
            load += load_of(m);
    return load;
}

static void shed_some(double now)
{
    if (now - pool.last_change < SHED_GAP)
        return;
    double load = carried_load(now);
    if (load > 0 && 0.9 * load / workers_locked() < pool.capacity)
        pool.capacity = 0.9 * load / workers_locked();
    double limit = pool.capacity * workers_locked();
    nn_pool_member *oldest = NULL;
    for (nn_pool_member *m = pool.head; m && !oldest; m = m->next)
        if (!atomic_load_explicit(&m->shed, memory_order_relaxed) && active(m, now))
            oldest = m;
    bool first = true, too_soon = false;
    for (nn_pool_member *m = pool.tail; m && m != oldest; m = m->prev) {
        if (atomic_load_explicit(&m->shed, memory_order_relaxed) || !active(m, now))
            continue;
        if (!first && load <= limit)
            break;
        atomic_store_explicit(&m->shed, true, memory_order_relaxed);
        load -= load_of(m);
        first = false;
        too_soon = too_soon || now - m->back_at < 4.0 * pool.hold;
    }
    if (first)
        return;
    pool.last_change = now;
    /* Back and shed again soon: the estimate was too hopeful, wait longer next time. */
    if (too_soon)
        pool.hold = 2.0 * pool.hold < HOLD_MAX ? 2.0 * pool.hold : HOLD_MAX;
}

static void miss(double now)
{
    pool.last_miss = now;
    shed_some(now);
}

static void maybe_restore(double now)
{
    if (now - pool.last_miss > HOLD_RESET && now - pool.last_change > HOLD_RESET)
        pool.hold = HOLD_BASE;
    if (now - pool.last_change < pool.hold || now - pool.last_miss < pool.hold)
        return;
    if (now - pool.last_grow >= pool.hold && now - pool.last_miss >= pool.hold) {
        pool.capacity = pool.capacity * 1.1 < SHED_LOAD ? pool.capacity * 1.1 : SHED_LOAD;
        pool.last_grow = now;
    }
    /* Oldest first, as many as fit: the first that does not fit stops the others, so
     * that the streams that play are always the oldest ones. */
    double load = carried_load(now), limit = RESTORE_SHARE * pool.capacity * workers_locked();
    for (nn_pool_member *m = pool.head; m; m = m->next) {
        if (!atomic_load_explicit(&m->shed, memory_order_relaxed) || !active(m, now))
            continue;
        if (load + load_of(m) > limit)
            break;
        load += load_of(m);
        atomic_store_explicit(&m->shed, false, memory_order_relaxed);
        m->back_at = now;
        pool.last_change = now;
    }
}

static nn_pool_member *earliest_waiter(void)
{
    nn_pool_member *best = NULL;
    for (nn_pool_member *m = pool.head; m; m = m->next)
        if (m->waiting && (!best || m->deadline < best->deadline))
            best = m;
    return best;
}

static void wake_next(void)
{
    if (pool.running >= workers_locked())
        return;
    nn_pool_member *next = earliest_waiter();
    if (next)
        pthread_cond_signal(&next->turn);
}

/* ---- inference threads ------------------------------------------------------------------- */

nn_pool_turn nn_pool_acquire(nn_pool_member *m, double deadline, double period, bool missed)
{
    pthread_mutex_lock(&pool.lock);
    double now = nn_pool_now();
    m->last_seen = now;
    m->period = period;
    if (missed && !atomic_load_explicit(&m->shed, memory_order_relaxed))
        miss(now);
    maybe_restore(now);
    if (atomic_load_explicit(&m->shed, memory_order_relaxed)) {
        pthread_mutex_unlock(&pool.lock);
        return NN_POOL_SHED;
    }
    m->waiting = true;
    m->deadline = deadline;
    while (pool.running >= workers_locked() || earliest_waiter() != m) {
        wake_next();
        pthread_cond_wait(&m->turn, &pool.lock);
    }
    m->waiting = false;
    nn_pool_turn turn = NN_POOL_SHED; /* shed while it waited */
    if (!atomic_load_explicit(&m->shed, memory_order_relaxed)) {
        turn = NN_POOL_RUN;
        pool.running++;
    }
    wake_next();
    pthread_mutex_unlock(&pool.lock);
    return turn;
}

void nn_pool_release(nn_pool_member *m, bool ran, double seconds)
{
    pthread_mutex_lock(&pool.lock);
    pool.running--;
    if (ran)
        m->cost = m->cost > 0 ? (1.0 - COST_WEIGHT) * m->cost + COST_WEIGHT * seconds : seconds;
    wake_next();
    pthread_mutex_unlock(&pool.lock);
}
