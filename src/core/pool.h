/* nn~ in C — the shared inference pool (private to the core library).
 * SPDX-License-Identifier: MIT
 *
 * THREADED streams created with NN_SCHEDULE_POOL join one process-wide pool. Each stream
 * keeps its own inference thread and lock-free hand-off, but a model call needs a turn:
 * at most `workers` calls (the number of cores by default) run at once, and waiting calls
 * get their turn earliest deadline first. When the calls cannot all meet their deadlines
 * the pool sheds whole streams, newest first, and brings them back oldest first once
 * their measured cost fits again. A shed stream plays silence and runs no model calls;
 * its state stays valid. docs/engine.md ("Overload") has the policy and the figures.
 */
#ifndef NN_CORE_POOL_H
#define NN_CORE_POOL_H

#include <stdbool.h>

typedef struct nn_pool_member nn_pool_member;

/* What an inference thread does with a block once it asked for a turn. */
typedef enum nn_pool_turn {
    NN_POOL_RUN, /* run the model now, then nn_pool_release() */
    NN_POOL_SHED /* the stream is shed: drop the block, it plays as silence (no overrun) */
} nn_pool_turn;

/* A new member, the newest (first to be shed). NULL when out of memory (the stream then
 * runs its calls unscheduled). Any non-real-time thread. */
nn_pool_member *nn_pool_join(void);

/* Leave the pool; the member's inference thread must have stopped. NULL is a no-op. */
void nn_pool_leave(nn_pool_member *member);

/* Whether the member is shed. Any thread, real-time safe (one atomic load). */
bool nn_pool_shed(const nn_pool_member *member);

/* Inference thread: wait for a turn for a block due at `deadline` (CLOCK_MONOTONIC
 * seconds: only the order of the turns depends on it) of a stream that hands over one
 * block every `period` seconds. `missed`: the stream's audio thread counted an overrun
 * since the last call (the only sign of overload the pool acts on, so that a host that
 * runs slower than real time, such as a test, sheds nothing). May block. */
nn_pool_turn nn_pool_acquire(nn_pool_member *member, double deadline, double period, bool missed);

/* Inference thread, after NN_POOL_RUN: the call took `seconds`, or with `ran` false the
 * turn was not used (the audio thread had cancelled the block meanwhile: late work is
 * dropped, not run). */
void nn_pool_release(nn_pool_member *member, bool ran, double seconds);

/* CLOCK_MONOTONIC in seconds. */
double nn_pool_now(void);

#endif /* NN_CORE_POOL_H */
