/*
 * csv_read_speed.c — the CSV reader alone, in megabytes per second of CPU time.
 *
 * `lolpop data describe` times the read and the statistics together; issue 14's
 * "parse >= 500 MB/s per core" is about the read, so this program reads FILE into
 * a frame RUNS times and reports, for the fastest run, the CPU time of the read
 * (user + system of every thread, getrusage RUSAGE_SELF) and the file's size
 * divided by it: megabytes per CPU-second, i.e. per core, whatever the thread
 * count. Wall time is printed too (meaningless on a loaded machine). Then the
 * describe statistics of every column (lp_column_stats_compute, one thread) are
 * timed the same way, so the two parts of `data describe` can be told apart.
 *
 * Usage: csv_read_speed FILE [THREADS] [RUNS]   (THREADS 0 = the reader's default;
 *        RUNS default 3). The file should already be in the page cache (a first
 *        run reads it from disk; the minimum over runs drops that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "lolpop/csv.h"
#include "lolpop/error.h"
#include "lolpop/frame.h"

/* CPU time of every thread so far, split into user and system (the kernel's
 * part: page faults, madvise, the file's copy), and the minor faults. */
typedef struct cpu_use {
    double user, sys;
    long minflt;
} cpu_use;

static cpu_use cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (cpu_use){(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_minflt};
}

static double cpu_seconds(void)
{
    cpu_use u = cpu_now();
    return u.user + u.sys;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: csv_read_speed FILE [THREADS] [RUNS]\n");
        return 2;
    }
    const char *path = argv[1];
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    if (threads < 0 || threads > 64 || runs < 1) {
        fprintf(stderr, "csv_read_speed: THREADS 0..64, RUNS >= 1\n");
        return 2;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    double mb = (double)st.st_size / 1e6;
    lp_csv_options opt = {.threads = threads};
    double best_cpu = 1e30, best_wall = 1e30, best_stats = 1e30;
    cpu_use best_use = {0, 0, 0}; /* the fastest read's parts */
    size_t rows = 0, cols = 0;
    for (int r = 0; r < runs; r++) {
        lp_frame *f = NULL;
        cpu_use u0 = cpu_now();
        double w0 = wall_seconds();
        if (lp_csv_read(&f, path, &opt) != 0) {
            fprintf(stderr, "csv_read_speed: %s\n", lp_error_last()->message);
            return 1;
        }
        cpu_use u1 = cpu_now();
        double cpu = u1.user + u1.sys - u0.user - u0.sys, wall = wall_seconds() - w0;
        if (cpu < best_cpu) {
            best_cpu = cpu;
            best_use = (cpu_use){u1.user - u0.user, u1.sys - u0.sys, u1.minflt - u0.minflt};
        }
        if (wall < best_wall) best_wall = wall;
        rows = lp_frame_rows(f), cols = lp_frame_cols(f);
        double s0 = cpu_seconds();
        for (size_t j = 0; j < cols; j++) {
            lp_column_stats s;
            if (lp_column_stats_compute(&s, lp_frame_col(f, j)) != 0) {
                fprintf(stderr, "csv_read_speed: %s\n", lp_error_last()->message);
                lp_frame_unref(f);
                return 1;
            }
            lp_column_stats_free(&s);
        }
        double stats = cpu_seconds() - s0;
        if (stats < best_stats) best_stats = stats;
        lp_frame_unref(f);
    }
    printf("%s: %.1f MB, %zu rows x %zu columns, threads %d, best of %d runs\n", path, mb, rows,
           cols, threads, runs);
    printf("read:  %.3f s CPU (%.0f MB per CPU-second), %.3f s wall (%.0f MB/s)\n", best_cpu,
           mb / best_cpu, best_wall, mb / best_wall);
    printf("       of which %.3f s user, %.3f s system, %ld minor faults\n", best_use.user,
           best_use.sys, best_use.minflt);
    printf("stats: %.3f s CPU (one thread, every column)\n", best_stats);
    return 0;
}
