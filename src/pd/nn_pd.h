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
 * nn_pd_atoms_free. NULL only when out of memory. With `argv` NULL, room for `argc` atoms
 * that the caller fills (nn_pd_atoms_fill). */
nn_atom *nn_pd_atoms(int argc, const t_atom *argv, nn_atom *stack, int stack_size);
/* Converts `argc` Pd atoms into `atoms`. */
void nn_pd_atoms_fill(nn_atom *atoms, int argc, const t_atom *argv);
void nn_pd_atoms_free(nn_atom *atoms, const nn_atom *stack);

/* Whether Pd was started with -batch (the last of -batch / -nobatch on its command line):
 * then DSP runs as fast as the CPU allows, with no audio device, and a threaded object
 * would drop every block its worker has not finished. Read from the process's arguments,
 * since Pd exports no batch flag that an external built against 0.53's m_pd.h could ask
 * (sys_batch is not exported by Pd 0.53). */
bool nn_pd_batch(void);

/* How many atoms nn_pd_atoms converts without allocating. */
#define NN_PD_STACK_ATOMS 16

#endif /* NN_PD_H */
