/*
 * The racing half of race_open.c and race_connect.c: one thread keeps rewriting an argument
 * buffer (FLIP, called in a loop) while the main thread repeats the call (TRY, which returns
 * what it read, or -1 with errno when the call failed) until it reads the secret or SECONDS pass.
 */
#ifndef MERIDIAN_RACE_H
#define MERIDIAN_RACE_H

#include "escape.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static atomic_int race_running = 1;

static void *race_flipper(void *flip) {
    while (atomic_load_explicit(&race_running, memory_order_relaxed)) {
        ((void (*)(void)) flip)();
    }
    return NULL;
}

static double race_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Escapes as WHAT once TRY reads the secret; else reports STEP (the call) as blocked. */
static void __attribute__((noreturn)) race(void (*flip)(void), ssize_t (*try)(char *content, size_t size),
        double seconds, const char *step, const char *what) {
    pthread_t flipper;
    int error = pthread_create(&flipper, NULL, race_flipper, (void *) flip);
    if (error != 0) {
        setup_failed_with("pthread_create", error);
    }
    long succeeded = 0, failed = 0;
    int last_errno = 0;
    char content[512];
    for (double deadline = race_now() + seconds; race_now() < deadline;) {
        ssize_t length = try(content, sizeof content);
        if (length < 0) {
            failed++;
            last_errno = errno;
            continue;
        }
        succeeded++;
        if (is_secret(content, length)) {
            atomic_store(&race_running, 0);
            pthread_join(flipper, NULL);
            say("calls: %ld succeeded, %ld failed", succeeded, failed);
            escaped(what, content, length);
        }
    }
    atomic_store(&race_running, 0);
    pthread_join(flipper, NULL);
    say("calls: %ld succeeded without the secret, %ld failed", succeeded, failed);
    blocked_with(step, last_errno != 0 ? last_errno : EACCES);
}

#endif
