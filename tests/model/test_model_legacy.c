/* nn~ in C — models from older exporters: no get_methods(), no get_attributes(), float32 params.
 * SPDX-License-Identifier: MIT
 *
 * Old exports carry only `<m>_params` and `<a>_params` buffers, so the
 * library must fall back to "every compiled method with <m>_params" and
 * "every attribute with <a>_params", read float32 params, supply default
 * labels, and accept a set_sample_rate that returns None. Python torch writes
 * such a model into a temporary folder at test time and prints the method
 * order it sees, which the library must reproduce.
 */
/* mkdtemp is POSIX 2008, outside strict C11. */
#define _POSIX_C_SOURCE 200809L

#include "model_test.h"

#include <unistd.h>

static const char script[] =
    "import sys\n"
    "from typing import Tuple\n"
    "import torch\n"
    "class Legacy(torch.nn.Module):\n"
    "    def __init__(self) -> None:\n"
    "        super().__init__()\n"
    "        self.register_buffer('forward_params', torch.tensor([1, 1, 1, 1], dtype=torch.float32))\n"
    "        self.register_buffer('half_params', torch.tensor([2, 2, 1, 4], dtype=torch.float32))\n"
    "        self.register_buffer('gain_params', torch.tensor([2], dtype=torch.float32))\n"
    "        self.register_buffer('flags_params', torch.tensor([0, 1]))\n"
    "        self.gain = (0.5,)\n"
    "        self.flags = (True, 3)\n"
    "        self.rate = -1\n"
    "        self.forward_input_labels = ['only input']\n"
    "    def forward(self, x: torch.Tensor) -> torch.Tensor:\n"
    "        return x * self.gain[0]\n"
    "    @torch.jit.export\n"
    "    def half(self, x: torch.Tensor) -> torch.Tensor:\n"
    "        return (0.5 * x[:, :1] + x[:, 1:])[..., ::2]\n"
    "    @torch.jit.export\n"
    "    def get_gain(self) -> float:\n"
    "        return self.gain[0]\n"
    "    @torch.jit.export\n"
    "    def set_gain(self, gain: float) -> int:\n"
    "        self.gain = (gain,)\n"
    "        return 0\n"
    "    @torch.jit.export\n"
    "    def get_flags(self) -> Tuple[bool, int]:\n"
    "        return self.flags\n"
    "    @torch.jit.export\n"
    "    def set_flags(self, on: bool, n: int) -> int:\n"
    "        self.flags = (on, n)\n"
    "        return 0\n"
    "    @torch.jit.export\n"
    "    def set_sample_rate(self, sr: int) -> None:\n"
    "        self.rate = sr\n"
    "    @torch.jit.export\n"
    "    def get_sample_rate(self) -> int:\n"
    "        return self.rate\n"
    "m = torch.jit.script(Legacy())\n"
    "m.save(sys.argv[1])\n"
    "print(' '.join(n for n in m._c._method_names() if hasattr(m, n + '_params')))\n";

static char folder[256];
static char model_path[512];
static char order[256];

static int make_model(void **state)
{
    (void)state;
    const char *python = getenv("NN_PYTHON");
    if (!python || !*python)
        fail_msg("NN_PYTHON is not set (run the test through ctest)");
    snprintf(folder, sizeof folder, "/tmp/nn_test_legacy_XXXXXX");
    if (!mkdtemp(folder))
        fail_msg("cannot create a temporary folder");
    char script_path[512], order_path[512], command[2048];
    snprintf(script_path, sizeof script_path, "%s/legacy.py", folder);
    snprintf(order_path, sizeof order_path, "%s/order.txt", folder);
    snprintf(model_path, sizeof model_path, "%s/legacy.ts", folder);
    FILE *f = fopen(script_path, "w");
    assert_non_null(f);
    fputs(script, f);
    fclose(f);
    snprintf(command, sizeof command, "'%s' '%s' '%s' > '%s'", python, script_path, model_path, order_path);
    if (system(command) != 0)
        fail_msg("%s failed: Python torch could not write the legacy model", command);
    f = fopen(order_path, "r");
    assert_non_null(f);
    if (!fgets(order, sizeof order, f))
        fail_msg("Python printed no method order");
    fclose(f);
    order[strcspn(order, "\n")] = '\0';
    unlink(script_path);
    unlink(order_path);
    return 0;
}

static int remove_model(void **state)
{
    (void)state;
    unlink(model_path);
    rmdir(folder);
    return 0;
}

static void fallbacks(void **state)
{
    (void)state;
    nn_model *model = test_load(model_path);
    nn_error err;

    char seen[256] = "";
    for (int i = 0; i < nn_model_method_count(model); i++)
        snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s%s", i ? " " : "",
                 nn_model_method(model, i)->name);
    assert_string_equal(seen, order);
    assert_int_equal(nn_model_method_count(model), 2);

    const nn_method_info *forward = nn_model_method(model, nn_model_method_find(model, "forward"));
    assert_string_equal(forward->input_labels[0], "only input");
    assert_string_equal(forward->output_labels[0], "(signal) model output 0");
    const nn_method_info *half = nn_model_method(model, nn_model_method_find(model, "half"));
    assert_int_equal(half->in_channels, 2);
    assert_int_equal(half->in_ratio, 2);
    assert_int_equal(half->out_ratio, 4);
    assert_string_equal(half->input_labels[1], "(signal) model input 1");
    assert_int_equal(nn_model_max_ratio(model), 4);

    assert_int_equal(nn_model_attribute_count(model), 2);
    int gain = nn_model_attribute_find(model, "gain");
    int flags = nn_model_attribute_find(model, "flags");
    assert_true(gain >= 0 && flags >= 0);
    assert_int_equal(nn_model_attribute(model, gain)->types[0], NN_TYPE_FLOAT);
    assert_int_equal(nn_model_attribute(model, flags)->types[0], NN_TYPE_BOOL);
    assert_int_equal(nn_model_attribute(model, flags)->types[1], NN_TYPE_INT);
    assert_int_equal(nn_model_buffer_count(model), 0);

    nn_value_list list = {0, NULL};
    TEST_OK(nn_model_attribute_get(model, flags, &list, &err), err);
    assert_int_equal(list.count, 2);
    assert_true(list.values[0].b);
    assert_int_equal(list.values[1].i, 3);
    nn_value_list_clear(&list);
    nn_value g = {.type = NN_TYPE_FLOAT, .f = 2.0};
    TEST_OK(nn_model_attribute_set(model, gain, &g, 1, &err), err);

    /* set_sample_rate returns None: accepted. */
    assert_true(nn_model_has_sample_rate(model));
    TEST_OK(nn_model_set_sample_rate(model, 44100, &err), err);
    assert_int_equal(nn_model_sample_rate(model), 44100);

    enum { B = 16 };
    float in[2 * B], out[B];
    for (int i = 0; i < 2 * B; i++)
        in[i] = (float)i;
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "forward"), 1, B, in, out, &err), err);
    assert_float_equal(out[5], 10.0, 0.0);
    /* half: frames k of the decimated input are samples 2k+1; output frame j
     * (every 2nd model frame) is held for 4 samples. */
    TEST_OK(nn_model_run(model, nn_model_method_find(model, "half"), 1, B, in, out, &err), err);
    for (int t = 0; t < B; t++) {
        int s = t / 4 * 4 + 1;
        assert_float_equal(out[t], 0.5 * in[s] + in[B + s], 0.0);
    }
    nn_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fallbacks),
    };
    return cmocka_run_group_tests(tests, make_model, remove_model);
}
