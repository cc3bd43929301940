/* nntilde — entry point: dispatches to the command named by the first argument.
 * SPDX-License-Identifier: MIT
 *
 * `nntilde <command> [options]`: each command parses its own options and
 * answers `--help`; this file only handles the global `--help`/`--version`
 * and routes the rest, so that an unknown command is a usage error (exit 2).
 */
#include "cli.h"

#include <samplerate.h>
#include <string.h>

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"info", nn_cli_info, "show a model's methods, attributes and sample rate"},
    {"run", nn_cli_run, "render a sound file through a model (offline, latency compensated)"},
    {"bench", nn_cli_bench, "measure speed: real-time factor, block times, overruns"},
    {"doctor", nn_cli_doctor, "check the installation: libtorch, BLAS, threads, CPU, folders"},
    {"models", nn_cli_models, "list installed and downloadable models"},
    {"download", nn_cli_download, "download a model card into the models folder"},
    {"delete", nn_cli_delete, "delete an installed model"},
};

static void print_usage(FILE *to)
{
    fputs("usage: nntilde <command> [options]\n"
          "       nntilde <command> --help\n"
          "       nntilde --version\n\n"
          "Run nn~ models (TorchScript files following the nn~ contract) from the command line.\n\n"
          "commands:\n",
          to);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nexit codes:\n"
          "  0  success\n"
          "  1  the model or the processing failed (also network failures)\n"
          "  2  usage error: bad option, unknown method or attribute, bad value\n"
          "  3  bad input file: model or sound file missing, empty or unreadable\n"
          "  4  the output cannot be written (or OUT's format cannot hold the output)\n\n"
          "MODEL is a path to a .ts file, or a bare name (\".ts\" added when missing) looked up in:\n"
          "  1. the current folder\n"
          "  2. the models folder, where downloads go: $NN_TILDE_MODELS_DIR, else\n"
          "     $XDG_DATA_HOME/nn_tilde/models, else ~/.local/share/nn_tilde/models\n"
          "  3. the example models that come with nntilde (nn_effects, nn_features, nn_hpss):\n"
          "     ../share/nn_tilde/examples next to the nntilde executable\n"
          "  (`nntilde doctor` prints these folders)\n\n"
          "environment: NN_TILDE_MODELS_DIR (models folder), NN_TILDE_API_URL (download API root)\n",
          to);
}

void nn_cli_print_version(void)
{
    printf("nntilde %s (libtorch %s, %s, %s)\n", NN_VERSION_STRING, nn_backend_version(), sf_version_string(),
           src_get_version());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return NN_CLI_USAGE;
    }
    const char *name = argv[1];
    if (nn_cli_is_help(name) || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return NN_CLI_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        nn_cli_print_version();
        return NN_CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    nn_cli_error(NULL, "unknown command '%s' (try 'nntilde --help')", name);
    return NN_CLI_USAGE;
}
