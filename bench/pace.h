/* nn~ in C — benchmarks: pacing an audio thread like a sound card.
 * SPDX-License-Identifier: MIT
 */
#ifndef NN_BENCH_PACE_H
#define NN_BENCH_PACE_H

#include <time.h>

/* Sleep until `next` + period_ns (absolute, CLOCK_MONOTONIC) and advance `next` to it:
 * a late wake-up shortens the next wait instead of shifting every later one. */
static inline void pace_next(struct timespec *next, long period_ns)
{
    next->tv_nsec += period_ns;
    while (next->tv_nsec >= 1000000000L) {
        next->tv_nsec -= 1000000000L;
        next->tv_sec++;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

#endif /* NN_BENCH_PACE_H */
