/* nn~ in C — proof that the RealtimeSanitizer check fires (expected to fail).
 * SPDX-License-Identifier: MIT
 *
 * The engine's THREADED tests run clean under RealtimeSanitizer; this program
 * shows that a clean run means something. It calls nn_stream_process() in
 * SYNCHRONOUS mode, where the model runs inside process() (libtorch allocates
 * and the model lock is taken), inside a real-time context: RTSan must abort
 * the program. Registered with WILL_FAIL. Setup problems and a run that RTSan
 * lets through exit with status 0 and a message, so that they fail the test.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>

#include "nn/nn.h"

void __rtsan_realtime_enter(void);
void __rtsan_realtime_exit(void);

int main(void)
{
    const char *dir = getenv("NN_TEST_MODELS");
    char path[1024];
    snprintf(path, sizeof path, "%s/gain.ts", dir ? dir : ".");
    nn_model *model = NULL;
    nn_error err;
    if (nn_model_load(path, NULL, &model, &err) != NN_OK) {
        printf("setup failed: %s (build the 'models' target)\n", err.message);
        return 0;
    }
    nn_stream_config config = nn_stream_config_default();
    config.buffer_size = 0;
    nn_stream *stream = NULL;
    if (nn_stream_new(model, &config, &stream, &err) != NN_OK || nn_stream_prepare(stream, 48000, 64, &err) != NN_OK) {
        printf("setup failed: %s\n", err.message);
        return 0;
    }
    nn_stream_wait_idle(stream);
    float in[64] = {0}, out[64];
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 4; i++) {
        __rtsan_realtime_enter();
        nn_stream_process(stream, ins, 1, outs, 1, 64);
        __rtsan_realtime_exit();
    }
    printf("RealtimeSanitizer let a synchronous model call through: the check does not work\n");
    nn_stream_free(stream);
    return 0;
}
