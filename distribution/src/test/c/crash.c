/*
 * Dies by a signal the kernel or libc delivers, after a line on stdout.
 * usage: crash segv|abort
 * Core dumps are switched off first so a dump cannot slow the test or litter the directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: crash segv|abort\n");
        return 2;
    }
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    printf("about to %s\n", argv[1]);
    fflush(stdout);
    if (strcmp(argv[1], "segv") == 0) {
        volatile int *nowhere = NULL;
        *nowhere = 42;
    } else if (strcmp(argv[1], "abort") == 0) {
        abort();
    }
    fprintf(stderr, "crash: unknown mode %s\n", argv[1]);
    return 2;
}
