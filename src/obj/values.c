/* nn~ in C — `set` values: host atoms converted by the attribute's type codes.
 * SPDX-License-Identifier: MIT
 *
 * Each atom becomes the element type the model declares, without a text round trip: a
 * bool takes 0/1 or true/false/on/off/yes/no, an int must be a whole number, a float any
 * number, a string any atom, and a tensor or buffer element names a host array (Pd array,
 * Max buffer~ or [array]) that is read at once. Anything else is refused with one line that
 * names the attribute, the element, the expected types and what was given.
 */
#include "obj_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool bool_word(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "on", "yes"};
    static const char *const no[] = {"false", "off", "no"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* One atom into `v` of `type`; false and `why` if it does not fit. Text and array data
 * are allocated and owned by `v` (released by nn_obj_values_free). */
static bool value_from_atom(const nn_host *host, void *owner, nn_type type, const nn_atom *a, double sample_rate,
                            nn_value *v, char *why, size_t why_size)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    char given[256]; /* leaves room for the sentence around it in `why` */
    nn_atom_text(a, given, sizeof given);
    double number = 0;
    switch (type) {
    case NN_TYPE_BOOL:
        if (nn_atom_number(a, &number)) {
            v->b = number != 0;
            return true;
        }
        if (bool_word(a->s, &v->b))
            return true;
        snprintf(why, why_size, "a bool (0/1, true/false, on/off) was expected, got '%s'", given);
        return false;
    case NN_TYPE_INT: {
        long long i = 0;
        if (!nn_atom_whole(a, &i)) {
            snprintf(why, why_size, "a whole number was expected, got '%s'", given);
            return false;
        }
        v->i = i;
        return true;
    }
    case NN_TYPE_FLOAT:
        if (!nn_atom_number(a, &number)) {
            snprintf(why, why_size, "a number was expected, got '%s'", given);
            return false;
        }
        v->f = number;
        return true;
    case NN_TYPE_STRING: {
        char full[NN_OBJ_TEXT];
        nn_atom_text(a, full, sizeof full);
        char *text = malloc(strlen(full) + 1);
        if (!text) {
            snprintf(why, why_size, "out of memory");
            return false;
        }
        strcpy(text, full);
        v->s = text;
        return true;
    }
    case NN_TYPE_TENSOR:
    case NN_TYPE_BUFFER: {
        if (a->type != NN_ATOM_SYMBOL) {
            snprintf(why, why_size, "the name of %s was expected, got '%s'", host->array_name, given);
            return false;
        }
        nn_host_array array = {NULL, 0, 0, 0.0};
        if (!host->read_array || !host->read_array(owner, a->s, type, &array, why, why_size))
            return false;
        v->data = array.data;
        v->channels = array.channels;
        v->frames = array.frames;
        v->sample_rate = array.sample_rate > 0 ? array.sample_rate : sample_rate;
        return true;
    }
    }
    snprintf(why, why_size, "the model declares an unknown type code %d", (int)type);
    return false;
}

void nn_obj_values_free(nn_value *values, int count)
{
    if (!values)
        return;
    for (int i = 0; i < count; i++) {
        free((char *)values[i].s);
        free((float *)values[i].data);
    }
    free(values);
}

bool nn_obj_values_from_atoms(const nn_host *host, void *owner, const char *name, const nn_attribute_info *info,
                              int argc, const nn_atom *argv, double sample_rate, nn_value **out)
{
    *out = NULL;
    char types[NN_OBJ_TEXT];
    nn_types_text(info, types, sizeof types);
    char given[NN_OBJ_TEXT];
    nn_atoms_text(argc, argv, given, sizeof given);
    const char *object = name;
    if (argc != info->count) {
        nn_obj_print(host, owner, object, NN_CONSOLE_ERROR,
                     "set %s: expects %d value(s) (%s), got %d (%s); nothing changed", info->name, info->count, types,
                     argc, given);
        return false;
    }
    nn_value *values = calloc((size_t)(argc > 0 ? argc : 1), sizeof *values);
    if (!values) {
        nn_obj_print(host, owner, object, NN_CONSOLE_ERROR, "set %s: out of memory", info->name);
        return false;
    }
    for (int i = 0; i < argc; i++) {
        char why[NN_OBJ_TEXT];
        if (!value_from_atom(host, owner, info->types[i], &argv[i], sample_rate, &values[i], why, sizeof why)) {
            nn_obj_print(host, owner, object, NN_CONSOLE_ERROR,
                         "set %s: value %d of %d (%s): %s; expected (%s), got (%s); nothing changed", info->name, i + 1,
                         argc, nn_type_name(info->types[i]), why, types, given);
            nn_obj_values_free(values, argc);
            return false;
        }
    }
    *out = values;
    return true;
}
