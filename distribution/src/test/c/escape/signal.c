/*
 * Route: send SIGTERM to a process outside the sandbox (the test's victim). Success = kill()
 * returned 0 (the test also checks that the victim died).
 * Stopped by: Landlock signal scoping (LANDLOCK_SCOPE_SIGNAL, ABI 6: EPERM); a pid namespace
 * (the pid does not exist inside: ESRCH).
 */
#include "escape.h"

#include <signal.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("signal PID");
    }
    attempt("signal-outside");
    pid_t victim = atoi(argv[1]);
    if (kill(victim, SIGTERM) != 0) {
        blocked("kill");
    }
    char proof[64];
    int length = snprintf(proof, sizeof proof, "SIGTERM delivered to pid %d", (int) victim);
    escaped("signalled a process outside the sandbox:", proof, length);
}
