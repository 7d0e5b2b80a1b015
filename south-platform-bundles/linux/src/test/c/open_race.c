/* open_race DIR ITERATIONS [steady]: one thread flips a path buffer between DIR/aaaaaa/data ("allowed\n")
 * and DIR/secret/data ("secret\n") while the main thread opens it and reads. Prints
 * "opened denied leaked" and exits 1 if the secret's content was ever read, 2 if the race never
 * produced both outcomes. Natively it leaks; under a policy that decides on the canonical path, it
 * must not. With "steady", nothing flips: every open is of the allowed file (exit 0 if all were). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char allowed[4096];
static char secret[4096];
static char buffer[4096];
static atomic_int done;

static void *flip(void *argument)
{
    (void) argument;
    size_t length = strlen(allowed) + 1;
    while (!atomic_load(&done)) {
        memcpy(buffer, secret, length);
        memcpy(buffer, allowed, length);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4)
        return 100;
    int steady = argc == 4;
    snprintf(allowed, sizeof allowed, "%s/aaaaaa/data", argv[1]);
    snprintf(secret, sizeof secret, "%s/secret/data", argv[1]);
    memcpy(buffer, allowed, strlen(allowed) + 1);
    long iterations = atol(argv[2]);
    pthread_t flipper;
    if (!steady && pthread_create(&flipper, NULL, flip, NULL) != 0)
        return 101;
    long opened = 0, denied = 0, leaked = 0;
    for (long i = 0; i < iterations; i++) {
        int fd = open(buffer, O_RDONLY);
        if (fd < 0) {
            denied++;
            continue;
        }
        opened++;
        char content[16] = {0};
        if (read(fd, content, sizeof content - 1) > 0 && strcmp(content, "secret\n") == 0)
            leaked++;
        close(fd);
    }
    atomic_store(&done, 1);
    if (!steady)
        pthread_join(flipper, NULL);
    printf("%ld %ld %ld\n", opened, denied, leaked);
    if (steady)
        return opened == iterations ? 0 : 2;
    return leaked > 0 ? 1 : opened == 0 || denied == 0 ? 2 : 0;
}
