/*
 * futex-threads [THREADS [LAPS [ITERATIONS]]]: a futex-heavy threaded program (defaults 8, 2000,
 * 20000). Two phases:
 *   ring        a token goes LAPS times round a ring of THREADS threads; each hop is a semaphore
 *               post to the next thread and a wait on its own (futex wake + futex wait, a context
 *               switch) plus one small system call (gettid), so the futex traffic is deterministic;
 *   contention  all threads at once take a shared mutex ITERATIONS times each around a short
 *               critical section: contended futex waits and wakes, as many as the scheduler makes.
 * Exits 1 if a count comes out wrong.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 64

static long thread_count, laps, iterations;
static sem_t turn[MAX_THREADS];
static long hops;                               /* written by the token holder only */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static long shared_counter;
static volatile long sink;

static void *run_thread(void *argument) {
    long self = (long) argument, next = (self + 1) % thread_count;
    for (long lap = 0; lap < laps; lap++) {
        while (sem_wait(&turn[self]) != 0) {
        }
        hops++;
        syscall(SYS_gettid);
        sem_post(&turn[next]);
    }
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&shared_lock);
        shared_counter++;
        for (int spin = 0; spin < 20; spin++) {  /* hold the lock a little, so others contend */
            sink += spin;
        }
        pthread_mutex_unlock(&shared_lock);
    }
    return NULL;
}

static long argument_or(int argc, char **argv, int index, long fallback, long max) {
    if (argc <= index) {
        return fallback;
    }
    long value = strtol(argv[index], NULL, 10);
    if (value <= 0 || value > max) {
        fprintf(stderr, "usage: futex-threads [THREADS (1-%d) [LAPS [ITERATIONS]]]\n", MAX_THREADS);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    thread_count = argument_or(argc, argv, 1, 8, MAX_THREADS);
    laps = argument_or(argc, argv, 2, 2000, 1L << 40);
    iterations = argument_or(argc, argv, 3, 20000, 1L << 40);
    pthread_t threads[MAX_THREADS];
    for (long t = 0; t < thread_count; t++) {
        sem_init(&turn[t], 0, t == 0);
    }
    for (long t = 0; t < thread_count; t++) {
        if (pthread_create(&threads[t], NULL, run_thread, (void *) t) != 0) {
            perror("futex-threads: pthread_create");
            return 1;
        }
    }
    for (long t = 0; t < thread_count; t++) {
        pthread_join(threads[t], NULL);
    }
    if (hops != thread_count * laps || shared_counter != thread_count * iterations) {
        fprintf(stderr, "futex-threads: %ld hops, %ld increments; expected %ld and %ld\n",
                hops, shared_counter, thread_count * laps, thread_count * iterations);
        return 1;
    }
    return 0;
}
