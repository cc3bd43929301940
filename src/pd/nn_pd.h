/* nn~ in C — helpers shared by the Pure Data objects [nn~] and [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * Model file lookup the Pd way (patch folder, then Pd's search path, then the per-user
 * models folder and absolute paths through the core), and the Pd messages that describe a
 * loaded model (methods, parameters, labels, attribute types and values). Main thread only.
 */
#ifndef NN_PD_H
#define NN_PD_H

#include "m_pd.h"
#include "nn/nn.h"

/* Find the file of model `name` for an object living in `canvas` (may be NULL): ".ts" is
 * appended when missing; the patch folder and Pd's search path are tried first (canvas_open),
 * then nn_model_locate (absolute paths, the patch folder again, the per-user models folder).
 * On failure `err` says where it looked. */
nn_status nn_pd_locate(const t_canvas *canvas, const char *name, char *out, size_t size, nn_error *err);

/* Outputs `methods m1 m2 ...` on `outlet`. */
void nn_pd_output_methods(t_outlet *outlet, const nn_model *model);

/* Outputs `attributes a1 a2 ...` on `outlet` (just `attributes` when there are none). */
void nn_pd_output_attributes(t_outlet *outlet, const nn_model *model);

/* Outputs `params <method> in_ch in_ratio out_ch out_ratio`, then `input_labels <method> ...`
 * and `output_labels <method> ...` for method `index`. */
void nn_pd_output_method_params(t_outlet *outlet, const nn_model *model, int index);

/* Outputs `types <attribute> <type names...>` for attribute `index`. */
void nn_pd_output_attribute_types(t_outlet *outlet, const nn_model *model, int index);

/* Outputs `value <attribute> v1 v2 ...`: bools and numbers as Pd floats, everything else
 * (strings, tensor and buffer descriptions) as symbols. */
void nn_pd_output_value(t_outlet *outlet, const char *attribute, const nn_value_list *values);

/* The expected element types of an attribute as text, e.g. "int, float". */
void nn_pd_types_text(const nn_attribute_info *info, char *buf, size_t size);

#endif /* NN_PD_H */
