/* nn~ in C — tests of the models folder, model lookup by name, the API root and card checks.
 * SPDX-License-Identifier: MIT
 *
 * Runs on real folders and files in a scratch directory: which variable wins for the models
 * folder, where a bare or short name is found, what a not-found message lists, and which
 * cards are refused before any request could be made.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "nn/nn.h"

static char scratch[4096];

static void touch(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("PK\x03\x04", f);
    fclose(f);
}

static void sub_dir(const char *name, char *out, size_t size)
{
    if (snprintf(out, size, "%s/%s", scratch, name) >= (int)size)
        fail_msg("scratch path too long");
    mkdir(out, 0755);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_dir(scratch, sizeof scratch) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(scratch);
    return 0;
}

/* nn_models_dir succeeds and gives `expected` for the environment as it is now. */
static void assert_models_dir(const char *expected)
{
    char buf[4096];
    assert_int_equal(nn_models_dir(buf, sizeof buf), NN_OK);
    assert_string_equal(buf, expected);
}

static void test_models_dir_precedence(void **state)
{
    (void)state;
    setenv("NN_TILDE_MODELS_DIR", "/opt/my models/", 1);
    setenv("XDG_DATA_HOME", "/xdg", 1);
    setenv("HOME", "/home/someone", 1);
    assert_models_dir("/opt/my models");

    unsetenv("NN_TILDE_MODELS_DIR");
    assert_models_dir("/xdg/nn_tilde/models");

    /* An empty or relative XDG_DATA_HOME is ignored, as the XDG rules say. */
    setenv("NN_TILDE_MODELS_DIR", "", 1);
    setenv("XDG_DATA_HOME", "relative/path", 1);
    assert_models_dir("/home/someone/.local/share/nn_tilde/models");

    unsetenv("XDG_DATA_HOME");
    assert_models_dir("/home/someone/.local/share/nn_tilde/models");

    /* A relative folder is made absolute against the current folder. */
    setenv("NN_TILDE_MODELS_DIR", "rel/models", 1);
    char cwd[4000], expect[4200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(expect, sizeof expect, "%s/rel/models", strcmp(cwd, "/") == 0 ? "" : cwd);
    assert_models_dir(expect);

    setenv("NN_TILDE_MODELS_DIR", "/opt/models", 1);
    char small[8];
    assert_int_equal(nn_models_dir(small, sizeof small), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_models_dir(NULL, 10), NN_ERR_INVALID_ARGUMENT);
    unsetenv("NN_TILDE_MODELS_DIR");
}

static void test_locate_order_and_short_names(void **state)
{
    (void)state;
    char patch[4096], search[4096], models[4096], out[4096];
    sub_dir("patch", patch, sizeof patch);
    sub_dir("search", search, sizeof search);
    sub_dir("models", models, sizeof models);
    setenv("NN_TILDE_MODELS_DIR", models, 1);
    touch(search, "both.ts");
    touch(patch, "both.ts");
    touch(models, "a.ts"); /* a one-letter name: the original threw on names under 3 characters */
    touch(models, "isis.ts");
    touch(search, "ts.ts");
    const char *dirs[] = {patch, NULL, "", search};
    nn_error err;

    assert_int_equal(nn_model_locate("both", dirs, 4, out, sizeof out, &err), NN_OK);
    char expect[8300];
    snprintf(expect, sizeof expect, "%s/both.ts", patch);
    assert_string_equal(out, expect);

    assert_int_equal(nn_model_locate("a", dirs, 4, out, sizeof out, &err), NN_OK);
    snprintf(expect, sizeof expect, "%s/a.ts", models);
    assert_string_equal(out, expect);

    assert_int_equal(nn_model_locate("isis.ts", NULL, 0, out, sizeof out, &err), NN_OK);
    snprintf(expect, sizeof expect, "%s/isis.ts", models);
    assert_string_equal(out, expect);

    assert_int_equal(nn_model_locate("ts", dirs, 4, out, sizeof out, &err), NN_OK);
    snprintf(expect, sizeof expect, "%s/ts.ts", search);
    assert_string_equal(out, expect);

    /* Absolute paths are taken as they are, with ".ts" added when missing. */
    snprintf(expect, sizeof expect, "%s/isis.ts", models);
    assert_int_equal(nn_model_locate(expect, dirs, 4, out, sizeof out, &err), NN_OK);
    assert_string_equal(out, expect);
    char no_ext[4200];
    snprintf(no_ext, sizeof no_ext, "%s/isis", models);
    assert_int_equal(nn_model_locate(no_ext, NULL, 0, out, sizeof out, &err), NN_OK);
    assert_string_equal(out, expect);

    char tiny[8];
    assert_int_equal(nn_model_locate("isis", NULL, 0, tiny, sizeof tiny, &err), NN_ERR_INVALID_ARGUMENT);
    unsetenv("NN_TILDE_MODELS_DIR");
}

static void test_locate_not_found_lists_places(void **state)
{
    (void)state;
    char patch[4096], models[4096], out[4096];
    sub_dir("p2", patch, sizeof patch);
    sub_dir("m2", models, sizeof models);
    setenv("NN_TILDE_MODELS_DIR", models, 1);
    const char *dirs[] = {patch};
    nn_error err;
    nn_error_clear(&err);
    assert_int_equal(nn_model_locate("nosuch", dirs, 1, out, sizeof out, &err), NN_ERR_FILE_NOT_FOUND);
    assert_int_equal(err.status, NN_ERR_FILE_NOT_FOUND);
    char place[4200];
    snprintf(place, sizeof place, "%s/nosuch.ts", patch);
    assert_non_null(strstr(err.message, place));
    snprintf(place, sizeof place, "%s/nosuch.ts", models);
    assert_non_null(strstr(err.message, place));
    assert_non_null(strstr(err.message, "nosuch"));

    assert_int_equal(nn_model_locate("/no/such/file.ts", NULL, 0, out, sizeof out, &err), NN_ERR_FILE_NOT_FOUND);
    assert_non_null(strstr(err.message, "/no/such/file.ts"));
    assert_int_equal(nn_model_locate("", NULL, 0, out, sizeof out, &err), NN_ERR_INVALID_ARGUMENT);
    assert_int_equal(nn_model_locate(NULL, NULL, 0, out, sizeof out, &err), NN_ERR_INVALID_ARGUMENT);
    unsetenv("NN_TILDE_MODELS_DIR");
}

static void test_api_url(void **state)
{
    (void)state;
    unsetenv("NN_TILDE_API_URL");
    assert_string_equal(nn_api_url(), "https://play.forum.ircam.fr/rave-vst-api/");
    assert_string_equal(nn_api_url(), NN_API_URL_DEFAULT);
    setenv("NN_TILDE_API_URL", "http://127.0.0.1:1/x/", 1);
    assert_string_equal(nn_api_url(), "http://127.0.0.1:1/x/");
    setenv("NN_TILDE_API_URL", "", 1);
    assert_string_equal(nn_api_url(), NN_API_URL_DEFAULT);
    unsetenv("NN_TILDE_API_URL");
}

static void test_card_validate(void **state)
{
    (void)state;
    static const char *const good[] = {"ircam/rave/isis", "ircam/vschaos2/ordinario_8192", "a/b/c",
                                       "test/models/with space&x=1", "src/m/name.v2"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        nn_error err;
        nn_error_clear(&err);
        if (nn_card_validate(good[i], &err) != NN_OK)
            fail_msg("card '%s' refused: %s", good[i], err.message);
    }
    static const struct {
        const char *card;
        const char *why;
    } bad[] = {
        {"", "empty"},
        {"ircam/rave", "three"},
        {"ircam", "three"},
        {"a/b/c/d", "three"},
        {"a//c", "three"},
        {"a/b/", "three"},
        {"/etc/passwd/x", "starts with '/'"},
        {"../../etc/passwd", ".."},
        {"a/b/..", ".."},
        {"a/../b", ".."},
        {"a/b/c..d", ".."},
        {"a\\b/c/d", "backslash"},
        {"a/b/c\\..\\d", "backslash"},
        {"a/b/c\n", "control"},
        {"a/b/\tc", "control"},
        {"a/b/c\x7f", "control"},
        {"a/b/.hidden", "'.'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        nn_error err;
        nn_error_clear(&err);
        nn_status st = nn_card_validate(bad[i].card, &err);
        if (st != NN_ERR_BAD_CARD)
            fail_msg("card '%s' accepted (status %d)", bad[i].card, st);
        if (!strstr(err.message, bad[i].why))
            fail_msg("card '%s': message '%s' does not say '%s'", bad[i].card, err.message, bad[i].why);
    }
    assert_int_equal(nn_card_validate(NULL, NULL), NN_ERR_BAD_CARD);
    char long_card[2000];
    memset(long_card, 'x', sizeof long_card - 1);
    long_card[sizeof long_card - 1] = '\0';
    long_card[10] = '/';
    long_card[20] = '/';
    assert_int_equal(nn_card_validate(long_card, NULL), NN_ERR_BAD_CARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models_dir_precedence),
        cmocka_unit_test(test_locate_order_and_short_names),
        cmocka_unit_test(test_locate_not_found_lists_places),
        cmocka_unit_test(test_api_url),
        cmocka_unit_test(test_card_validate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
