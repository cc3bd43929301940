/* nn~ in C — shared helpers of the download tests (see harness.h).
 * SPDX-License-Identifier: MIT
 *
 * The server is a real HTTP server in a child process; it is spawned with posix_spawn
 * (safe under the sanitizers, unlike fork in a threaded process) and reports the port it
 * bound by printing it, so tests never guess a free port.
 */
#define _XOPEN_SOURCE 700

#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *need_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !v[0]) {
        fprintf(stderr, "download tests: environment variable %s is not set (run the tests through ctest)\n", name);
        return NULL;
    }
    return v;
}

int test_server_start(test_server *server, const char *model_file)
{
    memset(server, 0, sizeof *server);
    server->pid = -1;
    const char *python = need_env("NN_PYTHON");
    const char *source = need_env("NN_TEST_SOURCE");
    const char *models = need_env("NN_TEST_MODELS");
    if (!python || !source || !models)
        return -1;
    snprintf(server->model_path, sizeof server->model_path, "%s/%s", models, model_file);
    struct stat st;
    if (stat(server->model_path, &st) != 0 || st.st_size == 0) {
        fprintf(stderr,
                "download tests: generated model %s is missing: build the 'models' target "
                "(docs/test-models.md)\n",
                server->model_path);
        return -1;
    }
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/download/server.py", source);

    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipefd[0]);
    posix_spawn_file_actions_addclose(&actions, pipefd[1]);
    char *argv[] = {(char *)python, script, "--model", server->model_path, NULL};
    int rc = posix_spawn(&server->pid, python, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    if (rc != 0) {
        fprintf(stderr, "download tests: cannot start %s %s: %s\n", python, script, strerror(rc));
        close(pipefd[0]);
        server->pid = -1;
        return -1;
    }
    FILE *out = fdopen(pipefd[0], "r");
    char line[64] = "";
    if (!out || !fgets(line, sizeof line, out) || (server->port = atoi(line)) <= 0) {
        fprintf(stderr, "download tests: server.py did not print its port (got '%s')\n", line);
        if (out)
            fclose(out);
        test_server_stop(server);
        return -1;
    }
    fclose(out);
    return 0;
}

void test_server_stop(test_server *server)
{
    if (server->pid > 0) {
        kill(server->pid, SIGTERM);
        waitpid(server->pid, NULL, 0);
    }
    server->pid = -1;
}

int test_server_requests(const test_server *server)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char buf[4096];
    size_t len = 0;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
        const char *req = "GET /stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        if (write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
            ssize_t n;
            while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
                len += (size_t)n;
        }
    }
    close(fd);
    buf[len] = '\0';
    const char *field = strstr(buf, "\"requests\":");
    return field ? atoi(field + strlen("\"requests\":")) : -1;
}

void test_server_url(const test_server *server, const char *root, char *buf, size_t size)
{
    snprintf(buf, size, "http://127.0.0.1:%d/%s/", server->port, root);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_list(const char *dir, char *names, size_t size)
{
    if (size)
        names[0] = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char *found[256] = {NULL};
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (count < 256)
            found[count] = strdup(e->d_name);
        count++;
    }
    closedir(d);
    int kept = count < 256 ? count : 256;
    qsort(found, (size_t)kept, sizeof *found, compare_names);
    size_t used = 0;
    for (int i = 0; i < kept; i++) {
        int n = snprintf(names + used, size > used ? size - used : 0, "%s%s", i ? " " : "", found[i]);
        if (n > 0)
            used += (size_t)n;
        free(found[i]);
    }
    return count;
}

int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            count++;
    closedir(d);
    return count;
}

unsigned char *file_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *grown = realloc(data, cap);
            if (!grown) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    *size = len;
    return data;
}

int scratch_dir(char *buf, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(buf, size, "%s/nn_download_test-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(buf) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
