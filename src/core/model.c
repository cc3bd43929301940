/* nn~ in C — the model handle: loading checks, metadata, typed attributes, reload, runtime settings.
 * SPDX-License-Identifier: MIT
 *
 * Everything about a model that does not need libtorch lives here, in C: the
 * file checks that give each unreadable path its own status, the metadata
 * tables read once at load, the conversion and checking of attribute values
 * against their type codes before the model is called, the record of values
 * set by the user (deep copies) that nn_model_reload re-applies, and the
 * process-wide thread and BLAS settings. Calls into TorchScript go through
 * the private interface in src/backend/torch_backend.h.
 */
/* realpath, PATH_MAX and RTLD_DEFAULT are POSIX/GNU, outside strict C11. */
#define _GNU_SOURCE

#include "../backend/torch_backend.h"
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* One successful user action, replayed in order by nn_model_reload. */
typedef struct nn_model_record {
    char *attribute; /* by name: indices may differ in the reloaded file */
    int element;     /* -1: attribute set with `values`; >= 0: buffer element cleared */
    int count;
    nn_value *values; /* deep copies (strings, tensor and buffer data) */
} nn_model_record;

struct nn_model {
    char *path;
    const char *file; /* last path component, for messages */
    nn_torch *torch;
    nn_model_meta meta;
    int max_ratio;
    int sample_rate; /* last rate passed to set_sample_rate, 0 = never */
    int declared_rate; /* get_sample_rate() at load, before any host rate; -1 = none */
    nn_device device;
    nn_model_record *records;
    int record_count;
    int record_capacity;
};

/* ---- runtime settings ---------------------------------------------------- */

static atomic_int backend_threads;

static void blas_set_threads(int threads)
{
    /* OpenBLAS starts its own pool unless told; on small machines its threads
     * and libtorch's oversubscribe the cores. */
    void (*set)(int) = NULL;
    *(void **)&set = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (set)
        set(threads);
}

void nn_backend_set_threads(int intra_op_threads)
{
    if (intra_op_threads < 1)
        intra_op_threads = 1;
    atomic_store(&backend_threads, intra_op_threads);
    nn_torch_set_threads(intra_op_threads);
    blas_set_threads(intra_op_threads);
}

int nn_backend_threads(void)
{
    int threads = atomic_load(&backend_threads);
    return threads > 0 ? threads : 1;
}

/* The default (one thread) is applied at first use unless the host chose. */
static void backend_threads_default(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&backend_threads, &expected, 1)) {
        nn_torch_set_threads(1);
        blas_set_threads(1);
    }
}

const char *nn_backend_version(void)
{
    return nn_torch_version();
}

bool nn_backend_has_cuda(void)
{
    return nn_torch_has_cuda();
}

static char blas_description[PATH_MAX + 512] = "unknown";
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

/* Rank of a mapped library as a BLAS provider, 0 when it is none. */
static int blas_rank(const char *base)
{
    if (strncmp(base, "libopenblas", 11) == 0 || strncmp(base, "libmkl_rt", 9) == 0 || strncmp(base, "libblis", 7) == 0)
        return 2;
    if (strncmp(base, "libblas.so", 10) == 0)
        return 1;
    return 0;
}

static void blas_describe(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        return;
    char line[PATH_MAX + 256], best[PATH_MAX] = "";
    int best_rank = 0;
    while (fgets(line, sizeof line, maps)) {
        char *path = strchr(line, '/');
        if (!path)
            continue;
        path[strcspn(path, "\n")] = '\0';
        const char *base = strrchr(path, '/') + 1;
        char real[PATH_MAX];
        if (!realpath(path, real))
            snprintf(real, sizeof real, "%s", path);
        /* Debian's alternatives make libblas.so.3 a link to OpenBLAS or to
         * the reference BLAS: the resolved file tells which. */
        int rank = blas_rank(base);
        if (rank == 1 && (strstr(real, "openblas") || strstr(real, "mkl") || strstr(real, "blis")))
            rank = 2;
        if (rank > best_rank) {
            best_rank = rank;
            snprintf(best, sizeof best, "%s", real);
        }
    }
    fclose(maps);
    if (best_rank == 0)
        return;
    const char *dir_end = strrchr(best, '/');
    char dir[256] = "";
    if (dir_end) {
        const char *dir_start = dir_end;
        while (dir_start > best && dir_start[-1] != '/')
            dir_start--;
        snprintf(dir, sizeof dir, "%.*s", (int)(dir_end - dir_start), dir_start);
    }
    if (strstr(best, "openblas"))
        snprintf(blas_description, sizeof blas_description, "%s (%s)",
                 strncmp(dir, "openblas", 8) == 0 ? dir : "openblas", best);
    else if (strstr(best, "mkl"))
        snprintf(blas_description, sizeof blas_description, "mkl (%s)", best);
    else if (strstr(best, "blis"))
        snprintf(blas_description, sizeof blas_description, "blis (%s)", best);
    else
        snprintf(blas_description, sizeof blas_description,
                 "reference BLAS (%s), slow: apt-get install libopenblas0-pthread", best);
}

const char *nn_backend_blas(void)
{
    pthread_once(&blas_once, blas_describe);
    return blas_description;
}

/* ---- values --------------------------------------------------------------- */

static void values_free(nn_value *values, int count)
{
    for (int i = 0; i < count; i++) {
        free((char *)values[i].s);
        free((float *)values[i].data);
    }
    free(values);
}

/* Deep copy of checked values, as kept for reload. */
static nn_value *values_copy(const nn_value *values, int count)
{
    nn_value *copy = calloc(count > 0 ? (size_t)count : 1, sizeof *copy);
    if (!copy)
        return NULL;
    for (int i = 0; i < count; i++) {
        copy[i] = values[i];
        copy[i].s = NULL;
        copy[i].data = NULL;
        size_t floats = 0;
        if (values[i].type == NN_TYPE_TENSOR)
            floats = (size_t)values[i].frames;
        else if (values[i].type == NN_TYPE_BUFFER)
            floats = (size_t)values[i].channels * (size_t)values[i].frames;
        bool failed = false;
        if (values[i].type == NN_TYPE_STRING)
            failed = !(copy[i].s = nn_string_copy(values[i].s));
        if (floats > 0) {
            float *data = malloc(floats * sizeof *data);
            if (data)
                memcpy(data, values[i].data, floats * sizeof *data);
            copy[i].data = data;
            failed = !data;
        }
        if (failed) {
            values_free(copy, i + 1);
            return NULL;
        }
    }
    return copy;
}

/* What the user passed, for messages ("float 2.5", "string \"foo\""). */
static void value_describe(const nn_value *v, char *buf, size_t size)
{
    switch (v->type) {
    case NN_TYPE_BOOL:
    case NN_TYPE_INT:
    case NN_TYPE_FLOAT: {
        char text[64];
        nn_value_format(v, text, sizeof text);
        snprintf(buf, size, "%s %s", nn_type_name(v->type), text);
        return;
    }
    case NN_TYPE_STRING: snprintf(buf, size, "string \"%s\"", v->s ? v->s : "(null)"); return;
    case NN_TYPE_TENSOR:
        snprintf(buf, size, "tensor of %" PRId64 " values%s", v->frames, v->data ? "" : " without data");
        return;
    case NN_TYPE_BUFFER:
        snprintf(buf, size, "buffer of %" PRId64 " channel(s) x %" PRId64 " frames%s", v->channels, v->frames,
                 v->data ? "" : " without data");
        return;
    }
    snprintf(buf, size, "a value of unknown type %d", (int)v->type);
}

static void types_describe(const nn_attribute_info *attr, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < attr->count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", nn_type_name(attr->types[i]));
}

static bool is_number(const nn_value *v)
{
    return v->type == NN_TYPE_INT || v->type == NN_TYPE_FLOAT;
}

static double number_of(const nn_value *v)
{
    return v->type == NN_TYPE_INT ? (double)v->i : v->f;
}

/* Convert `in` to exactly `type` (into `out`, which borrows `in`'s data). */
static bool value_convert(const nn_value *in, nn_type type, nn_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    switch (type) {
    case NN_TYPE_BOOL:
        if (in->type == NN_TYPE_BOOL) {
            out->b = in->b;
            return true;
        }
        if (is_number(in) && (number_of(in) == 0.0 || number_of(in) == 1.0)) {
            out->b = number_of(in) != 0.0;
            return true;
        }
        return false;
    case NN_TYPE_INT:
        if (in->type == NN_TYPE_INT) {
            out->i = in->i;
            return true;
        }
        if (in->type == NN_TYPE_FLOAT && isfinite(in->f) && in->f == floor(in->f) && fabs(in->f) < 9.0e18) {
            out->i = (int64_t)in->f;
            return true;
        }
        return false;
    case NN_TYPE_FLOAT:
        if (!is_number(in))
            return false;
        out->f = number_of(in);
        return true;
    case NN_TYPE_STRING:
        if (in->type != NN_TYPE_STRING || !in->s)
            return false;
        out->s = in->s;
        return true;
    case NN_TYPE_TENSOR:
        /* A host array or buffer feeds a tensor element with its first row. */
        if ((in->type != NN_TYPE_TENSOR && in->type != NN_TYPE_BUFFER) || in->frames < 0 ||
            (in->frames > 0 && !in->data))
            return false;
        out->data = in->data;
        out->channels = 1;
        out->frames = in->frames;
        return true;
    case NN_TYPE_BUFFER:
        if (in->type != NN_TYPE_BUFFER || in->channels < 1 || in->frames < 0 || (in->frames > 0 && !in->data))
            return false;
        out->data = in->data;
        out->channels = in->channels;
        out->frames = in->frames;
        out->sample_rate = in->sample_rate;
        return true;
    }
    return false;
}

/* ---- records for reload ---------------------------------------------------- */

static void record_free(nn_model_record *r)
{
    free(r->attribute);
    values_free(r->values, r->count);
}

static void record_remove(nn_model *model, int index)
{
    record_free(&model->records[index]);
    memmove(&model->records[index], &model->records[index + 1],
            (size_t)(model->record_count - index - 1) * sizeof *model->records);
    model->record_count--;
}

/* Keep only what reload needs: a set replaces every earlier action on the
 * same attribute; a clear replaces an earlier clear of the same element. */
static void record_add(nn_model *model, const char *attribute, int element, const nn_value *values, int count)
{
    for (int i = model->record_count - 1; i >= 0; i--) {
        nn_model_record *r = &model->records[i];
        if (strcmp(r->attribute, attribute) == 0 && (element < 0 || r->element == element))
            record_remove(model, i);
    }
    if (model->record_count == model->record_capacity) {
        int capacity = model->record_capacity ? 2 * model->record_capacity : 8;
        nn_model_record *grown = realloc(model->records, (size_t)capacity * sizeof *grown);
        if (!grown)
            goto fail;
        model->records = grown;
        model->record_capacity = capacity;
    }
    nn_model_record r = {nn_string_copy(attribute), element, count, NULL};
    if (element < 0)
        r.values = values_copy(values, count);
    if (!r.attribute || (element < 0 && !r.values)) {
        record_free(&r);
        goto fail;
    }
    model->records[model->record_count++] = r;
    return;
fail:
    nn_log(NN_LOG_WARNING, "%s: out of memory: reload will not restore attribute '%s'", model->file, attribute);
}

/* ---- load, reload, free ------------------------------------------------------ */

nn_model_config nn_model_config_default(void)
{
    nn_model_config config = {NN_DEVICE_CPU, 0};
    return config;
}

/* What stat says of a model file: a file that failed to load is not retried until it changes. */
typedef struct file_identity {
    dev_t dev;
    ino_t ino;
    off_t size;
    time_t mtime;
    long mtime_ns;
    time_t ctime;
    long ctime_ns;
} file_identity;

static nn_status file_check(const char *path, file_identity *identity, nn_error *err)
{
    if (identity)
        memset(identity, 0, sizeof *identity);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return nn_error_set(err, NN_ERR_FILE_NOT_FOUND, "%s: no such file", path);
        if (errno == ELOOP)
            return nn_error_set(err, NN_ERR_NOT_A_FILE, "%s: symbolic link loop, not a model file", path);
        if (errno == ENAMETOOLONG)
            return nn_error_set(err, NN_ERR_FILE_NOT_FOUND, "%s: path too long", path);
        return nn_error_set(err, NN_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return nn_error_set(err, NN_ERR_NOT_A_FILE, "%s: is a directory, not a model file", path);
    if (!S_ISREG(st.st_mode))
        return nn_error_set(err, NN_ERR_NOT_A_FILE, "%s: is not a regular file (a FIFO, device or socket)", path);
    if (st.st_size == 0)
        return nn_error_set(err, NN_ERR_EMPTY_FILE, "%s: empty file (0 bytes)", path);
    /* O_NONBLOCK: a FIFO put in the file's place after the stat must not block the caller. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return nn_error_set(err, NN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular)
        return nn_error_set(err, NN_ERR_NOT_A_FILE, "%s: is not a regular file (a FIFO, device or socket)", path);
    if (identity)
        *identity = (file_identity){st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                    st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
    return NN_OK;
}

/* ---- files that failed to load ------------------------------------------------
 * libtorch leaks about 100 KB on every failed TorchScript compile: a patch that retries a
 * broken model would grow without bound. A file that failed is remembered by what stat says
 * of it (device, inode, size, mtime, ctime) with its path and error, and is not handed to
 * libtorch again until one of these changes; the user gets the same message. */

#define FAILED_LOADS 64

typedef struct failed_load {
    char *path;
    file_identity id;
    nn_status status;
    char message[NN_ERROR_MESSAGE_SIZE];
} failed_load;

static failed_load failed_loads[FAILED_LOADS];
static int failed_next;
static pthread_mutex_t failed_lock = PTHREAD_MUTEX_INITIALIZER;

static bool identity_equal(const file_identity *a, const file_identity *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static bool failed_find(const char *path, const file_identity *id, nn_error *err, nn_status *status)
{
    bool found = false;
    pthread_mutex_lock(&failed_lock);
    for (int i = 0; i < FAILED_LOADS && !found; i++) {
        failed_load *f = &failed_loads[i];
        if (f->path && strcmp(f->path, path) == 0 && identity_equal(&f->id, id)) {
            *status = nn_error_set(err, f->status, "%s (unchanged since it failed to load: not retried)", f->message);
            found = true;
        }
    }
    pthread_mutex_unlock(&failed_lock);
    return found;
}

static void failed_remember(const char *path, const file_identity *id, const nn_error *err)
{
    char *copy = nn_string_copy(path);
    if (!copy)
        return;
    pthread_mutex_lock(&failed_lock);
    failed_load *f = NULL;
    for (int i = 0; i < FAILED_LOADS && !f; i++)
        if (failed_loads[i].path && strcmp(failed_loads[i].path, path) == 0)
            f = &failed_loads[i];
    if (!f) {
        f = &failed_loads[failed_next];
        failed_next = (failed_next + 1) % FAILED_LOADS;
    }
    free(f->path);
    f->path = copy;
    f->id = *id;
    f->status = err ? err->status : NN_ERR_BAD_FILE;
    snprintf(f->message, sizeof f->message, "%s", err ? err->message : "failed to load");
    pthread_mutex_unlock(&failed_lock);
}

/* ---- loading on a thread with a large stack -----------------------------------
 * libtorch's TorchScript parser and unpickler recurse; nn_archive_check bounds the source's
 * nesting, and the load itself runs on a thread whose stack is far larger than a host's
 * (Pd's main thread, a stream's control thread) so that what passes cannot overflow it. */

#define LOAD_STACK_SIZE (256u * 1024 * 1024)

typedef struct load_job {
    const char *path;
    nn_torch *torch;
    nn_model_meta *meta;
    nn_error *err;
    nn_status status;
} load_job;

static void *load_main(void *arg)
{
    load_job *job = arg;
    job->status = nn_torch_load(job->path, &job->torch, job->err);
    if (job->status == NN_OK)
        job->status = nn_torch_read_meta(job->torch, job->path, job->meta, job->err);
    return NULL;
}

static nn_status load_with_large_stack(load_job *job)
{
    pthread_attr_t attr;
    pthread_t thread;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
        started = pthread_attr_setstacksize(&attr, LOAD_STACK_SIZE) == 0 &&
                  pthread_create(&thread, &attr, load_main, job) == 0;
        pthread_attr_destroy(&attr);
    }
    if (started)
        pthread_join(thread, NULL);
    else
        load_main(job); /* no memory for the stack: the archive check's bound still holds */
    return job->status;
}

static int compute_max_ratio(const nn_model_meta *meta)
{
    int max = 1;
    for (int i = 0; i < meta->method_count; i++) {
        if (meta->methods[i].in_ratio > max)
            max = meta->methods[i].in_ratio;
        if (meta->methods[i].out_ratio > max)
            max = meta->methods[i].out_ratio;
    }
    return max;
}

nn_status nn_model_load(const char *path, const nn_model_config *config, nn_model **out, nn_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_load: NULL %s", path ? "result" : "path");
    nn_model_config cfg = config ? *config : nn_model_config_default();
    file_identity id;
    nn_status status = file_check(path, &id, err);
    if (status != NN_OK)
        return status;
    if (failed_find(path, &id, err, &status))
        return status;
    status = nn_archive_check(path, err);
    if (status != NN_OK) {
        failed_remember(path, &id, err);
        return status;
    }
    backend_threads_default();

    nn_model *model = calloc(1, sizeof *model);
    if (!model || !(model->path = nn_string_copy(path))) {
        free(model);
        return nn_error_set(err, NN_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    const char *slash = strrchr(model->path, '/');
    model->file = slash ? slash + 1 : model->path;
    model->device = NN_DEVICE_CPU;

    load_job job = {path, NULL, &model->meta, err, NN_OK};
    status = load_with_large_stack(&job);
    model->torch = job.torch;
    if (status != NN_OK)
        failed_remember(path, &id, err);
    if (status == NN_OK && cfg.device != NN_DEVICE_CPU)
        status = nn_model_set_device(model, cfg.device, err);
    if (status != NN_OK) {
        nn_model_free(model);
        return status;
    }
    model->max_ratio = compute_max_ratio(&model->meta);
    /* Read before the host's rate is set: an exporter's set_sample_rate usually just
     * stores what it is given, after which get_sample_rate() echoes the host. */
    model->declared_rate = nn_torch_sample_rate(model->torch);
    if (cfg.sample_rate > 0) {
        /* A model that refuses the host's rate still works; the user is told. */
        nn_error e;
        if (nn_model_set_sample_rate(model, cfg.sample_rate, &e) != NN_OK)
            nn_log(NN_LOG_WARNING, "%s", e.message);
    }
    *out = model;
    return NN_OK;
}

void nn_model_free(nn_model *model)
{
    if (!model)
        return;
    for (int i = 0; i < model->record_count; i++)
        record_free(&model->records[i]);
    free(model->records);
    nn_model_meta_clear(&model->meta);
    nn_torch_free(model->torch);
    free(model->path);
    free(model);
}

nn_model_config nn_model_reload_config(const nn_model *model)
{
    nn_model_config config = {model->device, model->sample_rate};
    return config;
}

void nn_model_replay(nn_model *fresh, const nn_model *model)
{
    /* The file may have changed on disk: a value that no longer applies is
     * reported and skipped rather than making the whole reload fail. */
    for (int i = 0; i < model->record_count; i++) {
        const nn_model_record *r = &model->records[i];
        int index = nn_model_attribute_find(fresh, r->attribute);
        nn_error e;
        nn_error_clear(&e);
        if (index < 0)
            nn_error_set(&e, NN_ERR_UNKNOWN_ATTRIBUTE, "attribute '%s' no longer exists", r->attribute);
        else if (r->element < 0)
            nn_model_attribute_set(fresh, index, r->values, r->count, &e);
        else
            nn_model_buffer_clear(fresh, index, r->element, &e);
        if (e.status != NN_OK)
            nn_log(NN_LOG_WARNING, "%s: reload: %s", fresh->file, e.message);
    }
}

nn_status nn_model_reload(const nn_model *model, nn_model **out, nn_error *err)
{
    if (out)
        *out = NULL;
    if (!model || !out)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_reload: NULL %s", model ? "result" : "model");
    nn_model_config config = nn_model_reload_config(model);
    nn_model *fresh = NULL;
    nn_status status = nn_model_load(model->path, &config, &fresh, err);
    if (status != NN_OK)
        return status;
    nn_model_replay(fresh, model);
    *out = fresh;
    return NN_OK;
}

/* ---- metadata ------------------------------------------------------------- */

const char *nn_model_path(const nn_model *model)
{
    return model ? model->path : NULL;
}

int nn_model_method_count(const nn_model *model)
{
    return model ? model->meta.method_count : 0;
}

const nn_method_info *nn_model_method(const nn_model *model, int index)
{
    if (!model || index < 0 || index >= model->meta.method_count)
        return NULL;
    return &model->meta.methods[index];
}

int nn_model_method_find(const nn_model *model, const char *name)
{
    if (!model || !name)
        return -1;
    for (int i = 0; i < model->meta.method_count; i++)
        if (strcmp(model->meta.methods[i].name, name) == 0)
            return i;
    return -1;
}

int nn_model_max_ratio(const nn_model *model)
{
    return model ? model->max_ratio : 1;
}

int nn_model_attribute_count(const nn_model *model)
{
    return model ? model->meta.attribute_count : 0;
}

const nn_attribute_info *nn_model_attribute(const nn_model *model, int index)
{
    if (!model || index < 0 || index >= model->meta.attribute_count)
        return NULL;
    return &model->meta.attributes[index];
}

int nn_model_attribute_find(const nn_model *model, const char *name)
{
    if (!model || !name)
        return -1;
    for (int i = 0; i < model->meta.attribute_count; i++)
        if (strcmp(model->meta.attributes[i].name, name) == 0)
            return i;
    return -1;
}

int nn_model_buffer_count(const nn_model *model)
{
    return model ? model->meta.buffer_count : 0;
}

const char *nn_model_buffer_name(const nn_model *model, int index)
{
    if (!model || index < 0 || index >= model->meta.buffer_count)
        return NULL;
    return model->meta.buffers[index];
}

bool nn_model_has_sample_rate(const nn_model *model)
{
    return model && model->meta.has_set_sample_rate;
}

nn_device nn_model_device(const nn_model *model)
{
    return model ? model->device : NN_DEVICE_CPU;
}

/* ---- calls into the model ------------------------------------------------- */

nn_status nn_model_run(nn_model *model, int method, int batch, int frames, const float *input, float *output,
                       nn_error *err)
{
    const nn_method_info *info = nn_model_method(model, method);
    if (!info)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_run: %s",
                            model ? "method index out of range" : "NULL model");
    if (!output)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_run: NULL output");
    nn_status status;
    if (batch < 1 || frames < 1 || !input)
        status = nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_run: %s",
                              !input ? "NULL input" : "batch and frames must be positive");
    else if (frames % info->in_ratio != 0 || frames % info->out_ratio != 0)
        status = nn_error_set(err, NN_ERR_INVALID_ARGUMENT,
                              "%s: method '%s': %d frames is not a multiple of its ratios (in %d, out %d)", model->file,
                              info->name, frames, info->in_ratio, info->out_ratio);
    else
        status = nn_torch_run(model->torch, method, info, batch, frames, input, output, err);
    /* Never leave the previous block in the output: silence instead. */
    if (status != NN_OK && batch > 0 && frames > 0)
        memset(output, 0, (size_t)batch * (size_t)info->out_channels * (size_t)frames * sizeof *output);
    return status;
}

nn_status nn_model_attribute_get(nn_model *model, int attribute, nn_value_list *out, nn_error *err)
{
    if (out) {
        out->count = 0;
        out->values = NULL;
    }
    const nn_attribute_info *attr = nn_model_attribute(model, attribute);
    if (!attr || !out)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_attribute_get: %s",
                            !model ? "NULL model"
                            : !out ? "NULL result"
                                   : "attribute index out of range");
    return nn_torch_attribute_get(model->torch, attr, out, err);
}

nn_status nn_model_attribute_set(nn_model *model, int attribute, const nn_value *values, int count, nn_error *err)
{
    const nn_attribute_info *attr = nn_model_attribute(model, attribute);
    if (!attr)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_attribute_set: %s",
                            model ? "attribute index out of range" : "NULL model");
    if (count < 0 || (count > 0 && !values))
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_attribute_set: NULL values");
    char types[256];
    types_describe(attr, types, sizeof types);
    if (count != attr->count)
        return nn_error_set(err, NN_ERR_WRONG_COUNT, "attribute '%s' takes %d value%s (%s), %d given", attr->name,
                            attr->count, attr->count == 1 ? "" : "s", types, count);
    nn_value *checked = calloc((size_t)count, sizeof *checked);
    if (!checked)
        return nn_error_set(err, NN_ERR_NO_MEMORY, "attribute '%s': out of memory", attr->name);
    for (int i = 0; i < count; i++) {
        if (!value_convert(&values[i], attr->types[i], &checked[i])) {
            char given[128];
            value_describe(&values[i], given, sizeof given);
            free(checked);
            return nn_error_set(err, NN_ERR_WRONG_TYPE, "attribute '%s' value %d must be %s (expects %s), got %s",
                                attr->name, i + 1, nn_type_name(attr->types[i]), types, given);
        }
    }
    nn_status status = nn_torch_attribute_set(model->torch, attr, checked, model->sample_rate, err);
    if (status == NN_OK)
        record_add(model, attr->name, -1, checked, count);
    free(checked);
    return status;
}

nn_status nn_model_buffer_clear(nn_model *model, int attribute, int element, nn_error *err)
{
    const nn_attribute_info *attr = nn_model_attribute(model, attribute);
    if (!attr || element < 0 || element >= attr->count)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_buffer_clear: %s",
                            !model  ? "NULL model"
                            : !attr ? "attribute index out of range"
                                    : "element out of range");
    if (attr->types[element] != NN_TYPE_BUFFER)
        return nn_error_set(err, NN_ERR_WRONG_TYPE, "attribute '%s' value %d is a %s, not a buffer", attr->name,
                            element + 1, nn_type_name(attr->types[element]));
    char name[512];
    snprintf(name, sizeof name, "%s#%d", attr->name, element);
    nn_status status = nn_torch_buffer_clear(model->torch, name, err);
    if (status == NN_OK)
        record_add(model, attr->name, element, NULL, 0);
    return status;
}

nn_status nn_model_set_sample_rate(nn_model *model, int sample_rate, nn_error *err)
{
    if (!model || sample_rate <= 0)
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_set_sample_rate: %s",
                            model ? "sample rate must be positive" : "NULL model");
    if (model->meta.has_set_sample_rate) {
        nn_error e;
        nn_status status = nn_torch_set_sample_rate(model->torch, sample_rate, &e);
        if (status != NN_OK)
            return nn_error_set(err, status, "%s: %s", model->file, e.message);
    }
    /* Kept even without set_sample_rate: it is also the rate of buffers sent
     * without one, and what reload passes on. */
    model->sample_rate = sample_rate;
    return NN_OK;
}

int nn_model_sample_rate(nn_model *model)
{
    return model ? nn_torch_sample_rate(model->torch) : -1;
}

int nn_model_declared_sample_rate(const nn_model *model)
{
    return model ? model->declared_rate : -1;
}

nn_status nn_model_set_device(nn_model *model, nn_device device, nn_error *err)
{
    if (!model || (device != NN_DEVICE_CPU && device != NN_DEVICE_CUDA))
        return nn_error_set(err, NN_ERR_INVALID_ARGUMENT, "nn_model_set_device: %s",
                            model ? "unknown device" : "NULL model");
    nn_status status = nn_torch_set_device(model->torch, device, err);
    if (status == NN_OK)
        model->device = device;
    return status;
}
