/*
 * notify-floor: the cheapest possible seccomp user-notification supervisor.
 *
 * Every system call of the guest (and of everything it starts) is sent to this
 * process, which answers SECCOMP_USER_NOTIF_FLAG_CONTINUE without looking at it.
 * No decoding, no policy, no journal: what is left is the kernel round trip and
 * the two wake-ups, i.e. the floor any supervisor built on this mechanism pays.
 *
 * Usage: notify-floor [-v] [-S] [-c] PROGRAM ARGS...
 *   -v  print the number of notifications (and whether SYNC_WAKE_UP was on) to stderr
 *   -S  do not ask for SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 *   -c  capture like a tracer must: before answering, read each path argument (and the first
 *       64 bytes a write sends) out of the guest with process_vm_readv, up to the end of its page,
 *       then check SECCOMP_IOCTL_NOTIF_ID_VALID (design.md §2). The floor of any supervisor that
 *       records paths, for the common path calls below; nothing is decoded or kept.
 * Exits with the guest's status (128 + signal if it was killed).
 *
 * Hand-over of the listener (see design.md §2 "Starting a guest"): once the
 * filter is installed every call of the child traps, so the child cannot send
 * the fd itself. It reports the fd number the kernel will give the listener
 * (the lowest free one) just before seccomp(); the parent takes the fd with
 * pidfd_getfd, retrying until seccomp() has run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.6+; absent from older uapi headers. The argument is passed by value. */
#define NOTIF_SET_FLAGS 0x40082104UL
#define NOTIF_FD_SYNC_WAKE_UP 1UL
#define X32_SYSCALL_BIT 0x40000000U
#define LISTENER_WAIT_LIMIT_NS (5LL * 1000 * 1000 * 1000)

/* Which argument of a call is a path (-c), for the path calls common in workloads; -1: none. */
static int path_argument(int nr) {
    switch (nr) {
    case SYS_open: case SYS_stat: case SYS_lstat: case SYS_access: case SYS_execve: case SYS_chdir:
    case SYS_mkdir: case SYS_rmdir: case SYS_unlink: case SYS_readlink: case SYS_statfs:
        return 0;
    case SYS_openat: case SYS_mkdirat: case SYS_newfstatat: case SYS_unlinkat: case SYS_readlinkat:
    case SYS_faccessat: case SYS_faccessat2: case SYS_statx: case SYS_execveat: case SYS_write:
        return 1;
    default:
        return -1;
    }
}

/* Reads what the call's path (or written buffer) argument points to, then checks the call is still
   pending: the two system calls a supervisor that records the argument cannot avoid. */
static void capture(int listener, const struct seccomp_notif *request) {
    int arg = path_argument(request->data.nr);
    if (arg < 0 || request->data.args[arg] == 0) return;
    static char buffer[4096];
    uint64_t address = request->data.args[arg];
    size_t length = 4096 - (address & 4095);
    if (request->data.nr == SYS_write && length > 64) length = 64;
    struct iovec local = { .iov_base = buffer, .iov_len = length };
    struct iovec remote = { .iov_base = (void *) (uintptr_t) address, .iov_len = length };
    process_vm_readv(request->pid, &local, 1, &remote, 1, 0);
    uint64_t id = request->id;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id);
}

static void die(const char *what) {
    fprintf(stderr, "notify-floor: %s: %s\n", what, strerror(errno));
    exit(125);
}

/* execvp's PATH search, done before the filter so its failed execve attempts are not counted. */
static const char *resolve_program(const char *name) {
    if (strchr(name, '/') != NULL) return name;
    const char *path = getenv("PATH");
    if (path == NULL) path = "/usr/local/bin:/usr/bin:/bin";
    static char candidate[PATH_MAX];
    while (*path != '\0') {
        size_t length = strcspn(path, ":");
        const char *dir = length == 0 ? "." : path;
        int dir_length = length == 0 ? 1 : (int) length;
        if (snprintf(candidate, sizeof candidate, "%.*s/%s", dir_length, dir, name) < (int) sizeof candidate
                && access(candidate, X_OK) == 0)
            return candidate;
        path += length;
        if (*path == ':') path++;
    }
    fprintf(stderr, "notify-floor: %s: command not found\n", name);
    exit(127);
}

static int install_notify_filter(void) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    };
    struct sock_fprog program = { .len = sizeof code / sizeof code[0], .filter = code };
    return (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                         SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &program);
}

static void run_child(int report_fd, pid_t parent, const char *program, char **argv) {
    /* Fail closed: the guest must not outlive its supervisor. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
    if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) != 0) {
        perror("notify-floor: close_range");
        _exit(125);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("notify-floor: PR_SET_NO_NEW_PRIVS");
        _exit(125);
    }
    /* Single-threaded and nothing opens an fd from here on, so this is the listener's number. */
    int predicted = fcntl(report_fd, F_DUPFD_CLOEXEC, 0);
    if (predicted < 0 || close(predicted) != 0
            || write(report_fd, &predicted, sizeof predicted) != (ssize_t) sizeof predicted) {
        perror("notify-floor: reporting the listener fd");
        _exit(125);
    }
    int listener = install_notify_filter();
    if (listener < 0) {
        perror("notify-floor: seccomp(SECCOMP_SET_MODE_FILTER)");
        _exit(125);
    }
    /* From here on every call waits for the parent. A wrong prediction cannot happen in a
       single-threaded child; if it did, the parent gives up after its timeout and kills us. */
    execv(program, argv);
    _exit(127);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int exit_code_of(const siginfo_t *info) {
    return info->si_code == CLD_EXITED ? info->si_status : 128 + info->si_status;
}

static int is_seccomp_listener(int fd) {
    char link_path[64], target[64];
    snprintf(link_path, sizeof link_path, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link_path, target, sizeof target - 1);
    if (length < 0) return 0;
    target[length] = '\0';
    return strcmp(target, "anon_inode:seccomp notify") == 0;
}

/* Takes the listener out of the child once seccomp() has run; -1 if the child died first. */
static int take_listener(int pidfd, int report_fd, siginfo_t *child_exit) {
    int fd_number;
    ssize_t got = read(report_fd, &fd_number, sizeof fd_number);
    if (got != (ssize_t) sizeof fd_number) {
        if (waitid(P_PIDFD, (id_t) pidfd, child_exit, WEXITED) != 0) die("waitid");
        return -1;
    }
    int64_t deadline = now_ns() + LISTENER_WAIT_LIMIT_NS;
    for (;;) {
        int listener = (int) syscall(SYS_pidfd_getfd, pidfd, fd_number, 0);
        if (listener >= 0) {
            if (is_seccomp_listener(listener)) return listener;
            errno = EBADF;
            close(listener);
        }
        if (errno != EBADF) die("pidfd_getfd");
        struct pollfd exited = { .fd = pidfd, .events = POLLIN };
        if (poll(&exited, 1, 0) == 1) {
            if (waitid(P_PIDFD, (id_t) pidfd, child_exit, WEXITED) != 0) die("waitid");
            return -1;
        }
        if (now_ns() > deadline) {
            syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
            fprintf(stderr, "notify-floor: the child never installed its filter at fd %d\n", fd_number);
            exit(125);
        }
        sched_yield();
    }
}

int main(int argc, char **argv) {
    int verbose = 0, sync_wake_up = 1, captures = 0, option;
    while ((option = getopt(argc, argv, "+vSc")) != -1) {
        switch (option) {
        case 'v': verbose = 1; break;
        case 'S': sync_wake_up = 0; break;
        case 'c': captures = 1; break;
        default: goto usage;
        }
    }
    if (optind >= argc) {
usage:
        fprintf(stderr, "usage: notify-floor [-v] [-S] [-c] PROGRAM ARGS...\n");
        return 125;
    }
    const char *program = resolve_program(argv[optind]);

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) die("pipe2");
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(report[0]);
        run_child(report[1], parent, program, argv + optind);
    }
    close(report[1]);
    int pidfd = (int) syscall(SYS_pidfd_open, child, 0);
    if (pidfd < 0) die("pidfd_open");

    siginfo_t child_exit = { 0 };
    int listener = take_listener(pidfd, report[0], &child_exit);
    close(report[0]);
    if (listener < 0) return exit_code_of(&child_exit);

    int sync_wake_up_on = sync_wake_up && ioctl(listener, NOTIF_SET_FLAGS, NOTIF_FD_SYNC_WAKE_UP) == 0;

    struct seccomp_notif request;
    struct seccomp_notif_resp response;
    uint64_t notifications = 0;
    struct pollfd watched[2] = { { .fd = listener, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
    nfds_t watched_count = 2;
    int child_reaped = 0;
    for (;;) {
        if (poll(watched, watched_count, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        /* POLLHUP on the listener only comes once the last guest task is reaped. */
        if (!child_reaped && watched[1].revents != 0) {
            if (waitid(P_PIDFD, (id_t) pidfd, &child_exit, WEXITED) != 0) die("waitid");
            child_reaped = 1;
            watched_count = 1;
        }
        short events = watched[0].revents;
        if (events & POLLIN) {
            memset(&request, 0, sizeof request);
            if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
                if (errno == ENOENT || errno == EINTR) continue; /* the guest task went away */
                die("SECCOMP_IOCTL_NOTIF_RECV");
            }
            notifications++;
            if (captures) capture(listener, &request);
            response.id = request.id;
            response.val = 0;
            response.error = 0;
            response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &response) != 0 && errno != ENOENT)
                die("SECCOMP_IOCTL_NOTIF_SEND");
        } else if (events & (POLLHUP | POLLERR | POLLNVAL)) {
            break;
        }
    }
    if (!child_reaped && waitid(P_PIDFD, (id_t) pidfd, &child_exit, WEXITED) != 0) die("waitid");
    if (verbose)
        fprintf(stderr, "notify-floor: %llu notifications (sync wake-up %s)\n",
                (unsigned long long) notifications, sync_wake_up_on ? "on" : "off");
    return exit_code_of(&child_exit);
}
