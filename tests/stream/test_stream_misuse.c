/* nn~ in C — misuse of the stream API, bad buffer/vector sizes, channel layout, errors as events.
 * SPDX-License-Identifier: MIT
 *
 * NULL handles and arguments, buffer sizes out of range or not a multiple of
 * the host vector size (the stream must then output silence and never read or
 * write out of bounds: the ASan build checks), wrong attribute names, counts
 * and types (refused at once), a model's refusal and a model that throws
 * (reported once, as events, with silence), the batch-major channel layout
 * with extra and missing host channels, enable/disable, and get.
 */
#include "stream_test.h"

static void fill(float *x, size_t count, float value)
{
    for (size_t i = 0; i < count; i++)
        x[i] = value;
}

static bool all_equal(const float *x, size_t count, float value)
{
    for (size_t i = 0; i < count; i++)
        if (x[i] != value)
            return false;
    return true;
}

/* An offline stream prepared for 48 kHz and vectors of 64, the host these tests play. */
static nn_stream *open_prepared(const char *name, const char *method, int buffer_size, int batch, st_events *events)
{
    nn_stream *stream = st_new(name, method, buffer_size, NN_STREAM_OFFLINE, batch, events);
    st_prepare(stream, 48000, 64);
    return stream;
}

/* Let the worker finish what it was given, then deliver its events. */
static void settle(nn_stream *stream)
{
    nn_stream_wait_idle(stream);
    nn_stream_poll(stream);
}

static void test_null(void **state)
{
    (void)state;
    nn_error err;
    nn_stream *stream = (nn_stream *)1;
    assert_int_equal(nn_stream_new(NULL, NULL, &stream, &err), NN_ERR_INVALID_ARGUMENT);
    assert_null(stream);
    assert_int_equal(nn_stream_new(st_load("gain.ts"), NULL, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    nn_stream_free(NULL);
    assert_int_equal(nn_stream_prepare(NULL, 48000, 64, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_poll(NULL), 0);
    assert_false(nn_stream_busy(NULL));
    nn_stream_wait_idle(NULL);
    assert_int_equal(nn_stream_latency(NULL), -1);
    assert_int_equal(nn_stream_overruns(NULL), 0);
    assert_int_equal(nn_stream_blocks(NULL), 0);
    assert_null(nn_stream_model(NULL));
    assert_null(nn_stream_method(NULL));
    assert_false(nn_stream_enabled(NULL));
    nn_stream_set_enabled(NULL, true);
    assert_int_equal(nn_stream_load(NULL, "x", &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_set_method(NULL, "forward", &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_set_buffer_size(NULL, 64, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_reload(NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_attribute_set(NULL, "gain", NULL, 0, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_attribute_get(NULL, "gain", &err), NN_ERR_INVALID_ARGUMENT);
    float out[8];
    fill(out, 8, 7.0f);
    float *outs[1] = {out};
    nn_stream_process(NULL, NULL, 0, outs, 1, 8);
    assert_true(all_equal(out, 8, 0.0f));

    nn_stream *s = st_new("gain.ts", "forward", 256, NN_STREAM_OFFLINE, 1, NULL);
    assert_int_equal(nn_stream_load(s, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_load(s, "", &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_set_method(s, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_attribute_set(s, NULL, NULL, 0, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_attribute_set(s, "gain", NULL, 1, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_attribute_get(s, NULL, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_prepare(s, 48000, 0, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_prepare(s, 48000, -64, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_prepare(s, 0, 64, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_stream_prepare(s, NAN, 64, &err), NN_ERR_INVALID_ARGUMENT);
    /* Not prepared: silence, and nothing read from the NULL input. */
    fill(out, 8, 7.0f);
    nn_stream_process(s, NULL, 1, outs, 1, 8);
    assert_true(all_equal(out, 8, 0.0f));
    st_prepare(s, 48000, 64);
    /* NULL input arrays and pointers read as zeros; NULL outputs are skipped. */
    float big[64];
    float *mixed[2] = {NULL, big};
    for (int i = 0; i < 20; i++)
        nn_stream_process(s, NULL, 0, mixed, 2, 64);
    assert_true(all_equal(big, 64, 0.0f));
    /* More samples than prepared: silence, no overflow. */
    float *bigs[1] = {big};
    nn_stream_process(s, NULL, 0, bigs, 1, 0);
    nn_stream_process(s, NULL, 0, bigs, 1, -3);
    nn_stream_free(s);
}

static void test_new_errors(void **state)
{
    (void)state;
    nn_error err;
    nn_stream *stream = NULL;
    nn_stream_config config = nn_stream_config_default();
    assert_string_equal(config.method, "forward");
    assert_int_equal(config.buffer_size, NN_DEFAULT_BUFFER_SIZE);
    assert_int_equal(config.batch, 1);
    config.method = "nope";
    assert_int_equal(nn_stream_new(st_load("gain.ts"), &config, &stream, &err), NN_ERR_UNKNOWN_METHOD);
    assert_non_null(strstr(err.message, "nope"));
    config.method = "forward";
    config.buffer_size = -1;
    assert_int_equal(nn_stream_new(st_load("gain.ts"), &config, &stream, &err), NN_ERR_BUFFER_SIZE);
    config.buffer_size = NN_MAX_BUFFER_SIZE + 1;
    assert_int_equal(nn_stream_new(st_load("gain.ts"), &config, &stream, &err), NN_ERR_BUFFER_SIZE);
    config.buffer_size = 256;
    config.batch = 0;
    assert_int_equal(nn_stream_new(st_load("gain.ts"), &config, &stream, &err), NN_ERR_INVALID_ARGUMENT);
    config.batch = 1;
    config.mode = (nn_stream_mode)42;
    assert_int_equal(nn_stream_new(st_load("gain.ts"), &config, &stream, &err), NN_ERR_INVALID_ARGUMENT);
    assert_null(stream);
}

/* Batch x channels x B beyond what one block slot may hold is refused with a message that
 * names the three, at creation and on a batch change. */
static void test_block_too_large(void **state)
{
    (void)state;
    st_events events = {0};
    nn_stream *s = open_prepared("gain.ts", "forward", 1 << 18, NN_MAX_BATCH, &events);
    settle(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 1);
    assert_int_equal(events.last_error, NN_ERR_BUFFER_SIZE);
    assert_non_null(strstr(events.last_message, "batch 1024 x 1 channels x buffer size 262144"));
    assert_non_null(strstr(events.last_message, "lower the buffer size or the batch"));
    nn_stream_free(s);

    st_events fine = {0};
    s = open_prepared("gain.ts", "forward", 1 << 18, 1, &fine);
    settle(s);
    assert_int_equal(fine.count[NN_EVENT_ERROR], 0);
    nn_error err;
    assert_int_equal(nn_stream_set_batch(s, NN_MAX_BATCH, &err), NN_OK);
    settle(s);
    assert_int_equal(fine.count[NN_EVENT_ERROR], 1);
    assert_non_null(strstr(fine.last_message, "samples per block"));
    nn_stream_free(s);
}

static void test_bad_vector_sizes(void **state)
{
    (void)state;
    nn_error err;
    st_events events = {0};
    nn_stream *s = st_new("gain.ts", "forward", 4096, NN_STREAM_OFFLINE, 1, &events);
    nn_stream_wait_idle(s);
    /* 4096 is not a multiple of 96 (nor of 48): a clear error, then silence. */
    assert_int_equal(nn_stream_prepare(s, 48000, 96, &err), NN_ERR_BUFFER_SIZE);
    assert_non_null(strstr(err.message, "multiple"));
    assert_int_equal(nn_stream_latency(s), -1);
    float in[96], out[96];
    fill(in, 96, 0.5f);
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 200; i++) {
        fill(out, 96, 7.0f);
        nn_stream_process(s, ins, 1, outs, 1, 96);
        assert_true(all_equal(out, 96, 0.0f));
    }
    /* A new B that does not fit the vector size either: an error event, and
     * the stream stays silent (it uses B = 64 once the host picks n = 64). */
    assert_int_equal(nn_stream_set_buffer_size(s, 64, &err), NN_OK);
    settle(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 1);
    assert_int_equal(events.last_error, NN_ERR_BUFFER_SIZE);
    for (int i = 0; i < 20; i++) {
        fill(out, 96, 7.0f);
        nn_stream_process(s, ins, 1, outs, 1, 96);
        assert_true(all_equal(out, 96, 0.0f));
    }
    assert_int_equal(nn_stream_buffer_size(s), 64);
    assert_int_equal(nn_stream_latency(s), -1);
    st_prepare(s, 48000, 64);
    assert_int_equal(nn_stream_latency(s), 2 * 64 - 64);

    /* A vector larger than B. */
    nn_stream *small = open_prepared("gain.ts", "forward", 64, 1, NULL);
    assert_int_equal(nn_stream_prepare(small, 48000, 128, &err), NN_ERR_BUFFER_SIZE);
    float in2[128], out2[128];
    fill(in2, 128, 0.5f);
    const float *ins2[1] = {in2};
    float *outs2[1] = {out2};
    for (int i = 0; i < 50; i++) {
        fill(out2, 128, 7.0f);
        nn_stream_process(small, ins2, 1, outs2, 1, 128);
        assert_true(all_equal(out2, 128, 0.0f));
    }
    nn_stream_free(small);

    /* Synchronous mode adapts B to any vector size: lcm(1, 96) = 96. */
    assert_int_equal(nn_stream_prepare(s, 48000, 96, &err), NN_ERR_BUFFER_SIZE);
    assert_int_equal(nn_stream_set_buffer_size(s, 0, &err), NN_OK);
    settle(s);
    size_t total = 96 * 10;
    float *sig = malloc(total * sizeof *sig), *res = malloc(total * sizeof *res);
    assert_non_null(sig);
    assert_non_null(res);
    for (size_t i = 0; i < total; i++)
        sig[i] = (float)i;
    st_run_mono(s, sig, res, total, 96);
    assert_int_equal(nn_stream_mode_get(s), NN_STREAM_SYNCHRONOUS);
    assert_int_equal(nn_stream_buffer_size(s), 96);
    assert_int_equal(nn_stream_latency(s), 0);
    for (size_t i = 0; i < total; i++)
        assert_true(res[i] == sig[i]);
    /* Back to a threaded (here offline) buffer size: no longer synchronous. */
    assert_int_equal(nn_stream_prepare(s, 48000, 64, &err), NN_OK);
    assert_int_equal(nn_stream_set_buffer_size(s, 100, &err), NN_OK); /* rounded up to 128 */
    float out64[64];
    float *outs64[1] = {out64};
    nn_stream_process(s, ins, 1, outs64, 1, 64);
    assert_int_equal(nn_stream_mode_get(s), NN_STREAM_OFFLINE);
    assert_int_equal(nn_stream_buffer_size(s), 128);
    assert_int_equal(nn_stream_latency(s), 2 * 128 - 64);
    assert_int_equal(nn_stream_set_buffer_size(s, -5, &err), NN_ERR_BUFFER_SIZE);
    assert_int_equal(nn_stream_set_buffer_size(s, NN_MAX_BUFFER_SIZE * 2, &err), NN_ERR_BUFFER_SIZE);
    free(sig);
    free(res);
    nn_stream_free(s);
}

static void test_buffer_size_raised(void **state)
{
    (void)state;
    st_events events = {0};
    /* ratios.ts's largest ratio is 2048: 512 is raised with a message. */
    nn_stream *s = open_prepared("ratios.ts", "encode", 512, 1, &events);
    settle(s);
    assert_int_equal(events.count[NN_EVENT_INFO], 1);
    assert_non_null(strstr(events.last_message, "2048"));
    assert_int_equal(nn_stream_buffer_size(s), 2048);
    nn_stream_free(s);
}

static void test_attributes(void **state)
{
    (void)state;
    nn_error err;
    st_events events = {0};
    nn_stream *s = open_prepared("attrs.ts", "forward", 64, 1, &events);
    nn_value v = {.type = NN_TYPE_INT, .i = 3};
    assert_int_equal(nn_stream_attribute_set(s, "nope", &v, 1, &err), NN_ERR_UNKNOWN_ATTRIBUTE);
    assert_non_null(strstr(err.message, "nope"));
    nn_value two[2] = {{.type = NN_TYPE_INT, .i = 3}, {.type = NN_TYPE_INT, .i = 3}};
    assert_int_equal(nn_stream_attribute_set(s, "count", two, 2, &err), NN_ERR_WRONG_COUNT);
    assert_non_null(strstr(err.message, "count"));
    nn_value text = {.type = NN_TYPE_STRING, .s = "loud"};
    assert_int_equal(nn_stream_attribute_set(s, "level", &text, 1, &err), NN_ERR_WRONG_TYPE);
    assert_non_null(strstr(err.message, "float"));
    nn_value half = {.type = NN_TYPE_FLOAT, .f = 2.5};
    assert_int_equal(nn_stream_attribute_set(s, "count", &half, 1, &err), NN_ERR_WRONG_TYPE);
    assert_int_equal(nn_stream_attribute_get(s, "nope", &err), NN_ERR_UNKNOWN_ATTRIBUTE);
    nn_stream_poll(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 0);

    /* The model's own refusal comes back as an event. */
    nn_value z = {.type = NN_TYPE_STRING, .s = "z"};
    assert_int_equal(nn_stream_attribute_set(s, "mode", &z, 1, &err), NN_OK);
    settle(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 1);
    assert_int_equal(events.last_error, NN_ERR_REFUSED);
    assert_int_equal(events.last_error_attribute, nn_model_attribute_find(nn_stream_model(s), "mode"));

    /* Accepted values change the output (ch1 = count, ch2 = level) from the next block on. */
    nn_value count = {.type = NN_TYPE_INT, .i = 7};
    nn_value level = {.type = NN_TYPE_INT, .i = 2}; /* an int for a float is fine */
    assert_int_equal(nn_stream_attribute_set(s, "count", &count, 1, &err), NN_OK);
    assert_int_equal(nn_stream_attribute_set(s, "level", &level, 1, &err), NN_OK);
    assert_int_equal(nn_stream_attribute_get(s, "count", &err), NN_OK);
    settle(s);
    assert_int_equal(events.count[NN_EVENT_ATTRIBUTE_SET], 2);
    assert_int_equal(events.count[NN_EVENT_ATTRIBUTE_VALUE], 1);
    assert_string_equal(events.last_value, "7");
    float outs_data[4][64];
    float *outs[4] = {outs_data[0], outs_data[1], outs_data[2], outs_data[3]};
    for (int i = 0; i < 4; i++)
        nn_stream_process(s, NULL, 0, outs, 4, 64);
    assert_true(all_equal(outs_data[1], 64, 7.0f));
    assert_true(all_equal(outs_data[2], 64, 2.0f));

    /* reload keeps the values the user set. */
    assert_int_equal(nn_stream_reload(s, &err), NN_OK);
    for (int i = 0; i < 4; i++)
        nn_stream_process(s, NULL, 0, outs, 4, 64);
    assert_true(all_equal(outs_data[1], 64, 7.0f));
    nn_stream_poll(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 1);
    nn_stream_free(s);
}

static void test_model_throws(void **state)
{
    (void)state;
    nn_error err;
    st_events events = {0};
    nn_stream *s = open_prepared("throws.ts", "forward", 64, 1, &events);
    float in[64], out[64];
    fill(in, 64, 0.5f);
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 4; i++)
        nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.5f));
    nn_value yes = {.type = NN_TYPE_BOOL, .b = true};
    assert_int_equal(nn_stream_attribute_set(s, "fail", &yes, 1, &err), NN_OK);
    for (int i = 0; i < 20; i++)
        nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.0f));
    nn_stream_poll(s);
    /* One error for twenty failing blocks. */
    assert_int_equal(events.count[NN_EVENT_ERROR], 1);
    assert_int_equal(events.last_error, NN_ERR_MODEL_FAILED);
    /* A setter that raises is a refusal, not a crash. */
    nn_value boom = {.type = NN_TYPE_INT, .i = 1};
    assert_int_equal(nn_stream_attribute_set(s, "explode", &boom, 1, &err), NN_OK);
    nn_value no = {.type = NN_TYPE_BOOL, .b = false};
    assert_int_equal(nn_stream_attribute_set(s, "fail", &no, 1, &err), NN_OK);
    for (int i = 0; i < 4; i++)
        nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.5f));
    nn_stream_poll(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 2);
    assert_int_equal(events.last_error, NN_ERR_REFUSED);
    nn_stream_free(s);
}

static void test_bad_load(void **state)
{
    (void)state;
    nn_error err;
    st_events events = {0};
    nn_stream *s = open_prepared("gain.ts", "forward", 64, 1, &events);
    assert_int_equal(nn_stream_load(s, "/nonexistent/model.ts", &err), NN_OK);
    assert_int_equal(nn_stream_load(s, st_model_path("bad/random.ts"), &err), NN_OK);
    settle(s);
    assert_int_equal(events.count[NN_EVENT_ERROR], 2);
    assert_int_equal(events.last_error, NN_ERR_BAD_FILE);
    /* The stream keeps its model. */
    float in[64], out[64];
    fill(in, 64, 0.5f);
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 4; i++)
        nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.5f));
    assert_string_equal(nn_model_path(nn_stream_model(s)), st_model_path("gain.ts"));
    /* Loading a model without the current method falls back to forward/first, with a notice. */
    assert_int_equal(nn_stream_load(s, st_model_path("multi.ts"), &err), NN_OK);
    settle(s);
    assert_string_equal(nn_stream_method(s)->name, "forward");
    assert_int_equal(nn_stream_set_method(s, "swap", &err), NN_OK);
    /* Checked at once: no load is pending. */
    assert_int_equal(nn_stream_set_method(s, "nope", &err), NN_ERR_UNKNOWN_METHOD);
    settle(s);
    assert_string_equal(nn_stream_method(s)->name, "swap");
    assert_int_equal(nn_stream_set_method(s, "nope", &err), NN_ERR_UNKNOWN_METHOD);
    nn_stream_free(s);
}

/* batch.ts: y[b][c] = x[b][c] + 10 b + 100 c, two channels per example. */
static void test_batch_layout(void **state)
{
    (void)state;
    nn_stream *s = open_prepared("batch.ts", "forward", 64, 2, NULL);
    /* Three host inputs per example (the third is ignored), two outputs plus
     * one extra per example (silent). */
    float in[6][64], out[6][64];
    const float *ins[6];
    float *outs[6];
    for (int i = 0; i < 6; i++) {
        fill(in[i], 64, (float)(i + 1));
        ins[i] = in[i];
        outs[i] = out[i];
    }
    for (int k = 0; k < 3; k++)
        nn_stream_process(s, ins, 6, outs, 6, 64);
    for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 2; c++)
            assert_true(all_equal(out[b * 3 + c], 64, (float)(b * 3 + c + 1) + 10.0f * b + 100.0f * c));
        assert_true(all_equal(out[b * 3 + 2], 64, 0.0f));
    }
    /* One host input per example: the model's second channel reads zeros. */
    for (int k = 0; k < 3; k++)
        nn_stream_process(s, ins, 2, outs, 4, 64);
    for (int b = 0; b < 2; b++) {
        assert_true(all_equal(out[b * 2 + 0], 64, (float)(b + 1) + 10.0f * b));
        assert_true(all_equal(out[b * 2 + 1], 64, 10.0f * b + 100.0f));
    }
    nn_stream_free(s);
}

static void test_enable(void **state)
{
    (void)state;
    nn_stream *s = open_prepared("gain.ts", "forward", 64, 1, NULL);
    assert_true(nn_stream_enabled(s));
    float in[64], out[64];
    fill(in, 64, 0.5f);
    const float *ins[1] = {in};
    float *outs[1] = {out};
    for (int i = 0; i < 3; i++)
        nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.5f));
    uint64_t blocks = nn_stream_blocks(s);
    nn_stream_set_enabled(s, false);
    assert_false(nn_stream_enabled(s));
    for (int i = 0; i < 5; i++)
        nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.0f));
    assert_int_equal(nn_stream_blocks(s), blocks);
    /* Enabling starts a new block at that vector: silence for the latency (64 here),
     * then the model's output; the paused block is not played. */
    nn_stream_set_enabled(s, true);
    assert_int_equal(nn_stream_latency(s), 64);
    nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.0f));
    nn_stream_process(s, ins, 1, outs, 1, 64);
    assert_true(all_equal(out, 64, 0.5f));
    assert_int_equal(nn_stream_blocks(s), blocks + 2);
    nn_stream_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_new_errors),
        cmocka_unit_test(test_block_too_large),
        cmocka_unit_test(test_bad_vector_sizes),
        cmocka_unit_test(test_buffer_size_raised),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_model_throws),
        cmocka_unit_test(test_bad_load),
        cmocka_unit_test(test_batch_layout),
        cmocka_unit_test(test_enable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
