/*
 * Shared conventions of the escape programs (the .c files of this directory, driven by EscapeIT).
 *
 * Each program tries ONE route to do something a sandbox must forbid. It first prints
 * "attempt: <route>" (so the test knows the program really ran), then either
 *   - succeeds: prints "ESCAPED: <what> <proof>" and exits 0, or
 *   - fails:    prints "blocked: <step> <ERRNO NAME>" and exits 1.
 * Being killed by a signal also counts as blocked. A step that only prepares the attack (a
 * thread, a file in the working directory, a pipe) prints "setup failed: <step> <ERRNO NAME>"
 * and exits 3: the attack never ran, so such a run proves nothing either way.
 *
 * Forbidden content is recognised by its marker: the secret file and the forbidden port's
 * banner both start with SECRET_MARKER; the proof printed after ESCAPED is what was read.
 * Output goes straight to fd 1 with write(2): no stdio buffer is lost if the process is killed.
 */
#ifndef MERIDIAN_ESCAPE_H
#define MERIDIAN_ESCAPE_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET_MARKER "MERIDIAN-SECRET:"

static inline void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static inline void say(const char *format, ...) {
    char line[1024];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (length < 0) {
        return;
    }
    if (length > (int) sizeof line - 2) {
        length = sizeof line - 2;
    }
    line[length++] = '\n';
    for (int written = 0; written < length;) {
        ssize_t n = write(1, line + written, length - written);
        if (n <= 0) {
            return;
        }
        written += n;
    }
}

static inline void attempt(const char *route) {
    say("attempt: %s", route);
}

static inline const char *errno_name(int error) {
    const char *name = strerrorname_np(error);
    return name != NULL ? name : "E?";
}

/* The step that failed and the errno it failed with; never returns. */
static inline void __attribute__((noreturn)) blocked_with(const char *step, int error) {
    say("blocked: %s %s", step, errno_name(error));
    exit(1);
}

static inline void __attribute__((noreturn)) blocked(const char *step) {
    blocked_with(step, errno);
}

static inline void __attribute__((noreturn)) setup_failed_with(const char *step, int error) {
    say("setup failed: %s %s", step, errno_name(error));
    exit(3);
}

static inline void __attribute__((noreturn)) setup_failed(const char *step) {
    setup_failed_with(step, errno);
}

/* True when the bytes start with the marker of forbidden content. */
static inline int is_secret(const char *bytes, ssize_t length) {
    return length >= (ssize_t) strlen(SECRET_MARKER) && memcmp(bytes, SECRET_MARKER, strlen(SECRET_MARKER)) == 0;
}

/* Prints the first line of the proof (forbidden content) and exits 0; never returns. */
static inline void __attribute__((noreturn)) escaped(const char *what, const char *proof, ssize_t length) {
    int shown = 0;
    while (shown < length && shown < 200 && proof[shown] != '\n' && proof[shown] != '\0') {
        shown++;
    }
    say("ESCAPED: %s %.*s", what, shown, proof);
    exit(0);
}

/* Reads what a descriptor gives (up to size - 1 bytes, NUL-terminated); -1 with errno on failure. */
static inline ssize_t read_some(int fd, char *buffer, size_t size) {
    ssize_t total = 0;
    while ((size_t) total < size - 1) {
        ssize_t n = read(fd, buffer + total, size - 1 - total);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (n == 0) {
            break;
        }
        total += n;
    }
    buffer[total] = '\0';
    return total;
}

/* Reads an open file descriptor and escapes if it holds the secret; else reports step as blocked. */
static inline void __attribute__((noreturn)) read_secret_from(int fd, const char *what) {
    char content[512];
    ssize_t length = read_some(fd, content, sizeof content);
    if (length < 0) {
        blocked("read");
    }
    if (!is_secret(content, length)) {
        say("blocked: %s read %zd bytes without the secret marker", what, length);
        exit(1);
    }
    escaped(what, content, length);
}

/* Opens PATH read-only with open(2) and escapes if it holds the secret; step names the failure. */
static inline void __attribute__((noreturn)) open_and_read_secret(const char *path, const char *what) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        blocked("open");
    }
    read_secret_from(fd, what);
}

static inline void usage_exit(const char *usage) {
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
}

#endif
