/*
 * Route: make a hard link to a forbidden file inside the (writable) working directory and read
 * the link: the link has a harmless path but is the same inode.
 * Stopped by: Landlock (link(2) needs the source reachable with the destination's rights:
 * EXDEV/EACCES). For a secret under a deny glob inside a writable tree only the supervisor can
 * stop it (link/linkat of a denied path must be refused; the glob cannot see the new name).
 */
#include "escape.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("hardlink SECRET");
    }
    attempt("hardlink");
    const char *link_path = "escape-hardlink";
    unlink(link_path);
    if (link(argv[1], link_path) != 0) {
        blocked("link");
    }
    open_and_read_secret(link_path, "read the secret through a hard link");
}
