/* Prints the kernel ABI values the Linux platform hard-codes, as "NAME VALUE" lines, from the
 * kernel headers. NativeHeadersTest compares them with the Java constants. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ioctl.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sched.h>

/* Linux 6.6+, absent from older headers (Debian 12 ships 6.1's). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Landlock after ABI 2 (Linux 6.2+), absent from Debian 12's headers; values of linux/landlock.h. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

#define PRINT(name, value) printf("%s %lld\n", name, (long long) (value))

int main(void)
{
    PRINT("sizeof.seccomp_data", sizeof(struct seccomp_data));
    PRINT("seccomp_data.nr", offsetof(struct seccomp_data, nr));
    PRINT("seccomp_data.arch", offsetof(struct seccomp_data, arch));
    PRINT("seccomp_data.instruction_pointer", offsetof(struct seccomp_data, instruction_pointer));
    PRINT("seccomp_data.args", offsetof(struct seccomp_data, args));

    PRINT("sizeof.seccomp_notif", sizeof(struct seccomp_notif));
    PRINT("seccomp_notif.id", offsetof(struct seccomp_notif, id));
    PRINT("seccomp_notif.pid", offsetof(struct seccomp_notif, pid));
    PRINT("seccomp_notif.flags", offsetof(struct seccomp_notif, flags));
    PRINT("seccomp_notif.data", offsetof(struct seccomp_notif, data));

    PRINT("sizeof.seccomp_notif_resp", sizeof(struct seccomp_notif_resp));
    PRINT("seccomp_notif_resp.id", offsetof(struct seccomp_notif_resp, id));
    PRINT("seccomp_notif_resp.val", offsetof(struct seccomp_notif_resp, val));
    PRINT("seccomp_notif_resp.error", offsetof(struct seccomp_notif_resp, error));
    PRINT("seccomp_notif_resp.flags", offsetof(struct seccomp_notif_resp, flags));

    PRINT("sizeof.seccomp_notif_addfd", sizeof(struct seccomp_notif_addfd));
    PRINT("seccomp_notif_addfd.id", offsetof(struct seccomp_notif_addfd, id));
    PRINT("seccomp_notif_addfd.flags", offsetof(struct seccomp_notif_addfd, flags));
    PRINT("seccomp_notif_addfd.srcfd", offsetof(struct seccomp_notif_addfd, srcfd));
    PRINT("seccomp_notif_addfd.newfd", offsetof(struct seccomp_notif_addfd, newfd));
    PRINT("seccomp_notif_addfd.newfd_flags", offsetof(struct seccomp_notif_addfd, newfd_flags));

    PRINT("sizeof.pollfd", sizeof(struct pollfd));
    PRINT("pollfd.fd", offsetof(struct pollfd, fd));
    PRINT("pollfd.events", offsetof(struct pollfd, events));
    PRINT("pollfd.revents", offsetof(struct pollfd, revents));
    PRINT("sizeof.iovec", sizeof(struct iovec));
    PRINT("iovec.iov_base", offsetof(struct iovec, iov_base));
    PRINT("iovec.iov_len", offsetof(struct iovec, iov_len));
    PRINT("sizeof.sock_filter", sizeof(struct sock_filter));

    PRINT("SECCOMP_IOCTL_NOTIF_RECV", (unsigned long) SECCOMP_IOCTL_NOTIF_RECV);
    PRINT("SECCOMP_IOCTL_NOTIF_SEND", (unsigned long) SECCOMP_IOCTL_NOTIF_SEND);
    PRINT("SECCOMP_IOCTL_NOTIF_ID_VALID", (unsigned long) SECCOMP_IOCTL_NOTIF_ID_VALID);
    PRINT("SECCOMP_IOCTL_NOTIF_ADDFD", (unsigned long) SECCOMP_IOCTL_NOTIF_ADDFD);
    PRINT("SECCOMP_IOCTL_NOTIF_SET_FLAGS", (unsigned long) SECCOMP_IOCTL_NOTIF_SET_FLAGS);
    PRINT("SECCOMP_USER_NOTIF_FLAG_CONTINUE", SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    PRINT("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP", SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
    PRINT("SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER);
    PRINT("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    PRINT("SECCOMP_RET_KILL_PROCESS", (unsigned) SECCOMP_RET_KILL_PROCESS);
    PRINT("SECCOMP_RET_USER_NOTIF", (unsigned) SECCOMP_RET_USER_NOTIF);
    PRINT("SECCOMP_RET_ERRNO", (unsigned) SECCOMP_RET_ERRNO);
    PRINT("SECCOMP_RET_ALLOW", (unsigned) SECCOMP_RET_ALLOW);
    PRINT("AUDIT_ARCH_X86_64", (unsigned) AUDIT_ARCH_X86_64);
    PRINT("__X32_SYSCALL_BIT", __X32_SYSCALL_BIT);

    PRINT("BPF_LD", BPF_LD);
    PRINT("BPF_JMP", BPF_JMP);
    PRINT("BPF_RET", BPF_RET);
    PRINT("BPF_W", BPF_W);
    PRINT("BPF_ABS", BPF_ABS);
    PRINT("BPF_K", BPF_K);
    PRINT("BPF_JEQ", BPF_JEQ);
    PRINT("BPF_JSET", BPF_JSET);
    PRINT("BPF_ALU", BPF_ALU);
    PRINT("BPF_AND", BPF_AND);
    PRINT("BPF_JA", BPF_JA);
    PRINT("BPF_JGT", BPF_JGT);
    PRINT("BPF_JGE", BPF_JGE);
    PRINT("BPF_MAXINSNS", BPF_MAXINSNS);

    PRINT("SYS_landlock_create_ruleset", SYS_landlock_create_ruleset);
    PRINT("LANDLOCK_CREATE_RULESET_VERSION", LANDLOCK_CREATE_RULESET_VERSION);
    PRINT("LANDLOCK_ACCESS_FS_EXECUTE", LANDLOCK_ACCESS_FS_EXECUTE);
    PRINT("LANDLOCK_ACCESS_FS_WRITE_FILE", LANDLOCK_ACCESS_FS_WRITE_FILE);
    PRINT("LANDLOCK_ACCESS_FS_READ_FILE", LANDLOCK_ACCESS_FS_READ_FILE);
    PRINT("LANDLOCK_ACCESS_FS_READ_DIR", LANDLOCK_ACCESS_FS_READ_DIR);
    PRINT("LANDLOCK_ACCESS_FS_REMOVE_DIR", LANDLOCK_ACCESS_FS_REMOVE_DIR);
    PRINT("LANDLOCK_ACCESS_FS_REMOVE_FILE", LANDLOCK_ACCESS_FS_REMOVE_FILE);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_CHAR", LANDLOCK_ACCESS_FS_MAKE_CHAR);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_DIR", LANDLOCK_ACCESS_FS_MAKE_DIR);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_REG", LANDLOCK_ACCESS_FS_MAKE_REG);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_SOCK", LANDLOCK_ACCESS_FS_MAKE_SOCK);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_FIFO", LANDLOCK_ACCESS_FS_MAKE_FIFO);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_BLOCK", LANDLOCK_ACCESS_FS_MAKE_BLOCK);
    PRINT("LANDLOCK_ACCESS_FS_MAKE_SYM", LANDLOCK_ACCESS_FS_MAKE_SYM);
    PRINT("LANDLOCK_ACCESS_FS_REFER", LANDLOCK_ACCESS_FS_REFER);
    PRINT("LANDLOCK_ACCESS_FS_TRUNCATE", LANDLOCK_ACCESS_FS_TRUNCATE);
    PRINT("LANDLOCK_ACCESS_FS_IOCTL_DEV", LANDLOCK_ACCESS_FS_IOCTL_DEV);
    PRINT("LANDLOCK_ACCESS_NET_BIND_TCP", LANDLOCK_ACCESS_NET_BIND_TCP);
    PRINT("LANDLOCK_ACCESS_NET_CONNECT_TCP", LANDLOCK_ACCESS_NET_CONNECT_TCP);
    PRINT("LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET", LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
    PRINT("LANDLOCK_SCOPE_SIGNAL", LANDLOCK_SCOPE_SIGNAL);

    PRINT("SYS_exit", SYS_exit);
    PRINT("SYS_exit_group", SYS_exit_group);
    PRINT("SYS_seccomp", SYS_seccomp);
    PRINT("SYS_pidfd_send_signal", SYS_pidfd_send_signal);
    PRINT("SYS_pidfd_open", SYS_pidfd_open);
    PRINT("SYS_pidfd_getfd", SYS_pidfd_getfd);

    PRINT("EPERM", EPERM);
    PRINT("ENOENT", ENOENT);
    PRINT("ESRCH", ESRCH);
    PRINT("EINTR", EINTR);
    PRINT("EBADF", EBADF);
    PRINT("EAGAIN", EAGAIN);
    PRINT("EINVAL", EINVAL);
    PRINT("SIGKILL", SIGKILL);
    PRINT("O_RDONLY", O_RDONLY);
    PRINT("O_NONBLOCK", O_NONBLOCK);
    PRINT("O_CLOEXEC", O_CLOEXEC);
    PRINT("POLLIN", POLLIN);
    PRINT("POLLHUP", POLLHUP);
    PRINT("E2BIG", E2BIG);
    PRINT("ENOMEM", ENOMEM);
    PRINT("EACCES", EACCES);
    PRINT("EFAULT", EFAULT);
    PRINT("EBUSY", EBUSY);
    PRINT("EEXIST", EEXIST);
    PRINT("ENOTDIR", ENOTDIR);
    PRINT("EISDIR", EISDIR);
    PRINT("ENAMETOOLONG", ENAMETOOLONG);
    PRINT("ELOOP", ELOOP);
    PRINT("O_WRONLY", O_WRONLY);
    PRINT("O_RDWR", O_RDWR);
    PRINT("O_ACCMODE", O_ACCMODE);
    PRINT("O_CREAT", O_CREAT);
    PRINT("O_EXCL", O_EXCL);
    PRINT("O_NOCTTY", O_NOCTTY);
    PRINT("O_TRUNC", O_TRUNC);
    PRINT("O_APPEND", O_APPEND);
    PRINT("O_DIRECTORY", O_DIRECTORY);
    PRINT("O_NOFOLLOW", O_NOFOLLOW);
    PRINT("O_PATH", O_PATH);
    PRINT("AT_FDCWD", AT_FDCWD);
    PRINT("AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW);
    PRINT("AT_EMPTY_PATH", AT_EMPTY_PATH);
    PRINT("AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW);
    PRINT("RENAME_NOREPLACE", RENAME_NOREPLACE);
    PRINT("RENAME_EXCHANGE", RENAME_EXCHANGE);
    PRINT("RENAME_WHITEOUT", RENAME_WHITEOUT);
    PRINT("F_SETFL", F_SETFL);
    PRINT("CLONE_FS", CLONE_FS);
    PRINT("RESOLVE_NO_XDEV", RESOLVE_NO_XDEV);
    PRINT("RESOLVE_NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS);
    PRINT("RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS);
    PRINT("RESOLVE_BENEATH", RESOLVE_BENEATH);
    PRINT("RESOLVE_IN_ROOT", RESOLVE_IN_ROOT);
    PRINT("RESOLVE_CACHED", RESOLVE_CACHED);
    PRINT("PROC_SUPER_MAGIC", PROC_SUPER_MAGIC);
    PRINT("SECCOMP_ADDFD_FLAG_SETFD", SECCOMP_ADDFD_FLAG_SETFD);
    PRINT("SECCOMP_ADDFD_FLAG_SEND", SECCOMP_ADDFD_FLAG_SEND);
    PRINT("O_TMPFILE_BIT", O_TMPFILE & ~O_DIRECTORY);
    PRINT("SYS_open", SYS_open);
    PRINT("SYS_rename", SYS_rename);
    PRINT("SYS_link", SYS_link);
    PRINT("SYS_renameat", SYS_renameat);
    PRINT("SYS_linkat", SYS_linkat);
    PRINT("SYS_renameat2", SYS_renameat2);
    PRINT("SYS_execve", SYS_execve);
    PRINT("SYS_creat", SYS_creat);
    PRINT("SYS_openat", SYS_openat);
    PRINT("SYS_execveat", SYS_execveat);
    PRINT("SYS_openat2", SYS_openat2);
    PRINT("sizeof.open_how", sizeof(struct open_how));
    PRINT("open_how.flags", offsetof(struct open_how, flags));
    PRINT("open_how.mode", offsetof(struct open_how, mode));
    PRINT("open_how.resolve", offsetof(struct open_how, resolve));
    PRINT("sizeof.statfs", sizeof(struct statfs));
    PRINT("statfs.f_type", offsetof(struct statfs, f_type));
    PRINT("EIO", EIO);
    PRINT("POLLOUT", POLLOUT);
    PRINT("F_GETFL", F_GETFL);
    PRINT("TIOCSWINSZ", TIOCSWINSZ);
    PRINT("TIOCGWINSZ", TIOCGWINSZ);
    PRINT("sizeof.winsize", sizeof(struct winsize));
    PRINT("winsize.ws_row", offsetof(struct winsize, ws_row));
    PRINT("winsize.ws_col", offsetof(struct winsize, ws_col));
    PRINT("winsize.ws_xpixel", offsetof(struct winsize, ws_xpixel));
    PRINT("winsize.ws_ypixel", offsetof(struct winsize, ws_ypixel));
    PRINT("CLK_TCK", sysconf(_SC_CLK_TCK));
    return 0;
}
