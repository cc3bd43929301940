/* nntilde — sound file formats, safe output files, small whole-file reads.
 * SPDX-License-Identifier: MIT
 *
 * Output files are written under a temporary name in the target's folder and
 * renamed into place only when complete (rename is atomic within a folder),
 * so a failure or an interrupt never leaves a partial file under the name the
 * user asked for. The temporary file is removed on failure and on SIGINT /
 * SIGTERM.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- formats -------------------------------------------------------------- */

typedef struct name_code {
    const char *name;
    int code;
} name_code;

/* Extensions libsndfile's own table does not list under these names. */
static const name_code major_aliases[] = {
    {"aif", SF_FORMAT_AIFF}, {"aifc", SF_FORMAT_AIFF}, {"ogg", SF_FORMAT_OGG},
    {"opus", SF_FORMAT_OGG}, {"f32", SF_FORMAT_RAW},   {"wavex", SF_FORMAT_WAVEX},
};

static const name_code subtypes[] = {
    {"pcm8", SF_FORMAT_PCM_S8},   {"u8", SF_FORMAT_PCM_U8},    {"pcm16", SF_FORMAT_PCM_16},
    {"pcm24", SF_FORMAT_PCM_24},  {"pcm32", SF_FORMAT_PCM_32}, {"float", SF_FORMAT_FLOAT},
    {"double", SF_FORMAT_DOUBLE}, {"ulaw", SF_FORMAT_ULAW},    {"alaw", SF_FORMAT_ALAW},
    {"vorbis", SF_FORMAT_VORBIS}, {"opus", SF_FORMAT_OPUS},
};

/* libsndfile major format for a name ("wav") or a path's extension; 0 when unknown. */
static int format_major(const char *name_or_path, bool is_path)
{
    const char *ext = name_or_path;
    if (is_path) {
        const char *slash = strrchr(name_or_path, '/');
        const char *dot = strrchr(slash ? slash + 1 : name_or_path, '.');
        if (!dot)
            return 0;
        ext = dot + 1;
    }
    for (size_t i = 0; i < sizeof major_aliases / sizeof major_aliases[0]; i++) {
        if (strcasecmp(ext, major_aliases[i].name) == 0)
            return major_aliases[i].code;
    }
    int count = 0;
    sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO info = {.format = i};
        sf_command(NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof info);
        if (info.extension && strcasecmp(ext, info.extension) == 0)
            return info.format & SF_FORMAT_TYPEMASK;
    }
    return 0;
}

int nn_cli_format_extension(const char *path, const char **ext)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    /* "out" and ".hidden" have no extension. */
    *ext = dot && dot != base && dot[1] ? dot + 1 : NULL;
    return *ext ? format_major(path, true) : 0;
}

/* The --format name of a subtype ("pcm16"), or NULL. */
static const char *subtype_name(int subtype)
{
    for (size_t i = 0; i < sizeof subtypes / sizeof subtypes[0]; i++) {
        if (subtypes[i].code == subtype)
            return subtypes[i].name;
    }
    return NULL;
}

/* The usual extension of a major format ("wav"), or NULL. */
static const char *major_name(int major)
{
    int count = 0;
    sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
    for (int i = 0; i < count; i++) {
        SF_FORMAT_INFO info = {.format = i};
        sf_command(NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof info);
        if ((info.format & SF_FORMAT_TYPEMASK) == major)
            return info.extension;
    }
    return NULL;
}

bool nn_cli_format_parse(const char *text, int *major, int *subtype)
{
    char buf[64];
    if (strlen(text) >= sizeof buf)
        return false;
    strcpy(buf, text);
    char *colon = strchr(buf, ':');
    *subtype = 0;
    if (colon) {
        *colon = '\0';
        bool found = false;
        for (size_t i = 0; i < sizeof subtypes / sizeof subtypes[0]; i++) {
            if (strcasecmp(colon + 1, subtypes[i].name) == 0) {
                *subtype = subtypes[i].code;
                found = true;
            }
        }
        if (!found)
            return false;
    }
    *major = format_major(buf, false);
    return *major != 0;
}

static bool format_valid(int format, int channels, int sample_rate)
{
    SF_INFO info = {.samplerate = sample_rate, .channels = channels, .format = format};
    return sf_format_check(&info) != 0;
}

int nn_cli_format_choose(int requested_major, int requested_subtype, const char *out_path, int input_format,
                         int channels, int sample_rate)
{
    int input_major = input_format & SF_FORMAT_TYPEMASK;
    int major = requested_major ? requested_major : format_major(out_path, true);
    if (!major)
        major = input_major;
    if (requested_subtype)
        return format_valid(major | requested_subtype, channels, sample_rate) ? major | requested_subtype : 0;
    int same = major | (input_format & SF_FORMAT_SUBMASK);
    if (major == input_major && format_valid(same, channels, sample_rate))
        return same;
    /* Best quality the container can hold: float first, so a model's output
     * beyond [-1, 1] (latents) survives; then the widest integer PCM. */
    static const int preferred[] = {SF_FORMAT_FLOAT,  SF_FORMAT_PCM_24, SF_FORMAT_PCM_16,
                                    SF_FORMAT_VORBIS, SF_FORMAT_OPUS,   SF_FORMAT_PCM_S8};
    for (size_t i = 0; i < sizeof preferred / sizeof preferred[0]; i++) {
        if (format_valid(major | preferred[i], channels, sample_rate))
            return major | preferred[i];
    }
    return 0;
}

/* ---- output files ----------------------------------------------------------- */

struct nn_cli_output {
    SNDFILE *file;
    int fd; /* ours to close: libsndfile does not own it */
    char *path;
    char *temp; /* NULL when writing straight into an existing non-regular file */
    int format;
    int channels;
    int sample_rate;
    bool bounded;    /* the subtype holds [-1, 1] only: anything beyond would be clipped */
    int64_t written; /* frames */
};

/* The temporary file to remove if the process is interrupted. Only one output
 * is open at a time in this tool. */
static char signal_temp[4096];
static volatile sig_atomic_t signal_temp_set;

static void on_signal(int sig)
{
    if (signal_temp_set)
        unlink(signal_temp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void guard_temp(const char *temp)
{
    if (temp && strlen(temp) < sizeof signal_temp) {
        strcpy(signal_temp, temp);
        signal_temp_set = 1;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGQUIT, &sa, NULL);
    } else {
        signal_temp_set = 0;
    }
}

static void output_free(nn_cli_output *output)
{
    guard_temp(NULL);
    free(output->path);
    free(output->temp);
    free(output);
}

static int output_finish_open(nn_cli_output *output, int fd, int format, int channels, int sample_rate);

/* An existing OUT that is not a regular file (/dev/null, /dev/stdout, a FIFO) is written
 * through, never renamed over: the rename would replace the device or pipe itself. */
static int output_open_through(const char *path, int format, int channels, int sample_rate, nn_cli_output **out)
{
    nn_cli_output *output = calloc(1, sizeof *output);
    if (!output || !(output->path = strdup(path))) {
        nn_cli_error(NULL, "out of memory");
        if (output)
            output_free(output);
        return NN_CLI_FAILURE;
    }
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        nn_cli_error(path, "cannot write: %s", strerror(errno));
        output_free(output);
        return NN_CLI_BAD_OUTPUT;
    }
    int code = output_finish_open(output, fd, format, channels, sample_rate);
    if (code == NN_CLI_OK)
        *out = output;
    return code;
}

int nn_cli_output_open(const char *path, int format, int channels, int sample_rate, nn_cli_output **out)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        nn_cli_error(path, "is a directory");
        return NN_CLI_BAD_OUTPUT;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return output_open_through(path, format, channels, sample_rate, out);
    /* A symbolic link is followed: its target is replaced, the link stays. */
    char *resolved = NULL;
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        resolved = realpath(path, NULL);
        if (!resolved) {
            nn_cli_error(path, "is a symbolic link whose target cannot be resolved (%s): not written",
                         strerror(errno));
            return NN_CLI_BAD_OUTPUT;
        }
        path = resolved;
    }
    nn_cli_output *output = calloc(1, sizeof *output);
    size_t len = strlen(path);
    if (!output || !(output->path = strdup(path)) || !(output->temp = malloc(len + 32))) {
        nn_cli_error(NULL, "out of memory");
        if (output)
            output_free(output);
        free(resolved);
        return NN_CLI_FAILURE;
    }
    free(resolved);
    path = output->path;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(output->temp, len + 32, "%.*s.%s.nntilde-XXXXXX", (int)dir_len, path, path + dir_len);
    int fd = mkstemp(output->temp);
    if (fd < 0) {
        nn_cli_error(path, "cannot write: %s", strerror(errno));
        output_free(output);
        return NN_CLI_BAD_OUTPUT;
    }
    guard_temp(output->temp);
    /* mkstemp creates 0600; give the result the permissions a plain create would. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        nn_cli_error(path, "cannot write: %s", strerror(errno));
        close(fd);
        unlink(output->temp);
        output_free(output);
        return NN_CLI_BAD_OUTPUT;
    }
    int code = output_finish_open(output, fd, format, channels, sample_rate);
    if (code == NN_CLI_OK)
        *out = output;
    return code;
}

static int output_finish_open(nn_cli_output *output, int fd, int format, int channels, int sample_rate)
{
    SF_INFO info = {.samplerate = sample_rate, .channels = channels, .format = format};
    output->file = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
    output->fd = fd;
    if (!output->file) {
        nn_cli_error(output->path, "cannot write this format%s: %s", output->temp ? "" : " to a non-seekable file",
                     sf_strerror(NULL));
        close(fd);
        if (output->temp)
            unlink(output->temp);
        output_free(output);
        return NN_CLI_BAD_OUTPUT;
    }
    /* Integer formats would clip (or wrap): nn_cli_output_write refuses such samples first. */
    sf_command(output->file, SFC_SET_CLIPPING, NULL, SF_TRUE);
    int subtype = format & SF_FORMAT_SUBMASK;
    output->format = format;
    output->channels = channels;
    output->sample_rate = sample_rate;
    output->bounded = subtype != SF_FORMAT_FLOAT && subtype != SF_FORMAT_DOUBLE;
    return NN_CLI_OK;
}

/* Refuse a sample the output's subtype cannot hold rather than let it be clipped: the first
 * one is named with its channel and time, and the fix (a float format) is given. */
static bool check_bounded(nn_cli_output *output, const float *frames, int64_t count)
{
    int64_t n = count * output->channels;
    for (int64_t i = 0; i < n; i++) {
        float v = frames[i];
        if (v >= -1.0f && v <= 1.0f)
            continue;
        int major = output->format & SF_FORMAT_TYPEMASK;
        const char *sub = subtype_name(output->format & SF_FORMAT_SUBMASK);
        const char *ext = major_name(major);
        SF_INFO probe = {
            .samplerate = output->sample_rate, .channels = output->channels, .format = major | SF_FORMAT_FLOAT};
        bool has_float = ext && sf_format_check(&probe);
        double at = (double)(output->written + i / output->channels) / output->sample_rate;
        nn_cli_error(output->path,
                     "output sample %g (channel %d at %.3f s) does not fit %s samples, which hold -1 to 1; "
                     "refusing to clip: nothing written (keep the values with --format %s:float)",
                     (double)v, (int)(i % output->channels) + 1, at, sub ? sub : "these", has_float ? ext : "wav");
        return false;
    }
    return true;
}

bool nn_cli_output_write(nn_cli_output *output, const float *frames, int64_t count)
{
    if (count <= 0)
        return true;
    if (output->bounded && !check_bounded(output, frames, count))
        return false;
    if (sf_writef_float(output->file, frames, count) != count) {
        nn_cli_error(output->path, "write failed: %s", sf_strerror(output->file));
        return false;
    }
    output->written += count;
    return true;
}

int64_t nn_cli_output_frames(const nn_cli_output *output)
{
    return output->written;
}

const char *nn_cli_format_describe(int format)
{
    const char *sub = subtype_name(format & SF_FORMAT_SUBMASK);
    return sub ? sub : "?";
}

int nn_cli_output_commit(nn_cli_output *output)
{
    int code = NN_CLI_OK;
    sf_write_sync(output->file);
    int closed = sf_close(output->file);
    int fd_closed = close(output->fd);
    if (closed != 0 || fd_closed != 0) {
        nn_cli_error(output->path, "write failed: %s", closed ? sf_error_number(closed) : strerror(errno));
        code = NN_CLI_BAD_OUTPUT;
    } else if (output->temp && rename(output->temp, output->path) != 0) {
        nn_cli_error(output->path, "cannot write: %s", strerror(errno));
        code = NN_CLI_BAD_OUTPUT;
    }
    if (code != NN_CLI_OK && output->temp)
        unlink(output->temp);
    output_free(output);
    return code;
}

void nn_cli_output_abort(nn_cli_output *output)
{
    if (!output)
        return;
    sf_close(output->file);
    close(output->fd);
    if (output->temp)
        unlink(output->temp);
    output_free(output);
}

/* ---- whole-file reads (attribute values) -------------------------------------- */

/* Attribute sound files are loaded whole; this bounds them to 256 MiB. */
#define NN_CLI_MAX_ATTRIBUTE_SAMPLES (64LL * 1024 * 1024)

int nn_cli_sound_read_all(const char *path, float **data, int64_t *channels, int64_t *frames, int *sample_rate)
{
    *data = NULL;
    SF_INFO info = {0};
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (!file) {
        nn_cli_error(path, "cannot read sound file: %s", sf_strerror(NULL));
        return NN_CLI_BAD_INPUT;
    }
    if (info.frames <= 0) {
        nn_cli_error(path, "empty sound file (0 frames)");
        sf_close(file);
        return NN_CLI_BAD_INPUT;
    }
    if ((long long)info.frames * info.channels > NN_CLI_MAX_ATTRIBUTE_SAMPLES) {
        nn_cli_error(path, "too long for an attribute value (%lld frames)", (long long)info.frames);
        sf_close(file);
        return NN_CLI_BAD_INPUT;
    }
    size_t total = (size_t)info.frames * (size_t)info.channels;
    float *interleaved = malloc(total * sizeof *interleaved);
    float *planar = malloc(total * sizeof *planar);
    if (!interleaved || !planar) {
        nn_cli_error(NULL, "out of memory");
        free(interleaved);
        free(planar);
        sf_close(file);
        return NN_CLI_FAILURE;
    }
    sf_count_t got = sf_readf_float(file, interleaved, info.frames);
    sf_close(file);
    if (got != info.frames) {
        nn_cli_error(path, "cannot read sound file: truncated (%lld of %lld frames)", (long long)got,
                     (long long)info.frames);
        free(interleaved);
        free(planar);
        return NN_CLI_BAD_INPUT;
    }
    for (sf_count_t t = 0; t < info.frames; t++) {
        for (int c = 0; c < info.channels; c++)
            planar[(size_t)c * (size_t)info.frames + (size_t)t] =
                interleaved[(size_t)t * (size_t)info.channels + (size_t)c];
    }
    free(interleaved);
    *data = planar;
    *channels = info.channels;
    *frames = info.frames;
    *sample_rate = info.samplerate;
    return NN_CLI_OK;
}
