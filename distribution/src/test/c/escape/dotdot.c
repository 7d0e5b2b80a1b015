/*
 * Route: read a forbidden file with a relative path climbing out of the working directory
 * with "..": ../../<the secret's absolute path without its leading slash>.
 * Stopped by: Landlock (path walk is resolved before the access check); for a secret under a
 * deny glob, the supervisor (must canonicalise "..", relative to the guest's cwd).
 */
#include "escape.h"

int main(int argc, char **argv) {
    if (argc != 2 || argv[1][0] != '/') {
        usage_exit("dotdot /ABSOLUTE/SECRET");
    }
    attempt("dotdot");
    char cwd[2048];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        setup_failed("getcwd");
    }
    char path[8192] = "";
    for (const char *c = cwd; *c != '\0'; c++) {
        if (*c == '/') {
            strcat(path, "../");
        }
    }
    strncat(path, argv[1] + 1, sizeof path - strlen(path) - 1);
    open_and_read_secret(path, "read the secret through ..");
}
