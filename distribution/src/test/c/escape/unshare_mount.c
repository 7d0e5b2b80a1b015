/*
 * Route: enter new user and mount namespaces, map ourselves to our own uid, bind-mount the
 * secret over a harmless file in the working directory and read that file: the path is
 * allowed, the content is not. Mode unshare: unshare(CLONE_NEWUSER | CLONE_NEWNS). Mode clone:
 * the same namespaces from clone(2)'s flags (a filter that denies unshare but allows clone
 * whatever its flags lets this one through), the child doing the rest.
 * Stopped by: seccomp-BPF (unshare, namespace flags of clone, and mount denied: EPERM);
 * Landlock (a sandboxed process may not change its mount topology: mount() EPERM).
 */
#include "escape.h"

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *decoy = "escape-decoy.txt";

static void write_file(const char *path, const char *content, const char *step) {
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t) strlen(content) || close(fd) != 0) {
        blocked(step);
    }
}

/* Inside the new namespaces: identity maps, then the bind mount and the read; never returns. */
static void __attribute__((noreturn)) mount_and_read(const char *secret, uid_t uid, gid_t gid) {
    char map[64];
    write_file("/proc/self/setgroups", "deny", "write-setgroups");
    snprintf(map, sizeof map, "%u %u 1", (unsigned) uid, (unsigned) uid);
    write_file("/proc/self/uid_map", map, "write-uid_map");
    snprintf(map, sizeof map, "%u %u 1", (unsigned) gid, (unsigned) gid);
    write_file("/proc/self/gid_map", map, "write-gid_map");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        blocked("mount-private");
    }
    if (mount(secret, decoy, NULL, MS_BIND, NULL) != 0) {
        blocked("mount-bind");
    }
    open_and_read_secret(decoy, "read the secret bind-mounted over an allowed file");
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[2], "unshare") != 0 && strcmp(argv[2], "clone") != 0)) {
        usage_exit("unshare_mount SECRET unshare|clone");
    }
    int by_clone = strcmp(argv[2], "clone") == 0;
    attempt(by_clone ? "clone-namespaces-bind-mount" : "unshare-bind-mount");
    int fd = open(decoy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || close(fd) != 0) {
        setup_failed("create-decoy");
    }
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (!by_clone) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            blocked("unshare");
        }
        mount_and_read(argv[1], uid, gid);
    }
    /* Raw clone without a new stack: the child continues here like after fork(). */
    long child = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
    if (child < 0) {
        blocked("clone");
    }
    if (child == 0) {
        mount_and_read(argv[1], uid, gid);
    }
    int status;
    if (waitpid((pid_t) child, &status, 0) != (pid_t) child) {
        setup_failed("waitpid");
    }
    /* The child said what happened; its fate is ours (a signal counts as blocked). */
    exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
