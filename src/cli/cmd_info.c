/* nntilde info — print what a model file offers, as text or JSON.
 * SPDX-License-Identifier: MIT
 *
 * Methods with their [in_channels, in_ratio, out_channels, out_ratio] and
 * labels, attributes with type codes and current values (read through the
 * model's getters), buffer attributes, and the sample rate the model declares.
 * The JSON form uses the same keys as the test-model generator's metadata
 * (docs/test-models.md) so that scripts can compare the two directly.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fputs("usage: nntilde info MODEL [--json]\n\n"
          "Show a model's methods (channels, ratios, labels), attributes (types and current\n"
          "values), buffer attributes and declared sample rate.\n\n"
          "MODEL is a path, or a name looked up in the current folder, the models folder, then\n"
          "the example models that come with nntilde ('.ts' is added when missing; see\n"
          "'nntilde --help').\n\n"
          "options:\n"
          "  --json      machine-readable output on stdout\n"
          "  -h, --help  this help\n"
          "  --version   print the version\n\n"
          "exit codes: 0 ok, 1 model failure, 2 usage error, 3 bad model file\n",
          to);
}

static cJSON *value_to_json(const nn_value *v)
{
    switch (v->type) {
    case NN_TYPE_BOOL: return cJSON_CreateBool(v->b);
    case NN_TYPE_INT: return cJSON_CreateNumber((double)v->i);
    case NN_TYPE_FLOAT: return cJSON_CreateNumber(v->f);
    default: return cJSON_CreateString(v->s ? v->s : "");
    }
}

static cJSON *labels_to_json(const char *const *labels, int count)
{
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; labels && i < count; i++)
        cJSON_AddItemToArray(array, cJSON_CreateString(labels[i] ? labels[i] : ""));
    return array;
}

static int print_json(nn_model *model)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", nn_model_path(model));
    cJSON *methods = cJSON_AddArrayToObject(root, "methods");
    for (int m = 0; m < nn_model_method_count(model); m++) {
        const nn_method_info *info = nn_model_method(model, m);
        cJSON *method = cJSON_CreateObject();
        cJSON_AddStringToObject(method, "name", info->name);
        const int params[4] = {info->in_channels, info->in_ratio, info->out_channels, info->out_ratio};
        cJSON_AddItemToObject(method, "params", cJSON_CreateIntArray(params, 4));
        cJSON_AddItemToObject(method, "input_labels", labels_to_json(info->input_labels, info->in_channels));
        cJSON_AddItemToObject(method, "output_labels", labels_to_json(info->output_labels, info->out_channels));
        cJSON_AddItemToArray(methods, method);
    }
    cJSON *attributes = cJSON_AddArrayToObject(root, "attributes");
    for (int a = 0; a < nn_model_attribute_count(model); a++) {
        const nn_attribute_info *info = nn_model_attribute(model, a);
        cJSON *attribute = cJSON_CreateObject();
        cJSON_AddStringToObject(attribute, "name", info->name);
        cJSON *types = cJSON_AddArrayToObject(attribute, "types");
        cJSON *names = cJSON_AddArrayToObject(attribute, "type_names");
        for (int i = 0; i < info->count; i++) {
            cJSON_AddItemToArray(types, cJSON_CreateNumber(info->types[i]));
            cJSON_AddItemToArray(names, cJSON_CreateString(nn_type_name(info->types[i])));
        }
        nn_value_list values = {0};
        nn_error err;
        nn_error_clear(&err);
        if (nn_model_attribute_get(model, a, &values, &err) == NN_OK) {
            cJSON *array = cJSON_AddArrayToObject(attribute, "values");
            for (int i = 0; i < values.count; i++)
                cJSON_AddItemToArray(array, value_to_json(&values.values[i]));
        } else {
            cJSON_AddNullToObject(attribute, "values");
            cJSON_AddStringToObject(attribute, "error", err.message);
        }
        nn_value_list_clear(&values);
        cJSON_AddItemToArray(attributes, attribute);
    }
    cJSON *buffers = cJSON_AddArrayToObject(root, "buffer_attributes");
    for (int b = 0; b < nn_model_buffer_count(model); b++)
        cJSON_AddItemToArray(buffers, cJSON_CreateString(nn_model_buffer_name(model, b)));
    cJSON_AddBoolToObject(root, "has_set_sample_rate", nn_model_has_sample_rate(model));
    int sr = nn_model_sample_rate(model);
    if (sr > 0)
        cJSON_AddNumberToObject(root, "sample_rate", sr);
    else
        cJSON_AddNullToObject(root, "sample_rate");
    cJSON_AddNumberToObject(root, "max_ratio", nn_model_max_ratio(model));

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        nn_cli_error(NULL, "out of memory");
        return NN_CLI_FAILURE;
    }
    puts(text);
    cJSON_free(text);
    return NN_CLI_OK;
}

static void print_labels(const char *title, const char *const *labels, int count)
{
    if (!labels || count <= 0)
        return;
    printf("      %s:", title);
    for (int i = 0; i < count; i++)
        printf("%s \"%s\"", i ? "," : "", labels[i] ? labels[i] : "");
    putchar('\n');
}

static int print_text(nn_model *model)
{
    printf("model: %s\n", nn_model_path(model));
    int sr = nn_model_sample_rate(model);
    if (sr > 0)
        printf("sample rate: %d Hz (declared by the model; 'run' resamples other rates)\n", sr);
    else
        printf("sample rate: not declared (runs at the sound file's rate)\n");
    printf("set_sample_rate: %s\n", nn_model_has_sample_rate(model) ? "yes" : "no");
    printf("largest ratio: %d (smallest buffer size)\n", nn_model_max_ratio(model));

    printf("methods (%d):\n", nn_model_method_count(model));
    for (int m = 0; m < nn_model_method_count(model); m++) {
        const nn_method_info *info = nn_model_method(model, m);
        printf("  %s  [%d, %d, %d, %d]  in: %d channel%s, ratio %d; out: %d channel%s, ratio %d\n", info->name,
               info->in_channels, info->in_ratio, info->out_channels, info->out_ratio, info->in_channels,
               info->in_channels == 1 ? "" : "s", info->in_ratio, info->out_channels,
               info->out_channels == 1 ? "" : "s", info->out_ratio);
        print_labels("inputs", info->input_labels, info->in_channels);
        print_labels("outputs", info->output_labels, info->out_channels);
    }

    printf("attributes (%d):\n", nn_model_attribute_count(model));
    for (int a = 0; a < nn_model_attribute_count(model); a++) {
        const nn_attribute_info *info = nn_model_attribute(model, a);
        printf("  %s (", info->name);
        for (int i = 0; i < info->count; i++)
            printf("%s%s", i ? ", " : "", nn_type_name(info->types[i]));
        printf(") = ");
        nn_value_list values = {0};
        nn_error err;
        nn_error_clear(&err);
        if (nn_model_attribute_get(model, a, &values, &err) == NN_OK) {
            for (int i = 0; i < values.count; i++) {
                char buf[512];
                nn_value_format(&values.values[i], buf, sizeof buf);
                printf("%s%s", i ? " " : "", buf);
            }
            putchar('\n');
        } else {
            printf("(unreadable: %s)\n", err.message);
        }
        nn_value_list_clear(&values);
    }

    int buffers = nn_model_buffer_count(model);
    if (buffers > 0) {
        printf("buffer attributes (%d):", buffers);
        for (int b = 0; b < buffers; b++)
            printf(" %s", nn_model_buffer_name(model, b));
        putchar('\n');
    }
    return NN_CLI_OK;
}

int nn_cli_info(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'h': usage(stdout); return NN_CLI_OK;
        case 'V': nn_cli_print_version(); return NN_CLI_OK;
        default:
            nn_cli_error("info", "unknown option '%s' (try 'nntilde info --help')", argv[optind - 1]);
            return NN_CLI_USAGE;
        }
    }
    if (argc - optind != 1) {
        nn_cli_error("info", "expected one MODEL (try 'nntilde info --help')");
        return NN_CLI_USAGE;
    }
    nn_model *model;
    int code = nn_cli_model_open(argv[optind], &model);
    if (code != NN_CLI_OK)
        return code;
    code = json ? print_json(model) : print_text(model);
    nn_model_free(model);
    return code;
}
