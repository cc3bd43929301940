/* nn~ in C — lock-free single-producer/single-consumer message ring.
 * SPDX-License-Identifier: MIT
 *
 * The audio thread uses this ring to hand blocks and retired engine states to
 * the stream's inference thread without locking, allocating or waiting. One
 * thread pushes, one thread pops; indices are published with release stores
 * and read with acquire loads so that everything written before a push is
 * visible to the thread that pops the message.
 */
#ifndef NN_CORE_RING_H
#define NN_CORE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct nn_ring_msg {
    int kind;
    int slot;
    void *ptr;
} nn_ring_msg;

/* Capacity is fixed at compile time (a power of two) so that no allocation is
 * needed and free/used counts are plain index arithmetic. */
#define NN_RING_CAPACITY 256u

typedef struct nn_ring {
    _Atomic size_t head; /* next slot to write; written by the producer only */
    _Atomic size_t tail; /* next slot to read; written by the consumer only */
    nn_ring_msg items[NN_RING_CAPACITY];
} nn_ring;

void nn_ring_init(nn_ring *ring);

/* Producer side. RT-safe. False when the ring is full (nothing written). */
bool nn_ring_push(nn_ring *ring, nn_ring_msg msg);

/* Producer side. RT-safe. How many pushes are guaranteed to succeed now. */
size_t nn_ring_space(nn_ring *ring);

/* Consumer side. RT-safe. False when the ring is empty. */
bool nn_ring_pop(nn_ring *ring, nn_ring_msg *out);

#endif /* NN_CORE_RING_H */
