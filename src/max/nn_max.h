/* nn~ in C — Max's side of the object layer, shared by nn~, mc.nn~, mcs.nn~ and nn.info.
 * SPDX-License-Identifier: MIT
 *
 * The nn_host table for Max (console through object_post/object_error, outlets, Max's
 * search path, buffer~ and [array] contents, a qelem that brings every event to the main
 * thread) and the class set-up of the nn~ family, whose three objects differ only in how
 * their cords map to the model (nn_obj_layout) and in their creation grammar. Behaviour
 * lives in src/obj/; each object's file only names its class.
 */
#ifndef NN_MAX_H
#define NN_MAX_H

#include "ext.h"
#include "ext_obex.h"
#include "nn_obj.h"
#include "z_dsp.h"

/* What the host callbacks need, whatever the object: the layer's `owner`. */
typedef struct nn_max_head {
    t_object *self;
    t_qelem *qelem; /* runs the object's tick on the main thread */
    t_clock *clock; /* delayed polls: sets the qelem */
    void **outlets; /* the layer's message outlets, by the layer's index */
    int n_outlets;
    struct nn_max_buffer *buffers; /* buffer~ references kept for @track_buffers */
    bool track_buffers;
    void (*tick)(struct nn_max_head *head);
} nn_max_head;

extern const nn_host nn_max_host;

/* Max atoms as layer atoms (allocated; NULL when out of memory); free with sysmem_freeptr. */
nn_atom *nn_max_atoms(long argc, const t_atom *argv);

/* Sets up the head of `self`: its qelem, clock and message outlets are made by the caller. */
void nn_max_head_init(nn_max_head *head, t_object *self, void (*tick)(nn_max_head *head));
void nn_max_head_free(nn_max_head *head);
/* Buffer~ notifications (the class's "notify" method): re-reads a tracked buffer~. */
t_max_err nn_max_head_notify(nn_max_head *head, nn_obj *core, t_symbol *s, t_symbol *msg, void *sender, void *data);

/* Registers one class of the nn~ family. */
void nn_max_tilde_class(const char *name, nn_obj_layout layout, nn_obj_grammar grammar);

#endif /* NN_MAX_H */
