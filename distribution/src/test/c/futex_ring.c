/*
 * Futex-heavy and deterministic: THREADS threads pass a token around a ring ROUNDS times
 * (one mutex, one condition variable per thread, so every hand-off is a futex wake + wait),
 * meet at a barrier, then all increment one mutex-protected counter. Everything printed is
 * fixed by the protocol, not by scheduling, so native and sandboxed output must match.
 *
 * usage: futex_ring [THREADS [ROUNDS [INCREMENTS]]]   (defaults 8 500 5000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64

static int threads = 8;
static long rounds = 500;
static long increments = 5000;

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed[MAX_THREADS];
static int turn;
static long passes[MAX_THREADS];
static uint64_t order_hash = 1469598103934665603ULL;

static pthread_barrier_t ring_done;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg) {
    int me = (int) (intptr_t) arg;
    for (long r = 0; r < rounds; r++) {
        pthread_mutex_lock(&ring_lock);
        while (turn != me) {
            pthread_cond_wait(&turn_changed[me], &ring_lock);
        }
        passes[me]++;
        order_hash = (order_hash ^ (uint64_t) me) * 1099511628211ULL;
        turn = (me + 1) % threads;
        pthread_cond_signal(&turn_changed[turn]);
        pthread_mutex_unlock(&ring_lock);
    }
    pthread_barrier_wait(&ring_done);
    for (long i = 0; i < increments; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) threads = atoi(argv[1]);
    if (argc > 2) rounds = atol(argv[2]);
    if (argc > 3) increments = atol(argv[3]);
    if (threads < 1 || threads > MAX_THREADS || rounds < 0 || increments < 0) {
        fprintf(stderr, "futex_ring: bad arguments\n");
        return 2;
    }
    pthread_t ids[MAX_THREADS];
    pthread_barrier_init(&ring_done, NULL, (unsigned) threads);
    for (int i = 0; i < threads; i++) {
        pthread_cond_init(&turn_changed[i], NULL);
    }
    for (int i = 0; i < threads; i++) {
        int error = pthread_create(&ids[i], NULL, worker, (void *) (intptr_t) i);
        if (error != 0) {
            fprintf(stderr, "futex_ring: pthread_create: %s\n", strerror(error));
            return 1;
        }
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) {
        printf("thread %d passes %ld\n", i, passes[i]);
        total += passes[i];
    }
    printf("total passes %ld\n", total);
    printf("order hash %016llx\n", (unsigned long long) order_hash);
    printf("counter %ld\n", counter);
    return 0;
}
