/* nn~ in C — test host for Max externals: Max's main thread (defer, qelem, clocks in
 * logical time), time and thread queries.
 * SPDX-License-Identifier: MIT
 *
 * Real time: qelem_set/unset and clock_delay/fdelay/unset are lock-free (atomics only), so
 * an object may call them from perform64 under RealtimeSanitizer, as Max allows.
 * defer/defer_low allocate and lock: calling them from perform64 is reported by RTSan.
 * A deferred call still pending when its object is freed, and a clock or qelem an object
 * did not free, are the object's bugs that Max would turn into a crash: the host reports
 * them (see host_sched_forget).
 */
#define _GNU_SOURCE
#include "host_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_t main_thread;
static int main_thread_set;
static atomic_llong now_us; /* logical time, microseconds */
static pthread_mutex_t sched_lock = PTHREAD_MUTEX_INITIALIZER;

void host_sched_init(void)
{
    if (!main_thread_set) {
        main_thread = pthread_self();
        main_thread_set = 1;
    }
}

short systhread_ismainthread(void)
{
    return main_thread_set && pthread_equal(pthread_self(), main_thread) && !host_in_audio;
}
short systhread_isaudiothread(void)
{
    return (short)host_in_audio;
}
short systhread_istimerthread(void)
{
    return 0;
}
t_systhread systhread_self(void)
{
    return (t_systhread)(uintptr_t)pthread_self();
}
void systhread_sleep(long milliseconds)
{
    struct timespec ts = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

t_uint32 systime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (t_uint32)((t_uint64)ts.tv_sec * 1000u + (t_uint64)ts.tv_nsec / 1000000u);
}
t_uint32 systime_ticks(void)
{
    return systime_ms() * 60u / 1000u;
}
long gettime(void)
{
    return (long)(atomic_load(&now_us) / 1000);
}
void clock_getftime(double *time)
{
    *time = (double)atomic_load(&now_us) / 1000.0;
}
double maxhost_time(void)
{
    return (double)atomic_load(&now_us) / 1000.0;
}
/* The scheduler is never in the audio interrupt here: events run on the main thread. */
long isr(void)
{
    return 0;
}

void critical_enter(t_critical x)
{
    static pthread_mutex_t global = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(x ? x : &global);
}
void critical_exit(t_critical x)
{
    static pthread_mutex_t *global;
    (void)global;
    if (x)
        pthread_mutex_unlock(x);
}
void critical_new(t_critical *x)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m)
        host_fatal("out of memory");
    pthread_mutex_init(m, NULL);
    *x = m;
}
void critical_free(t_critical x)
{
    if (x) {
        pthread_mutex_destroy(x);
        free(x);
    }
}

/* ------------------------------------------------------------------ systhread */

typedef void *(*thread_entry)(void *);

long systhread_create(method entryproc, void *arg, long stacksize, long priority, long flags, t_systhread *thread)
{
    (void)stacksize, (void)priority, (void)flags;
    pthread_t t;
    if (pthread_create(&t, NULL, (thread_entry)entryproc, arg) != 0)
        return MAX_ERR_GENERIC;
    *thread = (t_systhread)(uintptr_t)t;
    return MAX_ERR_NONE;
}
long systhread_join(t_systhread thread, unsigned int *retval)
{
    void *r = NULL;
    if (pthread_join((pthread_t)(uintptr_t)thread, &r) != 0)
        return MAX_ERR_GENERIC;
    if (retval)
        *retval = (unsigned int)(uintptr_t)r;
    return MAX_ERR_NONE;
}
long systhread_mutex_new(t_systhread_mutex *pmutex, long flags)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    if (flags & SYSTHREAD_MUTEX_RECURSIVE)
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m)
        return MAX_ERR_OUT_OF_MEM;
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    *pmutex = m;
    return MAX_ERR_NONE;
}
long systhread_mutex_free(t_systhread_mutex pmutex)
{
    if (pmutex) {
        pthread_mutex_destroy(pmutex);
        free(pmutex);
    }
    return MAX_ERR_NONE;
}
long systhread_mutex_lock(t_systhread_mutex pmutex)
{
    return pthread_mutex_lock(pmutex) ? MAX_ERR_GENERIC : 0;
}
long systhread_mutex_unlock(t_systhread_mutex pmutex)
{
    return pthread_mutex_unlock(pmutex) ? MAX_ERR_GENERIC : 0;
}
long systhread_mutex_trylock(t_systhread_mutex pmutex)
{
    return pthread_mutex_trylock(pmutex) ? 1 : 0;
}

/* ------------------------------------------------------------------ deferred calls */

typedef void (*defer_fn)(void *ob, t_symbol *s, short ac, t_atom *av);
typedef struct hdeferred {
    void *ob;
    method fn;
    t_symbol *s;
    short ac;
    t_atom *av;
    int orphaned; /* its object was freed while it waited */
    char objname[64];
    struct hdeferred *next;
} hdeferred;
static hdeferred *dq_head, *dq_tail;

static void enqueue(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv, int front)
{
    hdeferred *d = calloc(1, sizeof *d);
    if (!d)
        host_fatal("out of memory");
    d->ob = ob;
    d->fn = fn;
    d->s = sym;
    d->ac = argc > 0 ? argc : 0;
    if (d->ac) {
        d->av = malloc((size_t)d->ac * sizeof(t_atom));
        if (!d->av)
            host_fatal("out of memory");
        memcpy(d->av, argv, (size_t)d->ac * sizeof(t_atom));
    }
    snprintf(d->objname, sizeof d->objname, "%s", host_object_name(ob));
    pthread_mutex_lock(&sched_lock);
    if (front) {
        d->next = dq_head;
        dq_head = d;
        if (!dq_tail)
            dq_tail = d;
    } else {
        if (dq_tail)
            dq_tail->next = d;
        else
            dq_head = d;
        dq_tail = d;
    }
    pthread_mutex_unlock(&sched_lock);
}

/* defer: runs now when called on the main thread, else at the front of the queue. */
void *defer(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv)
{
    if (systhread_ismainthread()) {
        ((defer_fn)fn)(ob, sym, argc, argv);
        return NULL;
    }
    enqueue(ob, fn, sym, argc, argv, 1);
    return NULL;
}
void *defer_front(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv)
{
    enqueue(ob, fn, sym, argc, argv, 1);
    return NULL;
}
/* defer_low: always queued at the back, even from the main thread. */
void *defer_low(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv)
{
    enqueue(ob, fn, sym, argc, argv, 0);
    return NULL;
}
void *defer_medium(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv)
{
    enqueue(ob, fn, sym, argc, argv, 0);
    return NULL;
}
void *defer_sys_low(void *ob, method fn, t_symbol *sym, short argc, t_atom *argv)
{
    enqueue(ob, fn, sym, argc, argv, 0);
    return NULL;
}

static int run_one_deferred(void)
{
    pthread_mutex_lock(&sched_lock);
    hdeferred *d = dq_head;
    if (d) {
        dq_head = d->next;
        if (!dq_head)
            dq_tail = NULL;
    }
    pthread_mutex_unlock(&sched_lock);
    if (!d)
        return 0;
    if (d->orphaned)
        host_fatal("a deferred call to a %s object ran after the object was freed (Max would call into freed memory)",
                   d->objname);
    ((defer_fn)d->fn)(d->ob, d->s, d->ac, d->av);
    free(d->av);
    free(d);
    return 1;
}

/* ------------------------------------------------------------------ qelems and clocks */

typedef struct hqelem {
    t_object ob;
    void *obj;
    method fn;
    atomic_int set;
    struct hqelem *next;
} hqelem;
static hqelem *qelems;

typedef struct hclock {
    t_object ob;
    void *obj;
    method fn;
    atomic_llong when_us; /* -1: not set */
    struct hclock *next;
} hclock;
static hclock *clocks;

static void qelem_unlink(t_object *x)
{
    pthread_mutex_lock(&sched_lock);
    for (hqelem **p = &qelems; *p; p = &(*p)->next)
        if (*p == (hqelem *)x) {
            *p = (*p)->next;
            break;
        }
    pthread_mutex_unlock(&sched_lock);
}
static void clock_unlink(t_object *x)
{
    pthread_mutex_lock(&sched_lock);
    for (hclock **p = &clocks; *p; p = &(*p)->next)
        if (*p == (hclock *)x) {
            *p = (*p)->next;
            break;
        }
    pthread_mutex_unlock(&sched_lock);
}

void *qelem_new(void *obj, method fn)
{
    hqelem *q = (hqelem *)host_internal_alloc(host_internal_class("qelem", sizeof(hqelem), qelem_unlink));
    q->obj = obj;
    q->fn = fn;
    pthread_mutex_lock(&sched_lock);
    q->next = qelems;
    qelems = q;
    pthread_mutex_unlock(&sched_lock);
    return q;
}
void qelem_set(t_qelem *x)
{
    atomic_store(&((hqelem *)x)->set, 1);
}
void qelem_front(t_qelem *x)
{
    atomic_store(&((hqelem *)x)->set, 1);
}
void qelem_unset(t_qelem *x)
{
    atomic_store(&((hqelem *)x)->set, 0);
}
void qelem_free(t_qelem *x)
{
    object_free(x);
}

t_clock *clock_new(void *obj, method fn)
{
    hclock *c = (hclock *)host_internal_alloc(host_internal_class("clock", sizeof(hclock), clock_unlink));
    c->obj = obj;
    c->fn = fn;
    atomic_store(&c->when_us, -1);
    pthread_mutex_lock(&sched_lock);
    c->next = clocks;
    clocks = c;
    pthread_mutex_unlock(&sched_lock);
    return c;
}
void clock_delay(t_clock *x, long n)
{
    atomic_store(&((hclock *)x)->when_us, atomic_load(&now_us) + (long long)(n < 0 ? 0 : n) * 1000);
}
void clock_fdelay(t_clock *x, double f)
{
    atomic_store(&((hclock *)x)->when_us, atomic_load(&now_us) + (long long)(f < 0 ? 0 : f * 1000.0));
}
void clock_set(t_clock *x, long when)
{
    atomic_store(&((hclock *)x)->when_us, (long long)when * 1000);
}
void clock_fset(t_clock *x, double when)
{
    atomic_store(&((hclock *)x)->when_us, (long long)(when * 1000.0));
}
void clock_unset(t_clock *x)
{
    atomic_store(&((hclock *)x)->when_us, -1);
}

static int run_qelems(void)
{
    int n = 0;
    for (;;) {
        hqelem *due = NULL;
        pthread_mutex_lock(&sched_lock);
        for (hqelem *q = qelems; q && !due; q = q->next)
            if (atomic_exchange(&q->set, 0))
                due = q;
        pthread_mutex_unlock(&sched_lock);
        if (!due)
            return n;
        ((void (*)(void *))due->fn)(due->obj);
        n++;
    }
}

/* Fires the earliest clock due at or before limit_us; returns 1 if one fired. */
static int run_one_clock(long long limit_us)
{
    hclock *due = NULL;
    long long best = 0;
    pthread_mutex_lock(&sched_lock);
    for (hclock *c = clocks; c; c = c->next) {
        long long w = atomic_load(&c->when_us);
        if (w >= 0 && w <= limit_us && (!due || w < best)) {
            due = c;
            best = w;
        }
    }
    if (due)
        atomic_store(&due->when_us, -1);
    pthread_mutex_unlock(&sched_lock);
    if (!due)
        return 0;
    if (best > atomic_load(&now_us))
        atomic_store(&now_us, best);
    ((void (*)(void *))due->fn)(due->obj);
    return 1;
}

long maxhost_main(double ms)
{
    host_sched_init();
    long long target = atomic_load(&now_us) + (long long)(ms > 0 ? ms * 1000.0 : 0);
    long n = 0;
    for (long guard = 0;; guard++) {
        if (guard > 100000)
            host_fatal(
                "the main thread never becomes idle (a deferred call, qelem or clock keeps rescheduling itself)");
        int ran = 0;
        while (run_one_deferred()) {
            ran = 1;
            n++;
        }
        int q = run_qelems();
        n += q;
        ran |= q > 0;
        if (ran)
            continue;
        if (run_one_clock(target)) {
            n++;
            continue;
        }
        break;
    }
    if (atomic_load(&now_us) < target)
        atomic_store(&now_us, target);
    return n;
}

int maxhost_main_wait(double wall_ms, int (*done)(void *arg), void *arg)
{
    host_sched_init();
    t_uint32 start = systime_ms(), last = start;
    for (;;) {
        t_uint32 t = systime_ms();
        maxhost_main((double)(t - last));
        last = t;
        if (done && done(arg))
            return 1;
        if ((double)(t - start) >= wall_ms)
            return done ? done(arg) : 1;
        systhread_sleep(1);
    }
}

/* An object is being freed: deferred calls to it are marked (running one is fatal), and a
 * clock or qelem it did not free is reported and disarmed. */
void host_sched_forget(t_object *owner)
{
    long clocks_left = 0, qelems_left = 0;
    pthread_mutex_lock(&sched_lock);
    for (hdeferred *d = dq_head; d; d = d->next)
        if (d->ob == owner)
            d->orphaned = 1;
    for (hclock *c = clocks; c; c = c->next)
        if (c->obj == owner) {
            atomic_store(&c->when_us, -1);
            c->obj = NULL;
            c->fn = NULL;
            clocks_left++;
        }
    for (hqelem *q = qelems; q; q = q->next)
        if (q->obj == owner) {
            atomic_store(&q->set, 0);
            q->obj = NULL;
            q->fn = NULL;
            qelems_left++;
        }
    pthread_mutex_unlock(&sched_lock);
    if (clocks_left || qelems_left)
        host_consolef(MAXHOST_ERROR, NULL,
                      "test host: a %s object was freed with %ld clock(s) and %ld qelem(s) not freed",
                      host_object_name(owner), clocks_left, qelems_left);
}

void host_sched_reset(void)
{
    for (;;) {
        pthread_mutex_lock(&sched_lock);
        hdeferred *d = dq_head;
        if (d) {
            dq_head = d->next;
            if (!dq_head)
                dq_tail = NULL;
        }
        pthread_mutex_unlock(&sched_lock);
        if (!d)
            break;
        free(d->av);
        free(d);
    }
    for (;;) {
        pthread_mutex_lock(&sched_lock);
        t_object *c = clocks ? &clocks->ob : qelems ? &qelems->ob : NULL;
        pthread_mutex_unlock(&sched_lock);
        if (!c)
            break;
        object_free(c);
    }
    atomic_store(&now_us, 0);
}
