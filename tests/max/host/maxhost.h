/* nn~ in C — a test host that plays Max/MSP for externals built against the Max SDK.
 * SPDX-License-Identifier: MIT
 *
 * No Max runs on Linux, so this library provides the Max API functions MSP objects call
 * (exported from the test program: link it with ENABLE_EXPORTS), loads a built external with
 * dlopen(RTLD_NOW) and drives it the way Max would: ext_main, instance creation from an
 * argument list with @attributes, messages, assist, the signal compiler (inputchanged,
 * multichanneloutputs, dsp64 with a dsp64 object) and perform64 vector by vector, buffer~
 * and [array] contents with their change notifications, and Max's main thread (defer,
 * qelem, clocks in logical time). It records the console and every outlet message.
 * It knows the Max API, never a particular object. See tests/max/README.md.
 *
 * Threads: call everything from one thread (the "main thread" of this Max, the first to
 * call maxhost_init). maxhost_perform runs on the calling thread, marked as the audio thread
 * while it runs (systhread_isaudiothread); maxhost_perform_start runs it on a thread of
 * its own, concurrently with the main thread, as in Max.
 * Objects' own threads may call the API functions that Max allows from any thread
 * (defer/defer_low, qelem_set, clock_delay, post/error, ...).
 *
 * Messages and argument lists are text, split into atoms as a Max message box would:
 * integers become A_LONG, numbers with '.' or 'e' A_FLOAT, anything else A_SYM; "double
 * quotes" keep spaces inside one symbol.
 */
#ifndef NN_MAXHOST_H
#define NN_MAXHOST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hinstance maxhost_obj; /* one instance of an external's class */

typedef enum { MAXHOST_POST = 0, MAXHOST_WARN = 1, MAXHOST_ERROR = 2 } maxhost_level;

/* One console line: object_post/post (POST), object_warn (WARN), object_error/error (ERROR). */
typedef struct maxhost_console_line {
    maxhost_level level;
    char object[64]; /* class name of the posting object, "" for post/error */
    char text[1024];
} maxhost_console_line;

/* One message an object sent through an outlet, as text: "int 3", "float 0.5", "bang",
 * "list 1 2.5 foo", "<selector> <args>" (e.g. "dictionary u123"). */
typedef struct maxhost_log_entry {
    long outlet;
    char text[1024];
} maxhost_log_entry;

/* Starts the host (idempotent): symbol table, the sample rate 44100 and vector size 64 that
 * sys_getsr/sys_getblksize report before the first dsp, logical time 0. */
void maxhost_init(void);
/* Frees every instance, buffer~, array, queued call, clock and console line (not the loaded
 * classes: a shared object stays loaded, as in Max). */
void maxhost_reset(void);

/* dlopen(path, RTLD_NOW) and call its ext_main. A Max API function the external calls that
 * this host lacks makes dlopen fail: the error (dlerror, naming the symbol) is written to
 * err and -1 is returned. 0 on success; loading the same path twice is a no-op. */
int maxhost_load(const char *path, char *err, size_t errlen);

/* Creates an instance of a registered class from a Max argument list ("model forward 2048
 * @chans 2"); NULL when the class is unknown or its new method returns NULL. */
maxhost_obj *maxhost_new(const char *classname, const char *args);
/* object_free: the object's free method, then the host's bookkeeping. NULL is a no-op. */
void maxhost_free(maxhost_obj *o);
void *maxhost_object(maxhost_obj *o); /* the t_object* */

/* Sends a message to an inlet (0 = left; other inlets are seen through proxy_getinlet, and
 * a number to an intin/floatin inlet n calls "in<n>"/"ft<n>"; an inlet the object did not
 * make is a console error).
 * "3" sends int, "0.5" float, "1 2" list, "foo 1" the selector foo. Returns 0 when a
 * method (or an attribute) took it, -1 when Max would print "doesn't understand". */
int maxhost_send(maxhost_obj *o, long inlet, const char *message);

/* Calls the object's "loadbang" method (A_CANT), as Max does once the patcher is loaded.
 * -1 when it has none. */
int maxhost_loadbang(maxhost_obj *o);

/* The assist string of inlet (io = 1) or outlet (io = 2) index, "" if none. */
const char *maxhost_assist(maxhost_obj *o, int io, long index, char *buf, size_t buflen);

/* Attribute access as from C (object_attr_setvalueof / getvalueof). get writes the value's
 * atoms as text. Both return 0 on success. */
int maxhost_attr_set(maxhost_obj *o, const char *attr, const char *values);
int maxhost_attr_get(maxhost_obj *o, const char *attr, char *out, size_t outlen);

/* Outlets and their recorded messages. */
long maxhost_outlet_count(maxhost_obj *o);
const char *maxhost_outlet_type(maxhost_obj *o, long outlet); /* "" for a plain outlet */
long maxhost_log_count(maxhost_obj *o);
/* Copies entry i into *out (objects may send from other threads meanwhile): 0, or -1 when
 * there is no entry i. */
int maxhost_log_get(maxhost_obj *o, long i, maxhost_log_entry *out);
/* Index of the first recorded message on outlet (-1: any) containing text, or -1. */
long maxhost_log_find(maxhost_obj *o, long outlet, const char *text);
void maxhost_log_clear(maxhost_obj *o);

/* The signal compiler for one object: in_chans[i] channels on signal inlet i (0: not
 * connected, which Max feeds as one zero channel; inlets past nin are unconnected),
 * vector size vs, sample rate sr. Calls inputchanged and multichanneloutputs when the class
 * has them, then dsp64 ("dspstate 1" before, when the object has that method and was off). Objects without Z_MC_INLETS
 * get only the first channel of each inlet (as in Max). Unless the object sets Z_NO_INPLACE, output vector k shares
 * memory with input vector k, as Max may arrange. Returns the number of perform routines the object added (0: it will
 * not be called), or -1 when the object has no dsp64 method. */
int maxhost_dsp(maxhost_obj *o, double sr, long vs, long nin, const long *in_chans);
long maxhost_dsp_inputs(maxhost_obj *o);  /* channels given to perform */
long maxhost_dsp_outputs(maxhost_obj *o); /* total output channels */
long maxhost_dsp_outlet_channels(maxhost_obj *o, long signal_outlet);
/* Recompiles this object's DSP (same rate, vector size, input channels) when an object
 * called dspchain_setbroken since; returns 1 if it did. maxhost_perform refuses (-1) while
 * the chain is broken: call this first. */
int maxhost_dsp_refresh(maxhost_obj *o);
/* Stops DSP for this object, as turning audio off: perform is not called any more and the
 * object gets "dspstate 0" (maxhost_dsp sends "dspstate 1" first when audio was off). */
void maxhost_dsp_stop(maxhost_obj *o);

/* Runs perform64 over frames samples, vector by vector. in: maxhost_dsp_inputs() channels,
 * interleaved (frame-major), NULL for silence; out: maxhost_dsp_outputs() channels,
 * interleaved, may be NULL. The last vector is zero-padded. Each perform call runs inside
 * __rtsan_realtime_enter/exit in the RealtimeSanitizer build. Returns 0, -1 without dsp. */
int maxhost_perform(maxhost_obj *o, const float *in, float *out, long frames);

/* The same on the host's audio thread, concurrently with the caller (the main thread),
 * which may meanwhile send messages, run maxhost_main or free the object (object_free
 * stops the perform after its current vector, as Max's dsp_free does). in and out must
 * stay valid until maxhost_perform_wait, which returns maxhost_perform's result. One
 * perform at a time per object. */
int maxhost_perform_start(maxhost_obj *o, const float *in, float *out, long frames);
int maxhost_perform_wait(maxhost_obj *o);

/* Max's main thread. maxhost_main(ms) advances logical time by ms (0: not at all), firing
 * due clocks in time order, and runs deferred calls and set qelems until none is left.
 * Returns the number of callbacks run. maxhost_main_wait runs it against the wall clock for
 * at most wall_ms (logical time follows the wall clock), returning early, with 1, as soon
 * as done(arg) is true (done NULL: run the whole time and return 1). */
long maxhost_main(double ms);
int maxhost_main_wait(double wall_ms, int (*done)(void *arg), void *arg);
double maxhost_time(void); /* logical time in ms (gettime, clock_getftime) */

/* buffer~: creates or replaces the buffer~ name with frames x channels interleaved samples
 * (NULL: zeros) at sample rate sr, then notifies the objects referencing it. */
int maxhost_buffer_set(const char *name, const float *samples, long frames, long channels, double sr);
int maxhost_buffer_remove(const char *name); /* the buffer~ is deleted */
/* [array]: sets the contents of the array name from a Max list ("0.1 0.2 3"), registering
 * it if new; attached objects get the "modified" notification. See README for the model. */
int maxhost_array_set(const char *name, const char *atoms);
int maxhost_array_remove(const char *name);

/* Dictionaries registered with dictobj_register: their content as JSON-like text. */
int maxhost_dict_text(const char *name, char *out, size_t outlen);

/* Console. */
long maxhost_console_count(void);
/* Copies line i into *out (threads may post meanwhile): 0, or -1 when there is no line i. */
int maxhost_console_get(long i, maxhost_console_line *out);
/* Index of the first line at level (-1: any) containing text, or -1. */
long maxhost_console_find(int level, const char *text);
long maxhost_console_count_level(int level);
void maxhost_console_clear(void);
/* Echo each console line to stderr as it arrives (default off). */
void maxhost_console_echo(int on);

/* Search path for locatefile_extended (like Max's file preferences). */
void maxhost_searchpath_add(const char *dir);

#ifdef __cplusplus
}
#endif
#endif
