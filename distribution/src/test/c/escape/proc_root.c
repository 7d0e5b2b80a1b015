/*
 * Route: read a forbidden file through the magic link /proc/self/root (the process's root
 * directory), i.e. open("/proc/self/root/<secret>").
 * Stopped by: Landlock (the magic link resolves to the real file, checked as such); for a
 * secret under a deny glob, the supervisor (its canonical path must see through /proc/self/root).
 */
#include "escape.h"

int main(int argc, char **argv) {
    if (argc != 2 || argv[1][0] != '/') {
        usage_exit("proc_root /ABSOLUTE/SECRET");
    }
    attempt("proc-self-root");
    char path[8192];
    snprintf(path, sizeof path, "/proc/self/root%s", argv[1]);
    open_and_read_secret(path, "read the secret through /proc/self/root");
}
