/*
 * timeit: runs PROGRAM as a child and writes its wall time in nanoseconds to OUTFILE.
 *
 * Usage: timeit OUTFILE PROGRAM ARGS...   (PROGRAM is taken as a path, no PATH search)
 * Exits with the child's status (128 + signal if it was killed).
 *
 * Run inside a sandbox it measures the guest region only: the clock (vDSO, no system
 * call) starts just before fork and stops when wait returns, so the start-up of the
 * supervisor around it is not counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: timeit OUTFILE PROGRAM ARGS...\n");
        return 125;
    }
    int64_t start = now_ns();
    pid_t child = fork();
    if (child < 0) {
        perror("timeit: fork");
        return 125;
    }
    if (child == 0) {
        execv(argv[2], argv + 2);
        fprintf(stderr, "timeit: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("timeit: waitpid");
            return 125;
        }
    }
    int64_t elapsed = now_ns() - start;

    FILE *out = fopen(argv[1], "w");
    if (out == NULL || fprintf(out, "%lld\n", (long long) elapsed) < 0 || fclose(out) != 0) {
        fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
        return 125;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
