/* nn~ in C — helpers shared by the Pure Data objects [nn~] and [nn.info].
 * SPDX-License-Identifier: MIT
 *
 * Model file lookup the Pd way (patch folder, then Pd's search path, then the per-user
 * models folder and absolute paths through the core), the Pd messages that describe a
 * loaded model (methods, parameters, labels, attribute types and values), and the model
 * downloads both objects offer (`api`, listing, `download`, `remove`). Main thread only.
 */
#ifndef NN_PD_H
#define NN_PD_H

#include "m_pd.h"
#include "nn/nn.h"

/* The setup function of each object is the only symbol its module exports. */
#if defined(__GNUC__)
#define NN_PD_EXPORT __attribute__((visibility("default")))
#else
#define NN_PD_EXPORT
#endif

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

/* `atoms` as Pd prints them, separated by spaces ("nothing" when argc is 0). */
void nn_pd_atoms_text(int argc, const t_atom *argv, char *buf, size_t size);

/* The symbol when `argv` holds exactly one symbol; otherwise NULL after the error
 * `<prefix>: <usage>, got <atoms>` attributed to `owner`. */
t_symbol *nn_pd_one_symbol(void *owner, const char *prefix, const char *usage, int argc, const t_atom *argv);

/* ---- model downloads ------------------------------------------------------------------- */

/* Called for the NN_DOWNLOAD_LIST event with the cards a listing request fetched. */
typedef void (*nn_pd_cards_fn)(void *owner, const nn_card_list *cards);

/* The download side of a Pd object: a downloader created on first use (with the URL given by
 * `api`, if any), a clock that delivers its events, and the messages around it. Console
 * lines start with `<prefix>:`; `downloaded <card> <path>` goes out of `outlet`. Every live
 * instance is stopped by an exit handler, since `pd quit` exits without freeing objects. */
typedef struct nn_pd_downloads {
    void *owner;
    const char *prefix;
    t_outlet *outlet;
    nn_pd_cards_fn on_list;
    bool show_given; /* usage errors also print the atoms that were given */
    double poll_ms;
    t_clock *clock;
    nn_downloader *downloader;
    t_symbol *api_url;
    struct nn_pd_downloads *next_live;
} nn_pd_downloads;

void nn_pd_downloads_init(nn_pd_downloads *d, void *owner, const char *prefix, t_outlet *outlet, nn_pd_cards_fn on_list,
                          bool show_given, double poll_ms);
void nn_pd_downloads_free(nn_pd_downloads *d);

/* `api <url>`: the model API used from now on. */
void nn_pd_downloads_api(nn_pd_downloads *d, t_symbol *url);

/* Starts fetching the downloadable cards; they reach `on_list` from the clock. */
void nn_pd_downloads_list(nn_pd_downloads *d);

/* `download <card> [<file name>]`, installed in the per-user models folder in the background. */
void nn_pd_downloads_download(nn_pd_downloads *d, int argc, t_atom *argv);

/* `remove <name or card>` (or `delete`: `s` is the selector used): deletes an installed model. */
void nn_pd_downloads_remove(nn_pd_downloads *d, t_symbol *s, int argc, t_atom *argv);

#endif /* NN_PD_H */
