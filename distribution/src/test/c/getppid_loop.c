/* getppid_loop N [STOPFILE]: makes getppid calls through the raw system call (no libc caching)
 * and checks that each returns what the first did: at least N of them, and with STOPFILE until
 * that file exists (looked for every 10,000 calls), so a test can swap bundles for as long as it
 * needs under a guest that is busy the whole time. Prints "getppid_loop calls=C wrong=W" and exits
 * 0 only when every call answered the same: a call lost, or answered by a fail-closed path
 * (EPERM), shows as a wrong answer. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: getppid_loop N [STOPFILE]\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    const char *stop = argc == 3 ? argv[2] : NULL;
    long first = syscall(SYS_getppid);
    long calls = 1;
    long wrong = 0;
    for (;;) {
        if (syscall(SYS_getppid) != first)
            wrong++;
        calls++;
        if (calls >= n && (stop == NULL || (calls % 10000 == 0 && access(stop, F_OK) == 0)))
            break;
    }
    printf("getppid_loop calls=%ld wrong=%ld\n", calls, wrong);
    fflush(stdout);
    return wrong == 0 && first > 0 ? 0 : 1;
}
