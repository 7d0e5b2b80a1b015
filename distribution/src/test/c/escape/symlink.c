/*
 * Route: read a forbidden file through a symbolic link planted in the working directory.
 * symlink(SECRET, ./escape-symlink), then open ./escape-symlink.
 * Stopped by: Landlock (checks the file the path resolves to, not the link's location); for a
 * secret under a deny glob, the supervisor (it must match the canonical, resolved path).
 */
#include "escape.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("symlink SECRET");
    }
    attempt("symlink");
    const char *link_path = "escape-symlink";
    unlink(link_path);
    if (symlink(argv[1], link_path) != 0) {
        blocked("symlink");
    }
    open_and_read_secret(link_path, "read the secret through a symlink");
}
