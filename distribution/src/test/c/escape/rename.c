/*
 * Route: rename a forbidden file into the (writable) working directory, then read it there.
 * Stopped by: Landlock (rename out of a hierarchy without REFER/REMOVE rights: EXDEV/EACCES).
 * For a secret under a deny glob inside a writable tree only the supervisor can stop it
 * (rename/renameat2 of a denied path must be refused).
 */
#include "escape.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("rename SECRET");
    }
    attempt("rename");
    const char *new_path = "escape-renamed";
    if (rename(argv[1], new_path) != 0) {
        blocked("rename");
    }
    open_and_read_secret(new_path, "read the secret after renaming it");
}
