/* signal_self SIGNAL: dies of SIGNAL, whatever disposition it inherited. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int signal_number = atoi(argv[1]);
    signal(signal_number, SIG_DFL);
    sigset_t unblocked;
    sigemptyset(&unblocked);
    sigaddset(&unblocked, signal_number);
    sigprocmask(SIG_UNBLOCK, &unblocked, NULL);
    kill(getpid(), signal_number);
    pause();
    return 3;
}
