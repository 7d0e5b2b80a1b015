/*
 * Route: trace a process outside the sandbox (the test's victim) with PTRACE_ATTACH (mode
 * attach: stops it, then detaches) or PTRACE_SEIZE (mode seize). Success = the request
 * returned 0: from there its memory and registers are ours.
 * Stopped by: seccomp-BPF (ptrace denied: EPERM); Landlock ptrace scoping (a sandboxed
 * process cannot trace outside its domain: EPERM); a pid namespace (ESRCH).
 */
#include "escape.h"

#include <sys/ptrace.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[2], "attach") != 0 && strcmp(argv[2], "seize") != 0)) {
        usage_exit("ptrace PID attach|seize");
    }
    int seize = strcmp(argv[2], "seize") == 0;
    attempt(seize ? "ptrace-seize" : "ptrace-attach");
    pid_t victim = atoi(argv[1]);
    if (ptrace(seize ? PTRACE_SEIZE : PTRACE_ATTACH, victim, NULL, NULL) != 0) {
        blocked(seize ? "PTRACE_SEIZE" : "PTRACE_ATTACH");
    }
    if (!seize) {
        int status;
        waitpid(victim, &status, __WALL);
        ptrace(PTRACE_DETACH, victim, NULL, NULL);
    }
    char proof[64];
    int length = snprintf(proof, sizeof proof, "%s succeeded on pid %d", seize ? "PTRACE_SEIZE" : "PTRACE_ATTACH",
            (int) victim);
    escaped("traced a process outside the sandbox:", proof, length);
}
