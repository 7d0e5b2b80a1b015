/* exec_program PATH: execs PATH (no arguments); exits 3 with the errno on stderr if it failed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char program[4096];

int main(int argc, char **argv)
{
    if (argc != 2)
        return 100;
    /* In a buffer of its own: the test rewrites it in the guest's memory. */
    strncpy(program, argv[1], sizeof program - 1);
    char *arguments[] = {program, NULL};
    execv(program, arguments);
    fprintf(stderr, "exec_program: %s: %s\n", program, strerror(errno));
    return 3;
}
