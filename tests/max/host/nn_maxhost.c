/* nn~ in C — nn_maxhost: runs a script against the Max test host (see tests/max/README.md).
 * SPDX-License-Identifier: MIT
 *
 * Usage: nn_maxhost [-v] script.txt   ("-" reads the script from stdin)
 * Each line is one command; the first failing command stops the script with exit status 1
 * and a message "script:LINE: ..." on stderr, followed by the console. Exit status 0 means
 * every command and expectation held. -v echoes console lines as they arrive.
 */
#include "maxhost.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBJS 64

static struct {
    char id[64];
    maxhost_obj *o;
} objs[MAX_OBJS];
static struct pending {
    char id[64];
    float *in, *out;
    long frames, nout;
    char outpath[1024];
} pendings[MAX_OBJS];
static const char *script_name;
static long lineno;

static void dump_console(FILE *f)
{
    for (long i = 0; i < maxhost_console_count(); i++) {
        maxhost_console_line line;
        if (maxhost_console_get(i, &line) != 0)
            break;
        const maxhost_console_line *l = &line;
        fprintf(f, "  [%s] %s%s%s\n",
                l->level == MAXHOST_ERROR  ? "error"
                : l->level == MAXHOST_WARN ? "warn"
                                           : "post",
                l->object, l->object[0] ? ": " : "", l->text);
    }
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%ld: ", script_name, lineno);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "console:\n");
    dump_console(stderr);
    exit(1);
}

static maxhost_obj *obj_get(const char *id)
{
    for (int i = 0; i < MAX_OBJS; i++)
        if (objs[i].o && strcmp(objs[i].id, id) == 0)
            return objs[i].o;
    fail("no object '%s'", id);
    return NULL;
}

static void obj_put(const char *id, maxhost_obj *o)
{
    for (int i = 0; i < MAX_OBJS; i++)
        if (!objs[i].o) {
            snprintf(objs[i].id, sizeof objs[i].id, "%s", id);
            objs[i].o = o;
            return;
        }
    fail("too many objects");
}

static void obj_drop(const char *id)
{
    for (int i = 0; i < MAX_OBJS; i++)
        if (objs[i].o && strcmp(objs[i].id, id) == 0)
            objs[i].o = NULL;
}

/* Next whitespace-separated word of *p (advanced), or NULL. */
static char *word(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    char *start = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = 0;
    *p = s;
    return start;
}
static char *rest(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}
static char *need(char **p, const char *what)
{
    char *w = word(p);
    if (!w)
        fail("missing %s", what);
    return w;
}

static float *read_f32(const char *path, long *count)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    float *d = malloc((size_t)(bytes > 0 ? bytes : 4));
    if (!d || fread(d, 1, (size_t)bytes, f) != (size_t)bytes)
        fail("cannot read %s", path);
    fclose(f);
    *count = bytes / (long)sizeof(float);
    return d;
}

static long keyval(const char *w, const char *key, long dflt, double *dval)
{
    size_t n = strlen(key);
    if (strncmp(w, key, n) == 0 && w[n] == '=') {
        if (dval)
            *dval = atof(w + n + 1);
        return atol(w + n + 1);
    }
    return dflt;
}

static int level_of(const char *w)
{
    if (strcmp(w, "post") == 0)
        return MAXHOST_POST;
    if (strcmp(w, "warn") == 0)
        return MAXHOST_WARN;
    if (strcmp(w, "error") == 0)
        return MAXHOST_ERROR;
    if (strcmp(w, "any") == 0)
        return -1;
    fail("console level must be post, warn, error or any, not '%s'", w);
    return -1;
}

static const char *wait_text;
static int console_has(void *arg)
{
    (void)arg;
    return maxhost_console_find(-1, wait_text) >= 0;
}

/* ${NAME} in a line is replaced by the environment variable NAME (tests pass folders so). */
static void expand(const char *in, char *out, size_t outlen)
{
    size_t used = 0;
    while (*in && used + 1 < outlen) {
        const char *close;
        if (in[0] == '$' && in[1] == '{' && (close = strchr(in, '}')) != NULL) {
            char name[256];
            size_t n = (size_t)(close - in - 2);
            snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), in + 2);
            const char *v = getenv(name);
            if (!v)
                fail("environment variable %s is not set", name);
            int w = snprintf(out + used, outlen - used, "%s", v);
            used += w > 0 ? (size_t)w : 0;
            if (used >= outlen)
                used = outlen - 1;
            in = close + 1;
        } else {
            out[used++] = *in++;
        }
    }
    out[used] = 0;
}

static void run_line(char *raw)
{
    static char line[16384];
    expand(raw, line, sizeof line);
    char *p = line;
    char *cmd = word(&p);
    if (!cmd || cmd[0] == '#')
        return;
    if (strcmp(cmd, "load") == 0) {
        char err[2048];
        char *path = need(&p, "path");
        if (maxhost_load(path, err, sizeof err) != 0)
            fail("load %s: %s", path, err);
    } else if (strcmp(cmd, "load-fails") == 0) {
        char err[2048];
        char *path = need(&p, "path");
        char *text = rest(&p);
        if (maxhost_load(path, err, sizeof err) == 0)
            fail("load %s succeeded; expected a failure", path);
        if (!strstr(err, text))
            fail("load %s failed with \"%s\", which does not contain \"%s\"", path, err, text);
        printf("load-fails: %s\n", err);
    } else if (strcmp(cmd, "searchpath") == 0) {
        maxhost_searchpath_add(need(&p, "folder"));
    } else if (strcmp(cmd, "new") == 0) {
        char *id = need(&p, "id");
        char *cls = need(&p, "class");
        maxhost_obj *o = maxhost_new(cls, rest(&p));
        if (!o)
            fail("new %s %s: the object was not created", cls, p);
        obj_put(id, o);
    } else if (strcmp(cmd, "new-fails") == 0) {
        char *cls = need(&p, "class");
        maxhost_obj *o = maxhost_new(cls, rest(&p));
        if (o)
            fail("new %s %s: created; expected a failure", cls, p);
    } else if (strcmp(cmd, "delete") == 0) {
        char *id = need(&p, "id");
        maxhost_free(obj_get(id));
        obj_drop(id);
        for (int i = 0; i < MAX_OBJS; i++)
            if (strcmp(pendings[i].id, id) == 0) {
                free(pendings[i].in);
                free(pendings[i].out);
                memset(pendings + i, 0, sizeof pendings[i]);
            }
    } else if (strcmp(cmd, "loadbang") == 0) {
        char *id = need(&p, "id");
        if (maxhost_loadbang(obj_get(id)) != 0)
            fail("loadbang %s: the object has no loadbang method", id);
    } else if (strcmp(cmd, "dsp-stop") == 0) {
        maxhost_dsp_stop(obj_get(need(&p, "id")));
    } else if (strcmp(cmd, "send") == 0) {
        maxhost_obj *o = obj_get(need(&p, "id"));
        long inlet = 0;
        char *r = rest(&p);
        if (strncmp(r, "inlet=", 6) == 0) {
            p = r;
            inlet = atol(word(&p) + 6);
            r = rest(&p);
        }
        maxhost_send(o, inlet, r);
    } else if (strcmp(cmd, "attr") == 0) {
        maxhost_obj *o = obj_get(need(&p, "id"));
        char *name = need(&p, "attribute");
        if (maxhost_attr_set(o, name, rest(&p)) != 0)
            fail("attr %s: no such attribute", name);
    } else if (strcmp(cmd, "expect-attr") == 0) {
        maxhost_obj *o = obj_get(need(&p, "id"));
        char *name = need(&p, "attribute");
        char *want = rest(&p);
        char got[1024];
        if (maxhost_attr_get(o, name, got, sizeof got) != 0)
            fail("expect-attr %s: no such attribute", name);
        if (strcmp(got, want) != 0)
            fail("attribute %s is \"%s\", expected \"%s\"", name, got, want);
    } else if (strcmp(cmd, "expect-assist") == 0) {
        maxhost_obj *o = obj_get(need(&p, "id"));
        char *io = need(&p, "in|out");
        long index = atol(need(&p, "index"));
        char *want = rest(&p);
        char got[512];
        maxhost_assist(o, strcmp(io, "in") == 0 ? 1 : 2, index, got, sizeof got);
        if (strcmp(got, want) != 0)
            fail("assist %s %ld is \"%s\", expected \"%s\"", io, index, got, want);
    } else if (strcmp(cmd, "dsp") == 0) {
        char *id = need(&p, "id");
        maxhost_obj *o = obj_get(id);
        double sr = 44100;
        long vs = 64, in[64], nin = 0;
        char *w;
        while ((w = word(&p)) != NULL) {
            if (strncmp(w, "sr=", 3) == 0)
                keyval(w, "sr", 0, &sr);
            else if (strncmp(w, "vs=", 3) == 0)
                vs = keyval(w, "vs", 64, NULL);
            else if (strncmp(w, "in=", 3) == 0) {
                char *s = w + 3;
                while (*s && nin < 64) {
                    in[nin++] = strtol(s, &s, 10);
                    if (*s == ',')
                        s++;
                }
            } else
                fail("dsp: unknown option '%s' (sr=, vs=, in=)", w);
        }
        int r = maxhost_dsp(o, sr, vs, nin, in);
        if (r < 0)
            fail("dsp %s: the object has no dsp64 method", id);
        printf("dsp %s perform=%d inputs=%ld outputs=%ld outlets=", id, r, maxhost_dsp_inputs(o),
               maxhost_dsp_outputs(o));
        for (long k = 0; maxhost_dsp_outlet_channels(o, k) > 0; k++)
            printf("%s%ld", k ? "," : "", maxhost_dsp_outlet_channels(o, k));
        printf("\n");
    } else if (strcmp(cmd, "perform") == 0) {
        char *id = need(&p, "id");
        maxhost_obj *o = obj_get(id);
        long frames = atol(need(&p, "frames"));
        char *inpath = need(&p, "input file or -");
        char *outpath = need(&p, "output file or -");
        maxhost_dsp_refresh(o); /* as Max does before the next vector */
        long nin = maxhost_dsp_inputs(o), nout = maxhost_dsp_outputs(o);
        float *in = NULL;
        if (strcmp(inpath, "-") != 0) {
            long count;
            in = read_f32(inpath, &count);
            if (count < frames * nin)
                fail("perform: %s holds %ld samples, %ld frames x %ld inputs needed", inpath, count, frames, nin);
        }
        float *out = calloc((size_t)(frames * nout > 0 ? frames * nout : 1), sizeof(float));
        if (!out)
            fail("out of memory");
        if (maxhost_perform(o, in, out, frames) != 0)
            fail("perform %s: no dsp (run dsp first)", id);
        if (strcmp(outpath, "-") != 0) {
            FILE *f = fopen(outpath, "wb");
            if (!f || fwrite(out, sizeof(float), (size_t)(frames * nout), f) != (size_t)(frames * nout))
                fail("cannot write %s", outpath);
            fclose(f);
        }
        free(in);
        free(out);
    } else if (strcmp(cmd, "perform-start") == 0) {
        char *id = need(&p, "id");
        maxhost_obj *o = obj_get(id);
        struct pending *pd = NULL;
        for (int i = 0; i < MAX_OBJS && !pd; i++)
            if (!pendings[i].id[0])
                pd = pendings + i;
        if (!pd)
            fail("too many performs running");
        pd->frames = atol(need(&p, "frames"));
        char *inpath = need(&p, "input file or -");
        snprintf(pd->outpath, sizeof pd->outpath, "%s", need(&p, "output file or -"));
        long nin = maxhost_dsp_inputs(o);
        pd->nout = maxhost_dsp_outputs(o);
        pd->in = NULL;
        if (strcmp(inpath, "-") != 0) {
            long count;
            pd->in = read_f32(inpath, &count);
            if (count < pd->frames * nin)
                fail("perform-start: %s holds %ld samples, %ld frames x %ld inputs needed", inpath, count, pd->frames,
                     nin);
        }
        pd->out = calloc((size_t)(pd->frames * pd->nout > 0 ? pd->frames * pd->nout : 1), sizeof(float));
        if (!pd->out)
            fail("out of memory");
        if (maxhost_perform_start(o, pd->in, pd->out, pd->frames) != 0)
            fail("perform-start %s: no dsp, or a perform already runs", id);
        snprintf(pd->id, sizeof pd->id, "%s", id);
    } else if (strcmp(cmd, "perform-wait") == 0) {
        char *id = need(&p, "id");
        maxhost_obj *o = obj_get(id);
        struct pending *pd = NULL;
        for (int i = 0; i < MAX_OBJS && !pd; i++)
            if (strcmp(pendings[i].id, id) == 0)
                pd = pendings + i;
        if (!pd)
            fail("perform-wait %s: no perform-start", id);
        maxhost_perform_wait(o);
        if (strcmp(pd->outpath, "-") != 0) {
            FILE *f = fopen(pd->outpath, "wb");
            size_t n = (size_t)(pd->frames * pd->nout);
            if (!f || fwrite(pd->out, sizeof(float), n, f) != n)
                fail("cannot write %s", pd->outpath);
            fclose(f);
        }
        free(pd->in);
        free(pd->out);
        memset(pd, 0, sizeof *pd);
    } else if (strcmp(cmd, "buffer") == 0) {
        char *name = need(&p, "name");
        char *src = need(&p, "file or zeros");
        long channels = 1, frames = 0;
        double sr = 44100;
        char *w;
        while ((w = word(&p)) != NULL) {
            if (strncmp(w, "channels=", 9) == 0)
                channels = keyval(w, "channels", 1, NULL);
            else if (strncmp(w, "sr=", 3) == 0)
                keyval(w, "sr", 0, &sr);
            else if (strncmp(w, "frames=", 7) == 0)
                frames = keyval(w, "frames", 0, NULL);
            else
                fail("buffer: unknown option '%s' (channels=, sr=, frames=)", w);
        }
        float *data = NULL;
        if (strcmp(src, "zeros") != 0) {
            long count;
            data = read_f32(src, &count);
            frames = count / (channels > 0 ? channels : 1);
        }
        if (maxhost_buffer_set(name, data, frames, channels, sr) != 0)
            fail("buffer %s: could not set", name);
        free(data);
    } else if (strcmp(cmd, "buffer-remove") == 0) {
        char *name = need(&p, "name");
        if (maxhost_buffer_remove(name) != 0)
            fail("buffer-remove: no buffer~ %s", name);
    } else if (strcmp(cmd, "array") == 0) {
        char *name = need(&p, "name");
        if (maxhost_array_set(name, rest(&p)) != 0)
            fail("array %s: could not set", name);
    } else if (strcmp(cmd, "array-remove") == 0) {
        char *name = need(&p, "name");
        if (maxhost_array_remove(name) != 0)
            fail("array-remove: no array %s", name);
    } else if (strcmp(cmd, "main") == 0) {
        char *w = word(&p);
        maxhost_main(w ? atof(w) : 0);
    } else if (strcmp(cmd, "wait") == 0) {
        double ms = atof(need(&p, "milliseconds"));
        char *w = word(&p);
        if (w && strcmp(w, "console") == 0) {
            wait_text = rest(&p);
            if (!maxhost_main_wait(ms, console_has, NULL))
                fail("wait: no console line containing \"%s\" within %g ms", wait_text, ms);
        } else {
            maxhost_main_wait(ms, NULL, NULL);
        }
    } else if (strcmp(cmd, "expect-console") == 0) {
        int level = level_of(need(&p, "level"));
        char *text = rest(&p);
        if (maxhost_console_find(level, text) < 0)
            fail("no console line containing \"%s\"", text);
    } else if (strcmp(cmd, "expect-console-error") == 0) {
        char *text = rest(&p);
        if (maxhost_console_find(MAXHOST_ERROR, text) < 0)
            fail("no console error containing \"%s\"", text);
    } else if (strcmp(cmd, "expect-no-console") == 0) {
        int level = level_of(need(&p, "level"));
        char *text = rest(&p);
        long i = maxhost_console_find(level, text);
        if (i >= 0) {
            maxhost_console_line found;
            maxhost_console_get(i, &found);
            fail("unexpected console line \"%s\"", found.text);
        }
    } else if (strcmp(cmd, "expect-console-errors") == 0) {
        long want = atol(need(&p, "count"));
        long got = maxhost_console_count_level(MAXHOST_ERROR);
        if (got != want)
            fail("%ld console errors, expected %ld", got, want);
    } else if (strcmp(cmd, "clear-console") == 0) {
        maxhost_console_clear();
    } else if (strcmp(cmd, "print-console") == 0) {
        dump_console(stdout);
    } else if (strcmp(cmd, "expect-outlet") == 0) {
        maxhost_obj *o = obj_get(need(&p, "id"));
        char *w = need(&p, "outlet or any");
        long outlet = strcmp(w, "any") == 0 ? -1 : atol(w);
        char *text = rest(&p);
        if (maxhost_log_find(o, outlet, text) < 0)
            fail("no message containing \"%s\" on outlet %s", text, w);
    } else if (strcmp(cmd, "print-outlets") == 0) {
        maxhost_obj *o = obj_get(need(&p, "id"));
        maxhost_log_entry e;
        for (long i = 0; i < maxhost_log_count(o); i++)
            if (maxhost_log_get(o, i, &e) == 0)
                printf("outlet %ld: %s\n", e.outlet, e.text);
    } else if (strcmp(cmd, "clear-outlets") == 0) {
        maxhost_log_clear(obj_get(need(&p, "id")));
    } else if (strcmp(cmd, "expect-dict") == 0) {
        char *name = need(&p, "name");
        char *text = rest(&p);
        static char buf[1 << 16];
        if (maxhost_dict_text(name, buf, sizeof buf) != 0)
            fail("no registered dictionary %s", name);
        if (!strstr(buf, text))
            fail("dictionary %s is %s; it does not contain %s", name, buf, text);
    } else if (strcmp(cmd, "print-dict") == 0) {
        char *name = need(&p, "name");
        static char buf[1 << 16];
        if (maxhost_dict_text(name, buf, sizeof buf) != 0)
            fail("no registered dictionary %s", name);
        printf("dict %s: %s\n", name, buf);
    } else if (strcmp(cmd, "echo") == 0) {
        maxhost_console_echo(strcmp(need(&p, "on|off"), "on") == 0);
    } else {
        fail("unknown command '%s'", cmd);
    }
}

int main(int argc, char **argv)
{
    int a = 1;
    if (a < argc && strcmp(argv[a], "-v") == 0) {
        maxhost_console_echo(1);
        a++;
    }
    if (a != argc - 1) {
        fprintf(stderr, "usage: nn_maxhost [-v] script.txt|-\n");
        return 2;
    }
    script_name = argv[a];
    FILE *f = strcmp(script_name, "-") == 0 ? stdin : fopen(script_name, "r");
    if (!f) {
        fprintf(stderr, "nn_maxhost: cannot open %s\n", script_name);
        return 2;
    }
    maxhost_init();
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        run_line(line);
    }
    if (f != stdin)
        fclose(f);
    maxhost_reset();
    printf("ok\n");
    return 0;
}
