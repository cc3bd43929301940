/* nn~ in C — shared helpers of the download tests.
 * SPDX-License-Identifier: MIT
 *
 * Starts and stops the fake API server (tests/download/server.py) on 127.0.0.1, reads its
 * request counter, and gives the small file-system and thread checks every download test
 * makes: what a folder holds, how many threads the process runs, a scratch folder.
 */
#ifndef NN_TESTS_DOWNLOAD_HARNESS_H
#define NN_TESTS_DOWNLOAD_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct test_server {
    pid_t pid;
    int port;
    char model_path[4096]; /* the file served for good cards */
} test_server;

/* Start server.py with Python from $NN_PYTHON, serving $NN_TEST_MODELS/<model_file>.
 * Returns 0, or -1 after printing why (a missing model or variable is a failure). */
int test_server_start(test_server *server, const char *model_file);
void test_server_stop(test_server *server);

/* Requests the server has answered (except /stats itself), or -1. */
int test_server_requests(const test_server *server);

/* "http://127.0.0.1:<port>/<root>/" */
void test_server_url(const test_server *server, const char *root, char *buf, size_t size);

/* Entries of `dir` other than "." and "..": their count (-1 when `dir` cannot be opened),
 * with the sorted names joined by spaces in `names`. */
int dir_list(const char *dir, char *names, size_t size);

/* Threads of this process (entries of /proc/self/task). */
int thread_count(void);

/* Read a whole file; caller frees. NULL when it cannot be read. */
unsigned char *file_read(const char *path, size_t *size);

/* A new empty folder under $TMPDIR (or /tmp), written into `buf`. */
int scratch_dir(char *buf, size_t size);

/* Delete a folder and everything in it. */
void remove_tree(const char *path);

#endif
