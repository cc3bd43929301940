/* nn~ in C — lock-free single-producer/single-consumer message ring.
 * SPDX-License-Identifier: MIT
 *
 * Implementation of ring.h. Head and tail grow without wrapping (size_t
 * arithmetic), so "full" and "empty" are distinguished without a flag and
 * without a wasted slot.
 */
#include "ring.h"

void nn_ring_init(nn_ring *ring)
{
    atomic_init(&ring->head, 0);
    atomic_init(&ring->tail, 0);
}

size_t nn_ring_space(nn_ring *ring)
{
    /* The producer owns head, so a relaxed read is exact; tail only grows, so
     * the acquire read can only under-estimate the free space. */
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    return NN_RING_CAPACITY - (head - tail);
}

bool nn_ring_push(nn_ring *ring, nn_ring_msg msg)
{
    size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head - tail >= NN_RING_CAPACITY)
        return false;
    ring->items[head & (NN_RING_CAPACITY - 1)] = msg;
    /* Release: the message, and everything the producer wrote before it,
     * becomes visible to the consumer that observes the new head. */
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    return true;
}

bool nn_ring_pop(nn_ring *ring, nn_ring_msg *out)
{
    size_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    if (tail == head)
        return false;
    *out = ring->items[tail & (NN_RING_CAPACITY - 1)];
    /* Release: the slot is read before the producer may overwrite it. */
    atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
    return true;
}
