/* nn~ in C — loading hostile files: no retry of a file that failed, no lookup or load of a FIFO.
 * SPDX-License-Identifier: MIT
 *
 * Issue 13, findings 6 and 8, at the API: libtorch leaks about 100 KB per failed compile, so a
 * file that failed is not handed to it again until it changes (the process's RSS stays flat
 * over hundreds of retries, and the same message comes back); a named pipe where a model is
 * looked up or loaded is refused at once instead of blocking the caller. The reproducer
 * (TorchScript that does not compile) is made by tests/mutants/mutate.py.
 */
#define _GNU_SOURCE
#include "model_test.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &pages, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void copy_file(const char *from, const char *to)
{
    size_t size = 0;
    void *data = test_read_file(from, &size);
    /* A new inode, as an editor or a download writes a file. */
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.new", to);
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
    free(data);
    assert_int_equal(rename(tmp, to), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/hardening_XXXXXX", getenv("NN_TEST_BUILD") ? getenv("NN_TEST_BUILD") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' '%s/tests/mutants/mutate.py' reproducers '%s' '%s' > /dev/null",
             getenv("NN_PYTHON"), getenv("NN_TEST_SOURCE"), getenv("NN_TEST_MODELS"), dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void failed_file_is_not_retried(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/f6_bad_code.ts", dir);
    nn_model *model = NULL;
    nn_error err;
    assert_int_equal(nn_model_load(path, NULL, &model, &err), NN_ERR_BAD_FILE);
    assert_null(model);
    char first[NN_ERROR_MESSAGE_SIZE];
    snprintf(first, sizeof first, "%s", err.message);
    assert_non_null(strstr(first, "expected )"));

    /* A warm-up round, then 300 retries: without the memory of failed files each one costs
     * libtorch ~100 KB (30 MB in all). */
    for (int i = 0; i < 20; i++)
        nn_model_load(path, NULL, &model, &err);
    long before = rss_kb();
    for (int i = 0; i < 300; i++) {
        assert_int_equal(nn_model_load(path, NULL, &model, &err), NN_ERR_BAD_FILE);
        assert_null(model);
    }
    long grown = rss_kb() - before;
    print_message("RSS after 300 retries of a failed file: %+ld KB\n", grown);
    assert_true(grown < 2048);
    assert_non_null(strstr(err.message, first));
    assert_non_null(strstr(err.message, "not retried"));

    /* Once the file changes, it is loaded again. */
    copy_file(test_path("NN_TEST_MODELS", "gain.ts"), path);
    assert_int_equal(nn_model_load(path, NULL, &model, &err), NN_OK);
    assert_non_null(model);
    nn_model_free(model);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char text[] = "blocked on a FIFO\n";
    ssize_t ignored = write(2, text, sizeof text - 1);
    (void)ignored;
    _exit(1);
}

static void fifo_is_refused_without_blocking(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/fifo.ts", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(20);

    const char *dirs[] = {dir};
    char found[4096];
    nn_error err;
    assert_int_equal(nn_model_locate("fifo", dirs, 1, found, sizeof found, &err), NN_ERR_NOT_A_FILE);
    assert_non_null(strstr(err.message, "not a regular file"));
    assert_string_equal(found, "");

    nn_model *model = NULL;
    assert_int_equal(nn_model_load(path, NULL, &model, &err), NN_ERR_NOT_A_FILE);
    assert_null(model);
    assert_non_null(strstr(err.message, "not a regular file"));
    alarm(0);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failed_file_is_not_retried),
        cmocka_unit_test(fifo_is_refused_without_blocking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
