/* proctree: a fork child that calls getppid, a vfork child that execs /bin/true, then waits
 * for both; exits 0 when both children exited 0. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    pid_t forked = fork();
    if (forked == 0) {
        syscall(SYS_getppid);
        _exit(0);
    }
    pid_t vforked = vfork();
    if (vforked == 0) {
        char *argv[] = { "true", NULL };
        execv("/bin/true", argv);
        _exit(127);
    }
    int status, ok = 1;
    if (forked < 0 || vforked < 0)
        return 2;
    for (int i = 0; i < 2; i++)
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = 0;
    return ok ? 0 : 1;
}
