/* nn~ in C — libFuzzer target: `set` values, host atoms converted by an attribute's types.
 * SPDX-License-Identifier: MIT
 *
 * The input describes an attribute (how many values it takes and their type codes, unknown
 * codes included) and a message (ints, floats with any bit pattern, symbols of any bytes),
 * and goes through nn_obj_values_from_atoms with a host whose arrays exist or not by name.
 * What must hold: a conversion either succeeds silently with one value of the declared
 * type per atom (ints exactly the atom's whole number, arrays the host's data), or fails
 * with exactly one console error; and every value formats and frees cleanly (LeakSanitizer
 * checks that nothing is lost on either path).
 *
 * src/obj/common.c also holds the model lookup and the reports, which call into the model
 * (libtorch): those four functions are never reached from here and abort if they are.
 */
#include "nn_obj.h"
#include "obj_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 6

static int console_errors;
static int console_lines;

static void fuzz_console(void *owner, nn_console_level level, const char *text)
{
    (void)owner;
    if (!text || !text[0])
        abort();
    console_lines++;
    if (level == NN_CONSOLE_ERROR)
        console_errors++;
}

/* An array exists when its name starts with 'a': frames from the name's length, two
 * channels for a buffer. Other names are refused with a reason, as a host does. */
static bool fuzz_read_array(void *owner, const char *name, nn_type type, nn_host_array *out, char *why,
                            size_t why_size)
{
    (void)owner;
    if (name[0] != 'a') {
        snprintf(why, why_size, "there is no array named '%s'", name);
        return false;
    }
    int channels = type == NN_TYPE_BUFFER ? 2 : 1;
    int frames = (int)strlen(name);
    out->data = calloc((size_t)(channels * frames), sizeof(float));
    if (!out->data) {
        snprintf(why, why_size, "out of memory");
        return false;
    }
    out->channels = channels;
    out->frames = frames;
    out->sample_rate = (name[1] == 'r') ? 44100.0 : 0.0;
    return true;
}

static const nn_host host = {
    .console = fuzz_console,
    .read_array = fuzz_read_array,
    .prefix_console = true,
    .search_path_name = "the fuzz path",
    .array_name = "an array",
};

/* Reads `n` bytes (zeros past the end). */
static void take(const uint8_t **data, size_t *size, void *out, size_t n)
{
    size_t have = *size < n ? *size : n;
    memset(out, 0, n);
    memcpy(out, *data, have);
    *data += have;
    *size -= have;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t head[2];
    take(&data, &size, head, sizeof head);
    int count = head[0] % (MAX_VALUES + 1);
    int argc = head[1] % (MAX_VALUES + 1);

    nn_type types[MAX_VALUES];
    for (int i = 0; i < count; i++) {
        uint8_t code;
        take(&data, &size, &code, 1);
        types[i] = (nn_type)(code % 7); /* 6 is no type the contract defines */
    }
    nn_attribute_info info = {"fuzzed", count, types};

    nn_atom argv[MAX_VALUES];
    char *texts[MAX_VALUES] = {NULL};
    for (int i = 0; i < argc; i++) {
        uint8_t kind;
        take(&data, &size, &kind, 1);
        if (kind % 3 == 0) {
            long long v;
            take(&data, &size, &v, sizeof v);
            argv[i] = nn_atom_int(v);
        } else if (kind % 3 == 1) {
            double v;
            take(&data, &size, &v, sizeof v);
            argv[i] = nn_atom_float(v);
        } else {
            uint8_t len;
            take(&data, &size, &len, 1);
            texts[i] = calloc((size_t)len + 1, 1);
            if (!texts[i])
                abort();
            take(&data, &size, texts[i], len);
            argv[i] = nn_atom_symbol(texts[i]); /* stops at an embedded NUL, like a host's text */
        }
    }

    console_errors = console_lines = 0;
    nn_value *values = NULL;
    bool ok = nn_obj_values_from_atoms(&host, NULL, "nn~", &info, argc, argv, 48000.0, &values);
    if (!ok) {
        if (values || console_errors != 1 || console_lines != 1)
            abort();
    } else {
        if (!values || console_lines != 0 || argc != count)
            abort();
        for (int i = 0; i < argc; i++) {
            const nn_value *v = &values[i];
            if (v->type != types[i])
                abort();
            long long whole;
            if (v->type == NN_TYPE_INT && (!nn_atom_whole(&argv[i], &whole) || whole != v->i))
                abort();
            if (v->type == NN_TYPE_FLOAT && argv[i].type == NN_ATOM_SYMBOL)
                abort();
            if (v->type == NN_TYPE_STRING && !v->s)
                abort();
            if ((v->type == NN_TYPE_TENSOR || v->type == NN_TYPE_BUFFER) &&
                (!v->data || v->frames < 1 || v->channels < 1 || !(v->sample_rate > 0)))
                abort();
            char text[64];
            if (nn_value_format(v, text, sizeof text) < 0)
                abort();
        }
        nn_obj_values_free(values, argc);
    }
    for (int i = 0; i < argc; i++)
        free(texts[i]);
    return 0;
}

/* Reached only by the model lookup and the reports in src/obj/common.c, never from here. */
int nn_model_attribute_count(const nn_model *model)
{
    (void)model;
    abort();
}
int nn_model_method_count(const nn_model *model)
{
    (void)model;
    abort();
}
const nn_attribute_info *nn_model_attribute(const nn_model *model, int index)
{
    (void)model, (void)index;
    abort();
}
const nn_method_info *nn_model_method(const nn_model *model, int index)
{
    (void)model, (void)index;
    abort();
}
