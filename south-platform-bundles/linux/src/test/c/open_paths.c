/* open_paths DIR: opens files under DIR by every route the emulation test knows and checks what
 * it gets. DIR holds allowed.txt ("allowed\n"), secret/data.txt, link-to-secret -> secret/data.txt,
 * sub/ (a directory). A policy that denies paths containing "/secret" must give EACCES for every
 * route to the secret file, whatever string reached it. Prints one line per failed check to
 * stderr and exits with the number of failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "FAILED: %s (errno %d: %s)\n", what, errno, strerror(errno));
        failures++;
    }
}

static void expect_errno(int fd, int expected, const char *what)
{
    int saved = errno;
    if (fd >= 0) {
        close(fd);
        fprintf(stderr, "FAILED: %s opened (expected errno %d)\n", what, expected);
        failures++;
    } else if (saved != expected) {
        fprintf(stderr, "FAILED: %s gave errno %d, expected %d\n", what, saved, expected);
        failures++;
    }
}

static int reads(int fd, const char *expected)
{
    char buffer[64] = {0};
    ssize_t count = read(fd, buffer, sizeof buffer - 1);
    return count == (ssize_t) strlen(expected) && memcmp(buffer, expected, count) == 0;
}

static int cloexec(int fd)
{
    return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

int main(int argc, char **argv)
{
    char path[4096];
    if (argc != 2)
        return 100;
    const char *dir = argv[1];

    snprintf(path, sizeof path, "%s/allowed.txt", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    check(fd >= 0 && reads(fd, "allowed\n"), "read allowed.txt through the injected fd");
    check(fd >= 0 && cloexec(fd), "O_CLOEXEC honoured");
    close(fd);
    fd = open(path, O_RDONLY);
    check(fd >= 0 && !cloexec(fd), "no O_CLOEXEC when not asked");
    close(fd);

    snprintf(path, sizeof path, "%s/secret/data.txt", dir);
    expect_errno(open(path, O_RDONLY), EACCES, "secret/data.txt directly");
    snprintf(path, sizeof path, "%s/link-to-secret", dir);
    expect_errno(open(path, O_RDONLY), EACCES, "the secret through a symlink");
    snprintf(path, sizeof path, "%s/sub/../secret/data.txt", dir);
    expect_errno(open(path, O_RDONLY), EACCES, "the secret through ..");
    snprintf(path, sizeof path, "%s/secret/new.txt", dir);
    expect_errno(open(path, O_WRONLY | O_CREAT, 0600), EACCES, "creating a file in the secret directory");

    int dirfd = open(dir, O_PATH | O_DIRECTORY);
    check(dirfd >= 0, "O_PATH open of the directory");
    expect_errno(openat(dirfd, "secret/data.txt", O_RDONLY), EACCES, "the secret relative to a dirfd");
    expect_errno(openat(dirfd, "sub/../link-to-secret", O_RDONLY), EACCES, "the secret via dirfd, .. and a symlink");
    fd = openat(dirfd, "allowed.txt", O_RDONLY);
    check(fd >= 0 && reads(fd, "allowed\n"), "allowed.txt relative to a dirfd");
    close(fd);

    snprintf(path, sizeof path, "%s/sub", dir);
    check(chdir(path) == 0, "chdir sub");
    expect_errno(open("../secret/data.txt", O_RDONLY), EACCES, "the secret relative to the cwd");
    fd = open("../allowed.txt", O_RDONLY);
    check(fd >= 0 && reads(fd, "allowed\n"), "allowed.txt relative to the cwd");
    close(fd);

    struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};
    expect_errno((int) syscall(SYS_openat2, dirfd, "../allowed.txt", &how, sizeof how), EXDEV,
            "openat2 RESOLVE_BENEATH escaping its dirfd");
    fd = (int) syscall(SYS_openat2, dirfd, "allowed.txt", &how, sizeof how);
    check(fd >= 0 && reads(fd, "allowed\n"), "openat2 RESOLVE_BENEATH inside its dirfd");
    close(fd);

    umask(027);
    snprintf(path, sizeof path, "%s/new.txt", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    check(fd >= 0 && write(fd, "new\n", 4) == 4, "create new.txt and write to it");
    close(fd);
    struct stat status;
    check(stat(path, &status) == 0 && (status.st_mode & 07777) == 0640, "new.txt has mode 0666 & ~umask 027");
    expect_errno(open(path, O_WRONLY | O_CREAT | O_EXCL, 0666), EEXIST, "O_EXCL on an existing file");
    fd = creat("created-by-creat", 0600);
    check(fd >= 0, "creat relative to the cwd");
    close(fd);

    snprintf(path, sizeof path, "%s/missing.txt", dir);
    expect_errno(open(path, O_RDONLY), ENOENT, "a missing file");
    snprintf(path, sizeof path, "%s/allowed.txt/x", dir);
    expect_errno(open(path, O_RDONLY), ENOTDIR, "a file used as a directory");

    /* /proc/self is the guest, not the supervisor. */
    fd = open("/proc/self/comm", O_RDONLY);
    check(fd >= 0 && reads(fd, "open_paths\n"), "/proc/self/comm names this program");
    close(fd);
    return failures;
}
