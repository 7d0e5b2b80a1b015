/*
 * fork-exec-loop [N]: N times fork, execve /bin/true in the child, wait for it
 * (default 200). Measures process creation and image loading under supervision.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    if (count <= 0) {
        fprintf(stderr, "usage: fork-exec-loop [N > 0]\n");
        return 2;
    }
    char *const true_argv[] = { "true", NULL };
    for (long i = 0; i < count; i++) {
        pid_t child = fork();
        if (child < 0) {
            perror("fork-exec-loop: fork");
            return 1;
        }
        if (child == 0) {
            execve("/bin/true", true_argv, environ);
            _exit(127);
        }
        int status;
        while (waitpid(child, &status, 0) < 0) {
            if (errno != EINTR) {
                perror("fork-exec-loop: waitpid");
                return 1;
            }
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "fork-exec-loop: /bin/true failed (status 0x%x) at iteration %ld\n", status, i);
            return 1;
        }
    }
    return 0;
}
