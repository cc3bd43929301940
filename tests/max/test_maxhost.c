/* nn~ in C — self-tests of the Max test host through its C API, with the test-only
 * externals of tests/max/externals.
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maxhost.h"

static void load(const char *name)
{
    const char *dir = getenv("NN_MAXHOST_EXTERNALS");
    assert_non_null(dir);
    char path[2048], err[2048];
    snprintf(path, sizeof path, "%s/%s.mxl", dir, name);
    if (maxhost_load(path, err, sizeof err) != 0)
        fail_msg("load %s: %s", path, err);
}

static int setup(void **state)
{
    (void)state;
    maxhost_reset();
    return 0;
}

static void test_gain_render_inplace_and_attributes(void **state)
{
    (void)state;
    load("hosttest_gain~");
    maxhost_obj *g = maxhost_new("hosttest_gain~", "0.5 @mute 0");
    assert_non_null(g);
    char v[256];
    assert_int_equal(maxhost_attr_get(g, "gain", v, sizeof v), 0);
    assert_string_equal(v, "0.5");
    assert_int_equal(maxhost_outlet_count(g), 2);
    assert_string_equal(maxhost_outlet_type(g, 0), "signal");
    assert_string_equal(maxhost_outlet_type(g, 1), "");
    long in[1] = {1};
    assert_int_equal(maxhost_dsp(g, 48000, 64, 1, in), 1);
    assert_int_equal(maxhost_dsp_inputs(g), 1);
    assert_int_equal(maxhost_dsp_outputs(g), 1);
    float x[200], y[200];
    for (int i = 0; i < 200; i++)
        x[i] = (float)sin(i * 0.1);
    assert_int_equal(maxhost_perform(g, x, y, 200), 0);
    for (int i = 0; i < 200; i++)
        assert_float_equal(y[i], 0.5f * x[i], 1e-6);
    /* proxy inlet 1 sets the gain; the clip filter keeps it in [0, 10] */
    assert_int_equal(maxhost_send(g, 1, "2"), 0);
    assert_int_equal(maxhost_send(g, 0, "gain 100"), 0);
    assert_int_equal(maxhost_attr_get(g, "gain", v, sizeof v), 0);
    assert_string_equal(v, "10.0");
    assert_int_equal(maxhost_send(g, 0, "mute 1"), 0);
    assert_int_equal(maxhost_perform(g, x, y, 64), 0);
    for (int i = 0; i < 64; i++)
        assert_float_equal(y[i], 0.0f, 0);
    maxhost_free(g);
}

static void test_gain_messages_outlets_console(void **state)
{
    (void)state;
    load("hosttest_gain~");
    maxhost_obj *g = maxhost_new("hosttest_gain~", "0.25");
    assert_non_null(g);
    assert_int_equal(maxhost_send(g, 0, "report"), 0);
    assert_true(maxhost_log_find(g, 1, "int 250") >= 0);
    assert_true(maxhost_log_find(g, 1, "float 0.25") >= 0);
    assert_int_equal(maxhost_send(g, 0, "ping x 1 2.5"), 0);
    assert_true(maxhost_log_find(g, 1, "pong x 1 2.5") >= 0);
    assert_int_equal(maxhost_send(g, 0, ""), 0);
    assert_true(maxhost_log_find(g, 1, "bang") >= 0);
    assert_int_equal(maxhost_send(g, 0, "7"), 0);
    assert_true(maxhost_console_find(MAXHOST_POST, "int 7") >= 0);
    long errors = maxhost_console_count_level(MAXHOST_ERROR);
    assert_int_equal(maxhost_send(g, 0, "bogus 1 2"), -1);
    assert_int_equal(maxhost_console_count_level(MAXHOST_ERROR), errors + 1);
    long i = maxhost_console_find(MAXHOST_ERROR, "doesn't understand \"bogus\"");
    assert_true(i >= 0);
    maxhost_console_line line;
    assert_int_equal(maxhost_console_get(i, &line), 0);
    assert_string_equal(line.object, "hosttest_gain~");
    char a[256];
    assert_string_equal(maxhost_assist(g, 1, 1, a, sizeof a), "(float) gain");
    assert_string_equal(maxhost_assist(g, 2, 0, a, sizeof a), "(signal) input times gain");
    assert_null(maxhost_new("no_such_class~", ""));
    maxhost_free(g);
}

static void test_mc_channels(void **state)
{
    (void)state;
    load("hosttest_mc~");
    maxhost_obj *m = maxhost_new("hosttest_mc~", "");
    assert_non_null(m);
    long in[2] = {3, 2};
    assert_int_equal(maxhost_dsp(m, 44100, 16, 2, in), 1);
    assert_int_equal(maxhost_dsp_inputs(m), 5);
    assert_int_equal(maxhost_dsp_outlet_channels(m, 0), 3);
    assert_int_equal(maxhost_dsp_outlet_channels(m, 1), 1);
    assert_int_equal(maxhost_dsp_outputs(m), 4);
    float x[16 * 5], y[16 * 4];
    for (int f = 0; f < 16; f++)
        for (int c = 0; c < 5; c++)
            x[f * 5 + c] = (float)(c + 1);
    assert_int_equal(maxhost_perform(m, x, y, 16), 0);
    /* out k = in0[k] + 10 * in1[k]: inlet 0 has 1 2 3, inlet 1 has 4 5 */
    assert_float_equal(y[0], 1 + 40, 0);
    assert_float_equal(y[1], 2 + 50, 0);
    assert_float_equal(y[2], 3, 0);
    assert_float_equal(y[3], 5, 0); /* the perform routine got 5 input channels */
    maxhost_free(m);

    maxhost_obj *m8 = maxhost_new("hosttest_mc~", "@chans 8");
    assert_non_null(m8);
    long in1[1] = {2};
    assert_int_equal(maxhost_dsp(m8, 44100, 16, 1, in1), 1);
    assert_int_equal(maxhost_dsp_outlet_channels(m8, 0), 8);
    assert_int_equal(maxhost_dsp_inputs(m8), 3); /* the unconnected inlet is one zero channel */
    assert_true(maxhost_console_find(MAXHOST_POST, "connected 1,0") >= 0);
    maxhost_free(m8);

    /* without Z_MC_INLETS an object gets one channel per inlet: hosttest_gain~ */
    load("hosttest_gain~");
    maxhost_obj *g = maxhost_new("hosttest_gain~", "1");
    long in4[1] = {4};
    assert_int_equal(maxhost_dsp(g, 44100, 16, 1, in4), 1);
    assert_int_equal(maxhost_dsp_inputs(g), 1);
    maxhost_free(g);
}

static int has_deferred(void *arg)
{
    (void)arg;
    return maxhost_console_find(MAXHOST_POST, "deferred t1 main=1") >= 0;
}

static void test_sched_queues_and_clocks(void **state)
{
    (void)state;
    load("hosttest_sched");
    maxhost_obj *s = maxhost_new("hosttest_sched", "");
    assert_non_null(s);
    assert_int_equal(maxhost_send(s, 0, "later a"), 0);
    assert_true(maxhost_console_find(-1, "later a") < 0);
    assert_true(maxhost_main(0) >= 1);
    assert_true(maxhost_console_find(MAXHOST_POST, "later a") >= 0);
    double t0 = maxhost_time();
    assert_int_equal(maxhost_send(s, 0, "tick 20"), 0);
    maxhost_main(19);
    assert_true(maxhost_console_find(-1, "tick at") < 0);
    maxhost_main(5);
    char want[64];
    snprintf(want, sizeof want, "tick at %ld", (long)(t0 + 20));
    assert_true(maxhost_console_find(MAXHOST_POST, want) >= 0);
    assert_int_equal(maxhost_send(s, 0, "fromthread t1"), 0);
    assert_int_equal(maxhost_main_wait(2000, has_deferred, NULL), 1);
    maxhost_main(0);
    assert_true(maxhost_console_find(MAXHOST_POST, "qelem t1") >= 0);
    /* a deferred call still queued when its object goes is the object's bug: here none is */
    maxhost_free(s);
    assert_int_equal(maxhost_console_count_level(MAXHOST_ERROR), 0);
}

static void test_dictionary_outlet(void **state)
{
    (void)state;
    load("hosttest_sched");
    maxhost_obj *s = maxhost_new("hosttest_sched", "");
    assert_int_equal(maxhost_send(s, 0, "dict -"), 0);
    long i = maxhost_log_find(s, 0, "dictionary u");
    assert_true(i >= 0);
    char name[sizeof(maxhost_log_entry)];
    maxhost_log_entry e;
    assert_int_equal(maxhost_log_get(s, i, &e), 0);
    snprintf(name, sizeof name, "%s", e.text + strlen("dictionary "));
    char text[4096];
    assert_int_equal(maxhost_dict_text(name, text, sizeof text), 0);
    assert_non_null(strstr(text, "\"channels_in\": 2"));
    assert_non_null(strstr(text, "\"attribute_type\": [\"int\", \"float\"]"));
    assert_int_equal(maxhost_console_count_level(MAXHOST_ERROR), 0);
    maxhost_free(s);
    assert_int_equal(maxhost_dict_text(name, text, sizeof text), -1);
}

static void test_buffer_and_array(void **state)
{
    (void)state;
    load("hosttest_buf~");
    maxhost_obj *b = maxhost_new("hosttest_buf~", "@buffer bb");
    assert_non_null(b);
    float data[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(maxhost_buffer_set("bb", data, 3, 2, 22050), 0);
    assert_true(maxhost_console_find(MAXHOST_POST, "notify globalsymbol_binding bb") >= 0);
    assert_int_equal(maxhost_send(b, 0, "read"), 0);
    assert_true(maxhost_log_find(b, 0, "buffer 2 3 22050.0 21.0") >= 0);
    assert_int_equal(maxhost_buffer_set("bb", data, 6, 1, 44100), 0);
    assert_true(maxhost_console_find(MAXHOST_POST, "notify buffer_modified bb") >= 0);
    assert_int_equal(maxhost_send(b, 0, "read"), 0);
    assert_true(maxhost_log_find(b, 0, "buffer 1 6 44100.0 21.0") >= 0);
    assert_int_equal(maxhost_array_set("table", "0.5 0.25 1"), 0);
    assert_int_equal(maxhost_send(b, 0, "array table"), 0);
    assert_true(maxhost_log_find(b, 0, "array 3 1.75") >= 0);
    maxhost_console_clear();
    assert_int_equal(maxhost_array_set("table", "2 2"), 0);
    assert_true(maxhost_console_find(MAXHOST_POST, "notify modified table") >= 0);
    assert_int_equal(maxhost_buffer_remove("bb"), 0);
    assert_true(maxhost_console_find(MAXHOST_POST, "notify globalsymbol_unbinding bb") >= 0);
    maxhost_free(b);
}

static void test_perform_on_audio_thread(void **state)
{
    (void)state;
    load("hosttest_gain~");
    maxhost_obj *g = maxhost_new("hosttest_gain~", "0.5");
    assert_non_null(g);
    long in[1] = {1};
    assert_int_equal(maxhost_dsp(g, 48000, 64, 1, in), 1);
    long frames = 48000;
    float *x = calloc((size_t)frames, sizeof *x), *y = calloc((size_t)frames, sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (long i = 0; i < frames; i++)
        x[i] = 1.0f;
    /* messages and the main thread run while perform runs on the audio thread */
    assert_int_equal(maxhost_perform_start(g, x, y, frames), 0);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(maxhost_send(g, 0, "report"), 0);
        maxhost_main(1);
    }
    assert_int_equal(maxhost_perform_wait(g), 0);
    for (long i = 0; i < frames; i++)
        assert_float_equal(y[i], 0.5f, 0);
    assert_true(maxhost_log_find(g, 1, "int 500") >= 0);
    /* freeing the object stops its perform after the current vector (dsp_free) */
    assert_int_equal(maxhost_perform_start(g, x, y, frames), 0);
    maxhost_free(g);
    free(x);
    free(y);
}

static void test_missing_function_fails_loudly(void **state)
{
    (void)state;
    const char *dir = getenv("NN_MAXHOST_EXTERNALS");
    char path[2048], err[2048] = "";
    snprintf(path, sizeof path, "%s/hosttest_missing.mxl", dir);
    assert_int_equal(maxhost_load(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "hashtab_new"));
}

int main(void)
{
    maxhost_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gain_render_inplace_and_attributes, setup),
        cmocka_unit_test_setup(test_gain_messages_outlets_console, setup),
        cmocka_unit_test_setup(test_mc_channels, setup),
        cmocka_unit_test_setup(test_sched_queues_and_clocks, setup),
        cmocka_unit_test_setup(test_dictionary_outlet, setup),
        cmocka_unit_test_setup(test_buffer_and_array, setup),
        cmocka_unit_test_setup(test_perform_on_audio_thread, setup),
        cmocka_unit_test_setup(test_missing_function_fails_loudly, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
