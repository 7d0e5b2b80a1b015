/*
 * Route: open the secret by file handle instead of by path. name_to_handle_at gives the
 * handle of the secret (a lookup, not an open); open_by_handle_at then opens it relative to a
 * descriptor of an allowed directory on the same file system (the working directory), so no
 * path of the secret is ever opened. Needs CAP_DAC_READ_SEARCH (root natively).
 * Stopped by: seccomp-BPF (name_to_handle_at and open_by_handle_at denied: EPERM); Landlock
 * cannot see handle opens as paths.
 */
#include "escape.h"

#include <stdint.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("open_by_handle SECRET");
    }
    attempt("open_by_handle_at");
    int mount_fd = open(".", O_RDONLY | O_DIRECTORY);
    if (mount_fd < 0) {
        setup_failed("open-cwd");
    }
    union {
        struct file_handle handle;
        char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
    } secret_handle;
    secret_handle.handle.handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, argv[1], &secret_handle.handle, &mount_id, 0) != 0) {
        blocked("name_to_handle_at");
    }
    int fd = open_by_handle_at(mount_fd, &secret_handle.handle, O_RDONLY);
    if (fd < 0) {
        blocked("open_by_handle_at");
    }
    read_secret_from(fd, "read the secret with open_by_handle_at");
}
