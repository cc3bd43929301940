/* nn~ in C — Pure Data's side of the object layer, shared by [nn~] and [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * The nn_host table for Pd (console through post/pd_error, outlets, the canvas's search
 * path, Pd arrays, clocks, canvas_update_dsp) and the translation of Pd atoms into the
 * layer's atoms. The objects' behaviour lives in src/obj/. Main thread only.
 */
#ifndef NN_PD_H
#define NN_PD_H

#include "m_pd.h"
#include "nn_obj.h"

/* The setup function of each object is the only symbol its module exports. */
#if defined(__GNUC__)
#define NN_PD_EXPORT __attribute__((visibility("default")))
#else
#define NN_PD_EXPORT
#endif

/* The start of every Pd object of this package: what the host callbacks need. */
typedef struct nn_pd_object {
    t_object obj;
    t_canvas *canvas;
    t_clock *poll_clock;
    t_outlet *outlets[2]; /* the layer's outlet indices 0 and 1 (message outlets) */
} nn_pd_object;

/* The host table of Pd; `owner` is always an nn_pd_object. */
extern const nn_host nn_pd_host;

/* Pd atoms as layer atoms: into `stack` when `argc` fits, else allocated; release with
 * nn_pd_atoms_free. NULL only when out of memory. */
nn_atom *nn_pd_atoms(int argc, const t_atom *argv, nn_atom *stack, int stack_size);
void nn_pd_atoms_free(nn_atom *atoms, const nn_atom *stack);

/* How many atoms nn_pd_atoms converts without allocating. */
#define NN_PD_STACK_ATOMS 16

#endif /* NN_PD_H */
