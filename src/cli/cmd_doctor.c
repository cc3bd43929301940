/* nntilde doctor — check what makes models slow or unfindable, and say how to fix it.
 * SPDX-License-Identifier: MIT
 *
 * The usual causes of "nn~ is slow" or "model not found" are outside our
 * code: the reference BLAS selected by Debian's alternatives (about 8x slower
 * than OpenBLAS for RAVE), oversubscribed threads, a CPU without AVX2, a
 * models folder that is not where the user thinks. This command reports each
 * of them with the fix, and exits 1 when something needs fixing.
 */
#include "cli.h"

#include <dirent.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *to)
{
    fputs("usage: nntilde doctor\n\n"
          "Check the installation: libtorch version, the BLAS library in use (and the fix when it\n"
          "is the slow reference BLAS), thread settings, CPU features, where models are looked up\n"
          "and the download API URL.\n\n"
          "exit codes: 0 nothing to fix, 1 something needs fixing (see the 'fix:' lines),\n"
          "2 usage error\n",
          to);
}

static int problems;

static void fix(const char *what, const char *how)
{
    problems++;
    printf("  problem: %s\n  fix:     %s\n", what, how);
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static void check_blas(void)
{
    const char *blas = nn_backend_blas();
    printf("BLAS:               %s\n", blas);
    bool optimised = strstr(blas, "openblas") || strstr(blas, "mkl") || strstr(blas, "blis") || strstr(blas, "atlas") ||
                     strstr(blas, "Accelerate");
    if (strcmp(blas, "unknown") == 0) {
        printf("  note: the BLAS library could not be identified\n");
    } else if (!optimised) {
        fix("this is the reference BLAS: models run several times slower (a RAVE model about 8x)",
            "sudo apt-get install libopenblas0-pthread   (or pick OpenBLAS with: sudo update-alternatives "
            "--config libblas.so.3-$(uname -m)-linux-gnu)");
    }
}

static void check_threads(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("CPUs online:        %ld\n", cpus);
    printf("libtorch threads:   %d intra-op thread%s per inference\n", nn_backend_threads(),
           nn_backend_threads() == 1 ? "" : "s");
    printf("OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s MKL_NUM_THREADS=%s\n", env_or("OPENBLAS_NUM_THREADS", "(unset)"),
           env_or("OMP_NUM_THREADS", "(unset)"), env_or("MKL_NUM_THREADS", "(unset)"));
    const char *openblas = getenv("OPENBLAS_NUM_THREADS");
    if (openblas && atoi(openblas) > 1 && cpus > 0 && atoi(openblas) * nn_backend_threads() > cpus)
        fix("OPENBLAS_NUM_THREADS times the libtorch threads exceeds the CPU count: threads fight for cores",
            "export OPENBLAS_NUM_THREADS=1");
}

static void check_cpu(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) {
        printf("CPU:                /proc/cpuinfo not readable\n");
        return;
    }
    char line[8192];
    char model[256] = "unknown";
    char flags[8192] = "";
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *value = colon + 1;
        while (*value == ' ')
            value++;
        value[strcspn(value, "\n")] = '\0';
        if (strncmp(line, "model name", 10) == 0 && strcmp(model, "unknown") == 0)
            snprintf(model, sizeof model, "%s", value);
        else if ((strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0) && !flags[0])
            snprintf(flags, sizeof flags, " %s ", value);
    }
    fclose(f);
    printf("CPU:                %s\n", model);
    static const char *const wanted[] = {"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "asimd"};
    printf("CPU features:      ");
    bool has_avx2 = false, is_x86 = false;
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, " %s ", wanted[i]);
        bool has = strstr(flags, key) != NULL;
        if (has)
            printf(" %s", wanted[i]);
        if (has && strcmp(wanted[i], "avx2") == 0)
            has_avx2 = true;
        if (has && strcmp(wanted[i], "sse4_2") == 0)
            is_x86 = true;
    }
    putchar('\n');
    if (is_x86 && !has_avx2)
        fix("the CPU has no AVX2: libtorch falls back to slow kernels", "run models on a CPU with AVX2 and FMA");
}

/* Number of *.ts files in `dir`, -1 when it cannot be read. */
static int count_models(const char *dir)
{
    int count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".ts") == 0)
            count++;
    }
    closedir(d);
    return count;
}

static void check_models_dir(void)
{
    char dir[4096];
    if (nn_models_dir(dir, sizeof dir) != NN_OK) {
        fix("the models folder path does not fit", "set NN_TILDE_MODELS_DIR to a shorter path");
        return;
    }
    printf("models folder:      %s\n", dir);
    printf("NN_TILDE_MODELS_DIR=%s\n", env_or("NN_TILDE_MODELS_DIR", "(unset)"));
    struct stat st;
    if (stat(dir, &st) != 0) {
        printf("  note: it does not exist yet (created by the first download)\n");
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        fix("the models folder is not a directory", "remove that file or set NN_TILDE_MODELS_DIR elsewhere");
        return;
    }
    if (access(dir, W_OK) != 0)
        fix("the models folder is not writable: downloads will fail",
            "fix its permissions or set NN_TILDE_MODELS_DIR to a writable folder");
    int count = count_models(dir);
    printf("  %d model%s installed (nntilde models lists them)\n", count, count == 1 ? "" : "s");
}

static void check_examples_dir(void)
{
    char dir[4096];
    if (!nn_cli_examples_dir(dir, sizeof dir)) {
        printf("example models:     unknown (the executable's folder cannot be read)\n");
        return;
    }
    printf("example models:     %s\n", dir);
    int count = count_models(dir);
    if (count < 0)
        printf("  note: not there: install nntilde with 'cmake --install <build> --component cli'\n");
    else
        printf("  %d example model%s, found by bare name after the models folder\n", count, count == 1 ? "" : "s");
}

int nn_cli_doctor(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (nn_cli_is_help(argv[i])) {
            usage(stdout);
            return NN_CLI_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            nn_cli_print_version();
            return NN_CLI_OK;
        }
        nn_cli_error("doctor", "unexpected argument '%s' (try 'nntilde doctor --help')", argv[i]);
        return NN_CLI_USAGE;
    }
    problems = 0;
    printf("nntilde:            %s\n", NN_VERSION_STRING);
    printf("libtorch:           %s (%s)\n", nn_backend_version(),
           nn_backend_has_cuda() ? "CUDA available" : "CPU only");
    printf("libsndfile:         %s\n", sf_version_string());
    printf("libsamplerate:      %s\n", src_get_version());
    check_blas();
    check_threads();
    check_cpu();
    check_models_dir();
    check_examples_dir();
    printf("download API:       %s\n", nn_api_url());
    printf("NN_TILDE_API_URL=%s\n", env_or("NN_TILDE_API_URL", "(unset)"));
    if (problems) {
        printf("%d thing%s to fix\n", problems, problems == 1 ? "" : "s");
        return NN_CLI_FAILURE;
    }
    printf("nothing to fix\n");
    return NN_CLI_OK;
}
