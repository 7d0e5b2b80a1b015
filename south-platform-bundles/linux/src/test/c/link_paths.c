/* link_paths DIR MODE: links and renames in DIR by the routes the emulation test knows, checking
 * each result. DIR holds allowed.txt ("allowed\n"), secret/data.txt, link-to-secret ->
 * secret/data.txt and sub/ (a directory). MODE "sandboxed": a policy denying every path containing
 * "/secret" must refuse (EACCES) each way of giving the secret a new name or putting a file under
 * secret/; MODE "native": the same calls succeed (and are undone), showing the checks can fail.
 * Ordinary calls must give the kernel's own results in both modes. Prints one line per failed
 * check to stderr and exits with the number of failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;
static int sandboxed;

static void expect(int rc, int expected_errno, const char *what)
{
    int saved = errno;
    if (expected_errno == 0 && rc != 0) {
        fprintf(stderr, "FAILED: %s gave errno %d (%s), expected success\n", what, saved, strerror(saved));
        failures++;
    } else if (expected_errno != 0 && rc == 0) {
        fprintf(stderr, "FAILED: %s succeeded, expected errno %d\n", what, expected_errno);
        failures++;
    } else if (expected_errno != 0 && saved != expected_errno) {
        fprintf(stderr, "FAILED: %s gave errno %d (%s), expected %d\n", what, saved, strerror(saved), expected_errno);
        failures++;
    }
}

/* A route to the secret: EACCES in the sandbox; natively it works, then UNDO puts things back. */
static void refused(int rc, const char *what, int (*undo)(void))
{
    expect(rc, sandboxed ? EACCES : 0, what);
    if (!sandboxed && rc == 0 && undo() != 0) {
        fprintf(stderr, "FAILED: undoing %s: %s\n", what, strerror(errno));
        failures++;
    }
}

static int reads(const char *path, const char *expected)
{
    char buffer[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t count = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    return count == (ssize_t) strlen(expected) && memcmp(buffer, expected, count) == 0;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t written = write(fd, text, strlen(text));
    close(fd);
    return written == (ssize_t) strlen(text) ? 0 : -1;
}

static int renameat2_(int olddir, const char *old, int newdir, const char *new, unsigned flags)
{
    return (int) syscall(SYS_renameat2, olddir, old, newdir, new, flags);
}

static int unlink_copy(void) { return unlink("copy"); }
static int move_back(void) { return rename("moved", "secret/data.txt"); }
static int unlink_planted(void) { return unlink("secret/planted"); }
static int move_planted_back(void) { return rename("secret/planted", "allowed.txt"); }
static int exchange_back(void) { return renameat2_(AT_FDCWD, "allowed.txt", AT_FDCWD, "secret/data.txt", RENAME_EXCHANGE); }
static int rename_dir_back(void) { return rename("notsecret", "secret"); }

int main(int argc, char **argv)
{
    struct stat st;
    if (argc != 3 || chdir(argv[1]) != 0)
        return 100;
    sandboxed = strcmp(argv[2], "sandboxed") == 0;

    /* Routes that would give the secret a harmless name, or put a file where writing is denied. */
    refused(link("secret/data.txt", "copy"), "link of the secret", unlink_copy);
    refused(linkat(AT_FDCWD, "link-to-secret", AT_FDCWD, "copy", AT_SYMLINK_FOLLOW),
            "linkat AT_SYMLINK_FOLLOW through a symlink to the secret", unlink_copy);
    refused(rename("secret/data.txt", "moved"), "rename of the secret", move_back);
    refused(rename("allowed.txt", "secret/planted"), "rename into the secret directory", move_planted_back);
    refused(link("allowed.txt", "secret/planted"), "link into the secret directory", unlink_planted);
    refused(renameat2_(AT_FDCWD, "allowed.txt", AT_FDCWD, "secret/data.txt", RENAME_EXCHANGE),
            "RENAME_EXCHANGE with the secret", exchange_back);
    refused(rename("secret", "notsecret"), "rename of the secret directory", rename_dir_back);
    if (!reads("allowed.txt", "allowed\n") || lstat("secret/data.txt", &st) != 0 || lstat("copy", &st) == 0) {
        fprintf(stderr, "FAILED: the files moved\n");
        failures++;
    }

    /* A link to the symlink itself is harmless: opening it still reaches the secret's path. */
    expect(linkat(AT_FDCWD, "link-to-secret", AT_FDCWD, "symlink-copy", 0), 0, "linkat of a symlink itself");
    expect(lstat("symlink-copy", &st) != 0 || !S_ISLNK(st.st_mode), 0, "the link is a symlink");
    expect(unlink("symlink-copy"), 0, "unlink symlink-copy");

    /* Ordinary links and renames: the kernel's own results. */
    expect(link("allowed.txt", "hard"), 0, "link allowed.txt hard");
    expect(stat("hard", &st) != 0 || st.st_nlink != 2, 0, "two links");
    expect(!reads("hard", "allowed\n"), 0, "read through the new link");
    expect(link("allowed.txt", "hard"), EEXIST, "link onto an existing name");
    expect(link("missing", "other"), ENOENT, "link of a missing file");
    expect(link("allowed.txt", "missing-dir/x"), ENOENT, "link into a missing directory");
    expect(link("sub", "sub-link"), EPERM, "link of a directory");
    expect(linkat(AT_FDCWD, "allowed.txt", AT_FDCWD, "x", 0x8), EINVAL, "linkat with an unknown flag");
    expect(rename("hard", "sub/hard2"), 0, "rename into sub");
    expect(!reads("sub/hard2", "allowed\n"), 0, "read the renamed file");
    expect(rename("sub/hard2", "sub/hard2/x"), ENOTDIR, "rename below a file");
    expect(rename("allowed.txt", "sub"), EISDIR, "rename a file onto a directory");
    expect(rename("sub", "allowed.txt"), ENOTDIR, "rename a directory onto a file");
    expect(rename("nothing", "y"), ENOENT, "rename of a missing file");
    expect(rename(".", "y"), EBUSY, "rename of .");
    expect(rename("allowed.txt", "/proc/meridian-link-test"), EXDEV, "rename across file systems");
    expect(rename("sub/hard2/", "z"), ENOTDIR, "rename of a file named with a trailing slash");
    expect(write_file("other.txt", "other\n"), 0, "create other.txt");
    expect(renameat2_(AT_FDCWD, "other.txt", AT_FDCWD, "allowed.txt", RENAME_NOREPLACE), EEXIST,
           "RENAME_NOREPLACE onto an existing file");
    expect(renameat2_(AT_FDCWD, "other.txt", AT_FDCWD, "allowed.txt", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL,
           "RENAME_EXCHANGE with RENAME_NOREPLACE");
    expect(renameat2_(AT_FDCWD, "other.txt", AT_FDCWD, "allowed.txt", RENAME_EXCHANGE), 0, "RENAME_EXCHANGE");
    expect(!reads("allowed.txt", "other\n") || !reads("other.txt", "allowed\n"), 0, "contents exchanged");
    expect(renameat2_(AT_FDCWD, "other.txt", AT_FDCWD, "nowhere", RENAME_EXCHANGE), ENOENT,
           "RENAME_EXCHANGE with a missing file");
    int dir = open("sub", O_PATH | O_DIRECTORY);
    expect(dir < 0, 0, "O_PATH open of sub");
    expect(renameat(dir, "hard2", AT_FDCWD, "back.txt"), 0, "renameat from a dirfd");
    expect(linkat(AT_FDCWD, "back.txt", dir, "again", 0), 0, "linkat into a dirfd");
    expect(!reads("sub/again", "allowed\n"), 0, "read the link made through a dirfd");
    expect(renameat(99, "x", AT_FDCWD, "y"), EBADF, "renameat with a bad dirfd");
    expect(renameat2_(AT_FDCWD, "back.txt", AT_FDCWD, "renamed.txt", RENAME_NOREPLACE), 0, "RENAME_NOREPLACE");
    expect(rename("sub", "sub2"), 0, "rename a directory");
    expect(rename("sub2", "sub"), 0, "rename it back");
    /* put the tree back as it was */
    expect(renameat2_(AT_FDCWD, "other.txt", AT_FDCWD, "allowed.txt", RENAME_EXCHANGE), 0, "exchange back");
    unlink("other.txt");
    unlink("renamed.txt");
    unlink("sub/again");
    return failures;
}
