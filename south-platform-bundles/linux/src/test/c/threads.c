/* threads COUNT: starts COUNT threads that each call gettid, then joins them. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *work(void *argument)
{
    (void) argument;
    for (int i = 0; i < 10; i++)
        syscall(SYS_gettid);
    return NULL;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 4;
    pthread_t threads[64];
    if (count < 1 || count > 64)
        return 2;
    for (int i = 0; i < count; i++)
        if (pthread_create(&threads[i], NULL, work, NULL) != 0)
            return 3;
    for (int i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
    return 0;
}
