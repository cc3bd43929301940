/* nn~ in C — test host for Max externals: what the host's own files share.
 * SPDX-License-Identifier: MIT
 *
 * The host implements part of the Max API (see README.md in tests/max) against the SDK
 * headers, so every function it provides has the exact prototype an external was compiled
 * against. This header is the host's inside: its class, object, outlet and queue records.
 * Nothing here is visible to an external.
 */
#ifndef NN_MAXHOST_INTERNAL_H
#define NN_MAXHOST_INTERNAL_H

#include "ext.h"
#include "ext_atomarray.h"
#include "ext_buffer.h"
#include "ext_critical.h"
#include "ext_dictionary.h"
#include "ext_dictobj.h"
#include "ext_obex.h"
#include "ext_path.h"
#include "ext_systhread.h"
#include "ext_systime.h"
#include "z_dsp.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include "maxhost.h"

/* A method of a class: its selector, function and declared argument types. */
typedef struct hmethod {
    t_symbol *name;
    method fn;
    char types[MSG_MAXARG + 1];
} hmethod;

struct hattr;

/* The host's class record. Externals see it only as a t_class pointer. */
typedef struct hclass {
    t_class c; /* the SDK's struct, filled for debugging convenience only */
    t_symbol *name;
    t_symbol *name_space; /* "box" or "nobox" once registered, NULL before */
    method mnew, mfree;
    long size;
    char newtypes[MSG_MAXARG + 1];
    hmethod *methods;
    long nmethods, capmethods;
    struct hattr **attrs;
    long nattrs, capattrs;
    int internal; /* one of the host's own classes (attribute, dictionary, ...) */
    short path;   /* path id of the folder the external was loaded from */
    void (*internal_free)(t_object *x);
    struct hclass *next;
} hclass;

/* An attribute (an object of the host's internal class "attr"). */
typedef struct hattr {
    t_object ob;
    t_symbol *name, *type;
    long flags;
    method mget, mset;
    long offset, size, offsetcount; /* size > 1 or offsetcount: array attributes */
    int has_clip_min, has_clip_max;
    double clip_min, clip_max;
    long nattrattrs;
    t_symbol *attrattr_names[16];
    t_atom attrattr_values[16];
} hattr;

/* An outlet. Max creates outlets right to left: the last created is outlet 0. */
typedef struct houtlet {
    t_object *owner;
    t_symbol *type; /* NULL, "signal", "multichannelsignal", "int", "dictionary", ... */
    int is_signal, is_mc;
    long created; /* creation order */
} houtlet;

#define HOST_MAX_INLETS 256

/* What the host keeps for each instance of an external's class. */
typedef struct hinstance {
    t_object *obj;
    hclass *cls;
    houtlet **outlets; /* in creation order */
    long noutlets;
    long ninlets;                     /* inlets known to the host (0: only the left one) */
    char inlet_kind[HOST_MAX_INLETS]; /* 'p' proxy, 'i' intin, 'f' floatin */
    long signal_inlets;               /* from dsp_setup */
    int dsp_setup_called;
    /* the compiled DSP chain for this object */
    struct hperform {
        t_perfroutine64 fn;
        long flags;
        void *userparam;
    } perform[4];
    long nperform;
    long *in_chans, *out_chans; /* channels per signal inlet / signal outlet */
    long nin_total, nout_total;
    double **ins, **outs;
    double *sigmem;
    long vs;
    double sr;
    int freeing;
    /* perform running on the host's audio thread (maxhost_perform_start) */
    pthread_t audio_thread;
    int audio_running;
    _Atomic int audio_stop;
    const float *audio_in;
    float *audio_out;
    long audio_frames;
    int audio_result;
    maxhost_log_entry *log; /* outlet messages */
    long nlog, caplog;
    struct hinstance *next;
} hinstance;

/* ---- shared helpers ---- */
/* host_atoms.c */
void *host_calloc(size_t n, size_t size);              /* calloc that never returns NULL */
long host_parse_atoms(const char *text, t_atom **out); /* text to atoms (free with free) */
/* host_object.c */
hinstance *host_instances(void); /* the first instance (under host_lock) */
/* host_core.c */
extern short host_loading_path;
extern pthread_mutex_t host_lock;     /* classes, instances, registry, symbol table */
hclass *host_class_of(void *x);       /* NULL when x is not a host object */
hinstance *host_instance_of(void *x); /* NULL when x is not an external's instance */
hmethod *host_find_method(hclass *c, t_symbol *s);
hattr *host_find_attr(hclass *c, t_symbol *s);
hclass *host_internal_class(const char *name, long size, void (*freefn)(t_object *));
t_object *host_internal_alloc(hclass *c);
void host_console(maxhost_level level, t_object *x, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) void host_consolef(maxhost_level level, t_object *x, const char *fmt, ...);
const char *host_object_name(t_object *x);
void host_atoms_text(long ac, const t_atom *av, char *out, size_t outlen);
void host_record_outlet(houtlet *o, t_symbol *s, long ac, const t_atom *av);
__attribute__((noreturn, format(printf, 1, 2))) void host_fatal(const char *fmt, ...);

/* dispatch a Max message to an object as Max does (host_core.c) */
t_max_err host_dispatch(t_object *x, t_symbol *s, long ac, t_atom *av);

/* attributes (host_attr.c) */
t_max_err host_attr_set(t_object *x, hattr *a, long ac, t_atom *av);
t_max_err host_attr_get(t_object *x, hattr *a, long *ac, t_atom **av);
void *host_attr_method(hattr *a, t_symbol *s, void **p);

/* registry and notifications (host_core.c) */
void host_notify_clients(t_object *sender, t_symbol *name, t_symbol *msg, void *data);
void host_registry_forget(t_object *x);

/* MSP (host_msp.c) */
void host_instance_dsp_free(hinstance *h);
void host_buffers_reset(void);
void host_buffer_refs_forget(t_object *owner);
extern _Thread_local int host_in_audio;
extern long host_current_inlet;

/* scheduler (host_sched.c) */
void host_sched_forget(t_object *owner);
void host_sched_reset(void);
void host_sched_init(void);

/* dictionaries and atomarrays (host_dict.c) */
void host_dict_reset(void);
int host_is_dictionary(void *x);
int host_is_atomarray(void *x);

#endif
