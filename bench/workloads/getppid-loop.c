/*
 * getppid-loop [N]: N getppid system calls (default 200000), the cheapest call the
 * kernel has, so the time is almost all entry/exit cost (or supervisor round trips).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    if (count <= 0) {
        fprintf(stderr, "usage: getppid-loop [N > 0]\n");
        return 2;
    }
    long parent = syscall(SYS_getppid);
    for (long i = 1; i < count; i++) {
        /* syscall() so that no libc could ever answer from a cache. */
        if (syscall(SYS_getppid) != parent) {
            fprintf(stderr, "getppid-loop: getppid changed or failed at call %ld\n", i);
            return 1;
        }
    }
    return 0;
}
