/* nn~ in C — pieces of the object layer shared by its own files (not by hosts).
 * SPDX-License-Identifier: MIT
 */
#ifndef NN_OBJ_INTERNAL_H
#define NN_OBJ_INTERNAL_H

#include "nn_obj.h"

#include <stdarg.h>

/* Longest text of one console line or one formatted atom list. */
#define NN_OBJ_TEXT 1024

void nn_obj_vprint(const nn_host *host, void *owner, const char *name, nn_console_level level, const char *fmt,
                   va_list ap);

/* ---- reports: the messages that describe a model (nn~ bang/dump/get, nn.info) ----------- */

/* `methods m1 m2 ...` */
void nn_report_methods(const nn_host *host, void *owner, int outlet, const nn_model *model);
/* `attributes a1 a2 ...` */
void nn_report_attributes(const nn_host *host, void *owner, int outlet, const nn_model *model);
/* `params <method> in_ch in_ratio out_ch out_ratio`, `input_labels <method> ...`,
 * `output_labels <method> ...` */
void nn_report_method_params(const nn_host *host, void *owner, int outlet, const nn_model *model, int index);
/* `types <attribute> <type names...>` */
void nn_report_attribute_types(const nn_host *host, void *owner, int outlet, const nn_model *model, int index);
/* `value <attribute> v1 v2 ...`: bools and numbers as numbers, the rest as symbols. */
void nn_report_value(const nn_host *host, void *owner, int outlet, const char *attribute, const nn_value_list *values);

/* Names of the model's methods (or attributes) separated by spaces, `empty` if none. */
void nn_names_text(const nn_model *model, bool attributes, const char *empty, char *buf, size_t size);
/* The element types of an attribute, e.g. "int, float". */
void nn_types_text(const nn_attribute_info *info, char *buf, size_t size);
/* The file name part of a path. */
const char *nn_file_name(const char *path);

/* ---- `set` values ------------------------------------------------------------------------ */

/* Converts `argc` atoms into values for attribute `info`: a value per element, by the
 * element's type code, without a text round trip. On success `values` (count info->count)
 * must be released with nn_obj_values_free. On failure prints one error naming the
 * attribute, the element, the expected types and what was given, and returns false. */
bool nn_obj_values_from_atoms(const nn_host *host, void *owner, const char *name, const nn_attribute_info *info,
                              int argc, const nn_atom *argv, double sample_rate, nn_value **values);
void nn_obj_values_free(nn_value *values, int count);

/* ---- downloads ----------------------------------------------------------------------------- */

typedef void (*nn_obj_cards_fn)(void *object, const nn_card_list *cards);

/* The download side of an object: a downloader made on first use (with the `api` URL, if
 * any) whose events the object's tick delivers. Console lines start with the object's
 * name; `downloaded <card> <path>` goes out of `outlet`. */
nn_obj_downloads *nn_downloads_new(const nn_host *host, void *owner, const char *name, int outlet,
                                   nn_obj_cards_fn on_list, void *object);
void nn_downloads_free(nn_obj_downloads *d);
/* Messages api, print_available_models (list), download, remove/delete; true if handled. */
bool nn_downloads_message(nn_obj_downloads *d, const char *selector, int argc, const nn_atom *argv);
void nn_downloads_list(nn_obj_downloads *d);
/* Delivers events; true while more may come (poll again later). */
bool nn_downloads_tick(nn_obj_downloads *d);

#endif /* NN_OBJ_INTERNAL_H */
