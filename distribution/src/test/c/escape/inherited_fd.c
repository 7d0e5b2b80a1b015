/*
 * Route: read the secret through a descriptor opened before the sandbox started (the test's
 * wrapper opens the secret on fd N and then execs meridian). Landlock and path checks apply at
 * open time; a descriptor inherited across the sandbox boundary skips them.
 * Stopped by: the launcher (descriptors other than stdio are closed unless passed with --fd N).
 */
#include "escape.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("inherited_fd FD");
    }
    attempt("inherited-descriptor");
    int fd = atoi(argv[1]);
    if (lseek(fd, 0, SEEK_SET) < 0 && errno == EBADF) {
        blocked("fd");
    }
    read_secret_from(fd, "read the secret through an inherited descriptor");
}
