/*
 * Route: run a program that is not on disk: copy /bin/cat into a memfd and fexecve it (in a
 * child, stdout to a pipe) to print the secret. An exec allow-list or Landlock EXECUTE rights
 * on paths never see a memfd; the copied program may be anything.
 * Stopped by: seccomp-BPF (memfd_create denied: EPERM); Landlock still checks cat's open of
 * the secret; the supervisor's exec check (execveat of a descriptor with no allowed path).
 */
#include "escape.h"

#include <sys/mman.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("memfd_exec SECRET");
    }
    attempt("memfd-fexecve");
    int program = open("/bin/cat", O_RDONLY);
    if (program < 0) {
        setup_failed("open-bin-cat");
    }
    int memfd = memfd_create("not-cat", 0);
    if (memfd < 0) {
        blocked("memfd_create");
    }
    char chunk[65536];
    ssize_t n;
    while ((n = read(program, chunk, sizeof chunk)) > 0) {
        if (write(memfd, chunk, n) != n) {
            blocked("write-memfd");
        }
    }
    if (n < 0) {
        setup_failed("read-bin-cat");
    }
    int output[2];
    if (pipe(output) != 0) {
        setup_failed("pipe");
    }
    pid_t child = fork();
    if (child < 0) {
        setup_failed("fork");
    }
    if (child == 0) {
        dup2(output[1], 1);
        char *cat_argv[] = {"cat", argv[1], NULL};
        fexecve(memfd, cat_argv, environ);
        dprintf(output[1], "fexecve %s\n", errno_name(errno));
        _exit(127);
    }
    close(output[1]);
    char content[512];
    ssize_t length = read_some(output[0], content, sizeof content);
    int status;
    waitpid(child, &status, 0);
    if (is_secret(content, length)) {
        escaped("read the secret with a memfd copy of cat run by fexecve", content, length);
    }
    say("blocked: fexecve-cat status %d, said: %.*s", status, (int) strcspn(content, "\n"), content);
    exit(1);
}
