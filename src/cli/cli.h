/* nntilde — declarations shared by the command-line tool's source files.
 * SPDX-License-Identifier: MIT
 *
 * The tool is one executable with one file per command (info, run, bench,
 * doctor, models/download/delete) plus small helpers for errors and exit
 * codes, model opening, attribute values, sound files and the progress bar.
 * Every error is printed once, on stderr, as `nntilde: <subject>: <problem>`,
 * and every command returns one of the documented exit codes below.
 */
#ifndef NN_CLI_H
#define NN_CLI_H

#include "nn/nn.h"

#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (documented in `nntilde --help` and docs/cli.md). */
enum {
    NN_CLI_OK = 0,
    NN_CLI_FAILURE = 1,   /* the model or the processing failed, network errors */
    NN_CLI_USAGE = 2,     /* bad command line: options, method, attribute, value */
    NN_CLI_BAD_INPUT = 3, /* an input file (model or sound) is missing or unreadable */
    NN_CLI_BAD_OUTPUT = 4 /* the output cannot be written */
};

/* ---- errors ------------------------------------------------------------- */

/* Print `nntilde: <subject>: <message>` on stderr (subject may be NULL). */
void nn_cli_error(const char *subject, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print an nn_error about `subject` without repeating the subject when the
 * core's message already starts with it. */
void nn_cli_error_report(const char *subject, const nn_error *err);

/* The exit code a core status stands for, when the failing thing was an
 * input (model files, sound files). */
int nn_cli_exit_code(nn_status status);

/* ---- command-line parsing ----------------------------------------------- */

/* Parse a whole decimal integer in [min, max]; false on anything else. */
bool nn_cli_parse_int(const char *text, long min, long max, long *out);

/* Parse a whole finite number; false on anything else. */
bool nn_cli_parse_double(const char *text, double *out);

/* True when `arg` is --help or -h. */
bool nn_cli_is_help(const char *arg);

/* ---- models ------------------------------------------------------------- */

/* The folder of the example models that come with nntilde:
 * <folder of the executable>/../share/nn_tilde/examples (installed and build
 * tree alike). Written into `buf`; NULL when it cannot be known. */
const char *nn_cli_examples_dir(char *buf, size_t size);

/* Resolve MODEL (a path, or a bare name looked up in the current folder, the
 * models folder, then the example models folder) and load it without calling set_sample_rate, so that
 * nn_model_sample_rate() reports the rate the model declares. Prints the
 * error and returns the exit code on failure, NN_CLI_OK on success. */
int nn_cli_model_open(const char *name, nn_model **out);

/* Parse `ATTR=VALUE` by the attribute's type codes and set it on `model`.
 * Values are comma-separated for multi-value attributes; a tensor or buffer
 * element is a sound file path. Prints the error and returns the exit code on
 * failure. */
int nn_cli_attribute_assign(nn_model *model, const char *assignment);

/* ---- sound files -------------------------------------------------------- */

/* Parse `--format MAJOR[:SUBTYPE]` (e.g. "wav:float", "flac:pcm24"). */
bool nn_cli_format_parse(const char *text, int *major, int *subtype);

/* The major format named by `path`'s extension (0 when unknown); `*ext` is the
 * extension, or NULL when the name has none ("out", ".hidden"). */
int nn_cli_format_extension(const char *path, const char **ext);

/* The --format name of a format's subtype ("pcm16", "float"). */
const char *nn_cli_format_describe(int format);

/* The output format: `requested` major/subtype (0 = unset), else the output
 * path's extension, else the input's format; the subtype follows the input
 * when the major is the same and is valid, else the best one for the major.
 * Returns 0 when no valid format can be made. */
int nn_cli_format_choose(int requested_major, int requested_subtype, const char *out_path, int input_format,
                         int channels, int sample_rate);

/* An output sound file written to a temporary file next to the target and
 * renamed into place by nn_cli_output_commit(), so that no partial file is
 * ever left under the target name. */
typedef struct nn_cli_output nn_cli_output;

int nn_cli_output_open(const char *path, int format, int channels, int sample_rate, nn_cli_output **out);
/* Write interleaved frames; false (with the error printed) on failure. A
 * sample the format's subtype cannot hold (beyond [-1, 1], NaN or infinite,
 * for every subtype but float and double) is refused, never clipped: the error
 * names the value, channel and time, and the caller aborts the output. */
bool nn_cli_output_write(nn_cli_output *output, const float *frames, int64_t count);
/* Frames written so far. */
int64_t nn_cli_output_frames(const nn_cli_output *output);
/* Close and rename into place; prints and returns the exit code. Frees. */
int nn_cli_output_commit(nn_cli_output *output);
/* Close and remove the temporary file. Frees. NULL is a no-op. */
void nn_cli_output_abort(nn_cli_output *output);

/* Read a whole (small) sound file as planar float [channels][frames] for a
 * tensor or buffer attribute. Caller frees *data. */
int nn_cli_sound_read_all(const char *path, float **data, int64_t *channels, int64_t *frames, int *sample_rate);

/* ---- progress bar ------------------------------------------------------- */

typedef struct nn_cli_progress {
    bool enabled;
    double start;
    double last;
    int64_t total;
    double seconds_per_unit; /* audio seconds per unit, for the speed figure */
    bool bytes;              /* a download: units are bytes */
    const char *label;       /* a counted step: "raw", with `unit` ("blocks") */
    const char *unit;
} nn_cli_progress;

/* Enabled only when stderr is a terminal and `quiet` is false. A render:
 * units are frames of `seconds_per_unit` seconds of audio. */
void nn_cli_progress_begin(nn_cli_progress *progress, int64_t total, double seconds_per_unit, bool quiet);
/* A download of `total` bytes: "1.2 of 3.4 MB (2.0 MB/s)". */
void nn_cli_progress_begin_bytes(nn_cli_progress *progress, int64_t total, bool quiet);
/* A step of `total` units: "label [###...]  40%  12 of 30 unit". */
void nn_cli_progress_begin_count(nn_cli_progress *progress, const char *label, int64_t total, const char *unit,
                                 bool quiet);
void nn_cli_progress_update(nn_cli_progress *progress, int64_t done);
void nn_cli_progress_end(nn_cli_progress *progress);

/* Monotonic clock in seconds. */
double nn_cli_now(void);

/* ---- commands ------------------------------------------------------------ */

int nn_cli_info(int argc, char **argv);
int nn_cli_run(int argc, char **argv);
int nn_cli_bench(int argc, char **argv);
int nn_cli_doctor(int argc, char **argv);
int nn_cli_models(int argc, char **argv);
int nn_cli_download(int argc, char **argv);
int nn_cli_delete(int argc, char **argv);

/* Print the version line (`nntilde <version> (libtorch <v>, ...)`). */
void nn_cli_print_version(void);

#endif /* NN_CLI_H */
