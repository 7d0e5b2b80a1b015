/* getppid_loop COUNT RESULT-FILE [SIGNAL-STORM]
 * Calls getppid COUNT times and writes "calls failures nanoseconds handled-signals last-result
 * last-errno" to RESULT-FILE. With a third
 * argument, SIGUSR1 has an SA_RESTART handler (the test sends a storm of them): getppid must
 * never fail with EINTR and never be notified twice. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_signal(int signal_number)
{
    (void) signal_number;
    handled++;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    long count = atol(argv[1]);
    if (argc > 3) {
        struct sigaction action = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
        sigemptyset(&action.sa_mask);
        sigaction(SIGUSR1, &action, NULL);
    }
    long failures = 0, result = 0;
    int error = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        result = syscall(SYS_getppid);
        if (result < 0) {
            failures++;
            error = errno;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    long long nanos = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    FILE *out = fopen(argv[2], "w");
    if (out == NULL)
        return 3;
    fprintf(out, "%ld %ld %lld %d %ld %d\n", count, failures, nanos, (int) handled, result, error);
    return fclose(out) == 0 ? 0 : 4;
}
