/*
 * Route: enter new user and mount namespaces (unshare(CLONE_NEWUSER | CLONE_NEWNS)), map
 * ourselves to our own uid, bind-mount the secret over a harmless file in the working directory
 * and read that file: the path is allowed, the content is not.
 * Stopped by: seccomp-BPF (unshare/mount denied: EPERM); Landlock (a sandboxed process may
 * not change its mount topology: mount() EPERM).
 */
#include "escape.h"

#include <sched.h>
#include <sys/mount.h>

static void write_file(const char *path, const char *content, const char *step) {
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t) strlen(content) || close(fd) != 0) {
        blocked(step);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("unshare_mount SECRET");
    }
    attempt("unshare-bind-mount");
    const char *decoy = "escape-decoy.txt";
    int fd = open(decoy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || close(fd) != 0) {
        blocked("create-decoy");
    }
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
        blocked("unshare");
    }
    char map[64];
    write_file("/proc/self/setgroups", "deny", "write-setgroups");
    snprintf(map, sizeof map, "%u %u 1", (unsigned) uid, (unsigned) uid);
    write_file("/proc/self/uid_map", map, "write-uid_map");
    snprintf(map, sizeof map, "%u %u 1", (unsigned) gid, (unsigned) gid);
    write_file("/proc/self/gid_map", map, "write-gid_map");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        blocked("mount-private");
    }
    if (mount(argv[1], decoy, NULL, MS_BIND, NULL) != 0) {
        blocked("mount-bind");
    }
    open_and_read_secret(decoy, "read the secret bind-mounted over an allowed file");
}
