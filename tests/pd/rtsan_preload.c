/* nn~ in C — starts the RealtimeSanitizer runtime inside a Pd that was not built with it.
 * SPDX-License-Identifier: MIT
 *
 * Pd is not instrumented, but the externals of the RealtimeSanitizer build are: this library
 * is linked from the sanitizer's static runtime (minus its .preinit_array object, which a
 * shared library may not carry) and preloaded into Pd by the tests, so that the runtime's
 * interceptors (malloc, locks, thread calls, ...) see every call made while the externals'
 * audio code is in a real-time context. The preinit step is replaced by this constructor.
 */
void __rtsan_ensure_initialized(void);

/* Idempotent: an interceptor may already have started the runtime during loading. */
__attribute__((constructor(101))) static void nn_rtsan_preload_init(void)
{
    __rtsan_ensure_initialized();
}
