/*
 * Route: install our own seccomp filter that sends openat to a user-notification listener we
 * hold ourselves, and answer every notification with CONTINUE. When several filters return
 * USER_NOTIF, the kernel delivers the notification to the most recently installed one: ours.
 * A supervisor relying on notifications would then never see the open of the secret.
 * The filter is installed on the main thread only (no TSYNC); a thread started before it
 * answers the notifications.
 * Stopped by: seccomp-BPF (seccomp() and prctl(PR_SET_SECCOMP) denied: EPERM); Landlock
 * still checks the open itself.
 */
#include "escape.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static int listener_pipe[2];

/* Answers every notification on the listener with CONTINUE until the listener goes away. */
static void *answer(void *unused) {
    (void) unused;
    int listener;
    if (read(listener_pipe[0], &listener, sizeof listener) != sizeof listener) {
        return NULL;
    }
    for (;;) {
        struct seccomp_notif request;
        memset(&request, 0, sizeof request);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
            if (errno == EINTR || errno == ENOENT) {
                continue;
            }
            return NULL;
        }
        struct seccomp_notif_resp response = {.id = request.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &response);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("seccomp_notify SECRET");
    }
    attempt("own-seccomp-listener");
    pthread_t answerer;
    if (pipe(listener_pipe) != 0) {
        setup_failed("pipe");
    }
    int error = pthread_create(&answerer, NULL, answer, NULL);
    if (error != 0) {
        setup_failed_with("pthread_create", error);
    }
    struct sock_filter instructions[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof instructions / sizeof instructions[0], .filter = instructions};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        blocked("prctl-no-new-privs");
    }
    int listener = (int) syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
    if (listener < 0) {
        blocked("seccomp");
    }
    if (write(listener_pipe[1], &listener, sizeof listener) != sizeof listener) {
        setup_failed("write-listener");
    }
    open_and_read_secret(argv[1], "read the secret under our own seccomp listener answering CONTINUE");
}
