/* nntilde — a one-line progress bar on stderr for long renders, downloads and benchmarks.
 * SPDX-License-Identifier: MIT
 *
 * Drawn only when stderr is a terminal (never into logs or pipes), redrawn at
 * most ten times a second. A render shows its speed relative to real time, so
 * a user sees at once whether a model is usable live; a download shows bytes;
 * a benchmark step shows its name and how many of its units are done.
 */
#include "cli.h"

#include <unistd.h>

#define BAR_WIDTH 30

static void begin(nn_cli_progress *progress, int64_t total, bool quiet)
{
    progress->enabled = !quiet && isatty(STDERR_FILENO) && total > 0;
    progress->start = nn_cli_now();
    progress->last = 0.0;
    progress->total = total;
    progress->seconds_per_unit = 0.0;
    progress->bytes = false;
    progress->label = NULL;
    progress->unit = NULL;
}

void nn_cli_progress_begin(nn_cli_progress *progress, int64_t total, double seconds_per_unit, bool quiet)
{
    begin(progress, total, quiet);
    progress->seconds_per_unit = seconds_per_unit;
}

void nn_cli_progress_begin_bytes(nn_cli_progress *progress, int64_t total, bool quiet)
{
    begin(progress, total, quiet);
    progress->bytes = true;
}

void nn_cli_progress_begin_count(nn_cli_progress *progress, const char *label, int64_t total, const char *unit,
                                 bool quiet)
{
    begin(progress, total, quiet);
    progress->label = label;
    progress->unit = unit;
}

static void draw(const nn_cli_progress *progress, int64_t done, double now)
{
    double fraction = (double)done / (double)progress->total;
    if (fraction > 1.0)
        fraction = 1.0;
    int filled = (int)(fraction * BAR_WIDTH);
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    double elapsed = now - progress->start;
    fprintf(stderr, "\r%s%s[%s] %3d%%  ", progress->label ? progress->label : "", progress->label ? " " : "", bar,
            (int)(fraction * 100.0));
    if (progress->bytes) {
        double mb = (double)done / 1e6;
        fprintf(stderr, "%.1f of %.1f MB", mb, (double)progress->total / 1e6);
        if (elapsed > 0.0)
            fprintf(stderr, " (%.1f MB/s)", mb / elapsed);
    } else if (progress->unit) {
        fprintf(stderr, "%lld of %lld %s", (long long)done, (long long)progress->total, progress->unit);
    } else {
        double audio = (double)done * progress->seconds_per_unit;
        fprintf(stderr, "%.1f s of audio in %.1f s", audio, elapsed);
        if (elapsed > 0.0 && audio > 0.0)
            fprintf(stderr, " (%.1fx real time)", audio / elapsed);
    }
    /* Clear what a longer previous line left. */
    fputs("\033[K", stderr);
    fflush(stderr);
}

void nn_cli_progress_update(nn_cli_progress *progress, int64_t done)
{
    if (!progress->enabled)
        return;
    double now = nn_cli_now();
    if (now - progress->last < 0.1)
        return;
    progress->last = now;
    draw(progress, done, now);
}

void nn_cli_progress_end(nn_cli_progress *progress)
{
    if (!progress->enabled)
        return;
    draw(progress, progress->total, nn_cli_now());
    fputc('\n', stderr);
    progress->enabled = false;
}
