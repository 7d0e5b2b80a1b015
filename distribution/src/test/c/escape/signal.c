/*
 * Route: send SIGTERM to a process outside the sandbox (the test's victim), with kill(2) (mode
 * kill), through a pidfd (mode pidfd: pidfd_open + pidfd_send_signal, which a filter on kill
 * and tgkill alone would miss), or through the victim's /proc/PID directory used as a pidfd
 * (mode procfd: reaches it even from a pid namespace when /proc is still the host's).
 * Success = the call returned 0 (the test also checks that the victim died).
 * Stopped by: Landlock signal scoping (LANDLOCK_SCOPE_SIGNAL, ABI 6: EPERM, pidfds included);
 * a pid namespace with its own /proc (the pid does not exist inside: ESRCH/ENOENT); Landlock
 * (no access to /proc/PID outside /proc/self).
 */
#include "escape.h"

#include <signal.h>
#include <sys/syscall.h>

int main(int argc, char **argv) {
    const char *mode = argc == 3 ? argv[2] : "";
    if (strcmp(mode, "kill") != 0 && strcmp(mode, "pidfd") != 0 && strcmp(mode, "procfd") != 0) {
        usage_exit("signal PID kill|pidfd|procfd");
    }
    pid_t victim = atoi(argv[1]);
    if (strcmp(mode, "kill") == 0) {
        attempt("kill-outside");
        if (kill(victim, SIGTERM) != 0) {
            blocked("kill");
        }
    } else {
        attempt(strcmp(mode, "pidfd") == 0 ? "pidfd-signal-outside" : "proc-pid-fd-signal-outside");
        char proc_path[64];
        snprintf(proc_path, sizeof proc_path, "/proc/%d", (int) victim);
        int pidfd = strcmp(mode, "pidfd") == 0 ? (int) syscall(SYS_pidfd_open, victim, 0)
                                               : open(proc_path, O_RDONLY | O_DIRECTORY);
        if (pidfd < 0) {
            blocked(strcmp(mode, "pidfd") == 0 ? "pidfd_open" : "open-proc-pid");
        }
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) != 0) {
            blocked("pidfd_send_signal");
        }
    }
    char proof[64];
    int length = snprintf(proof, sizeof proof, "SIGTERM delivered to pid %d", (int) victim);
    escaped("signalled a process outside the sandbox:", proof, length);
}
