/* nntilde — a one-line progress bar on stderr for long renders.
 * SPDX-License-Identifier: MIT
 *
 * Drawn only when stderr is a terminal (never into logs or pipes), redrawn at
 * most ten times a second, and showing the speed relative to real time so a
 * user sees at once whether a model is usable live.
 */
#include "cli.h"

#include <unistd.h>

#define BAR_WIDTH 30

void nn_cli_progress_begin(nn_cli_progress *progress, int64_t total, double seconds_per_unit, bool quiet)
{
    progress->enabled = !quiet && isatty(STDERR_FILENO) && total > 0;
    progress->start = nn_cli_now();
    progress->last = 0.0;
    progress->total = total;
    progress->seconds_per_unit = seconds_per_unit;
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
    double audio = (double)done * progress->seconds_per_unit;
    fprintf(stderr, "\r[%s] %3d%%  %.1f s of audio in %.1f s", bar, (int)(fraction * 100.0), audio, elapsed);
    if (elapsed > 0.0 && audio > 0.0)
        fprintf(stderr, " (%.1fx real time)", audio / elapsed);
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
