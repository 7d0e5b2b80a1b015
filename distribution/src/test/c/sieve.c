/*
 * Compiled by gcc inside the sandbox, then run inside the sandbox.
 * Prints the primes below a bound (count, last five) and echoes its arguments.
 * usage: sieve [BOUND [WORDS...]]   (default bound 2000000)
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long bound = argc > 1 ? atol(argv[1]) : 2000000;
    if (bound < 2) {
        fprintf(stderr, "sieve: bound must be at least 2\n");
        return 2;
    }
    char *composite = calloc((size_t) bound, 1);
    if (composite == NULL) {
        perror("sieve: calloc");
        return 1;
    }
    long count = 0;
    long last[5] = {0};
    for (long n = 2; n < bound; n++) {
        if (composite[n]) continue;
        last[count % 5] = n;
        count++;
        for (long multiple = n * n; multiple < bound; multiple += n) {
            composite[multiple] = 1;
        }
    }
    printf("primes below %ld: %ld\n", bound, count);
    printf("last five:");
    for (long i = count - 5; i < count; i++) {
        if (i >= 0) printf(" %ld", last[i % 5]);
    }
    printf("\n");
    for (int i = 2; i < argc; i++) {
        printf("arg %d: %s\n", i, argv[i]);
    }
    free(composite);
    return 0;
}
