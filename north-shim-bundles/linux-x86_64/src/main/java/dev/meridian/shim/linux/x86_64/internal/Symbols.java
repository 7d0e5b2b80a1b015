package dev.meridian.shim.linux.x86_64.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The symbolic constants of the x86-64 Linux ABI that traces show by name, as in the kernel's UAPI
 * headers (checked against the installed headers by {@code HeaderConstantsTest}).
 */
final class Symbols {

    private Symbols() {
    }

    // --- files ---

    static final ValueNames OPEN_ACCESS_MODES = new ValueNames()
            .name("O_RDONLY", 0).name("O_WRONLY", 1).name("O_RDWR", 2).name("O_ACCMODE", 3);

    /** {@code O_*} bits without the access mode, in the order strace prints them. */
    static final FlagNames OPEN_FLAGS = new FlagNames()
            .flag("O_CREAT", 0100).flag("O_EXCL", 0200).flag("O_NOCTTY", 0400).flag("O_TRUNC", 01000)
            .flag("O_APPEND", 02000).flag("O_NONBLOCK", 04000).flag("O_SYNC", 04010000)
            .flag("O_DSYNC", 010000).flag("O_ASYNC", 020000).flag("O_DIRECT", 040000)
            .flag("O_LARGEFILE", 0100000).flag("O_NOFOLLOW", 0400000).flag("O_NOATIME", 01000000)
            .flag("O_CLOEXEC", 02000000).flag("O_PATH", 010000000).flag("O_TMPFILE", 020200000)
            .flag("O_DIRECTORY", 0200000);

    static final long O_CREAT = 0100;
    /** The bit of {@code O_TMPFILE} that is not {@code O_DIRECTORY}. */
    static final long O_TMPFILE_BIT = 020000000;

    static final FlagNames AT_FLAGS = atFlags("AT_REMOVEDIR");
    /** {@code faccessat} gives 0x200 another meaning. */
    static final FlagNames AT_FLAGS_ACCESS = atFlags("AT_EACCESS");

    private static FlagNames atFlags(String name0x200) {
        return new FlagNames()
                .flag("AT_SYMLINK_NOFOLLOW", 0x100).flag(name0x200, 0x200).flag("AT_SYMLINK_FOLLOW", 0x400)
                .flag("AT_NO_AUTOMOUNT", 0x800).flag("AT_EMPTY_PATH", 0x1000).flag("AT_STATX_FORCE_SYNC", 0x2000)
                .flag("AT_STATX_DONT_SYNC", 0x4000).flag("AT_RECURSIVE", 0x8000);
    }

    static final int AT_FDCWD = -100;

    static final FlagNames ACCESS_MODES = new FlagNames()
            .flag("R_OK", 4).flag("W_OK", 2).flag("X_OK", 1).zero("F_OK");

    static final ValueNames FILE_TYPES = new ValueNames()
            .name("S_IFSOCK", 0140000).name("S_IFLNK", 0120000).name("S_IFREG", 0100000)
            .name("S_IFBLK", 060000).name("S_IFDIR", 040000).name("S_IFCHR", 020000).name("S_IFIFO", 010000);

    static final ValueNames SEEK_WHENCE = new ValueNames()
            .name("SEEK_SET", 0).name("SEEK_CUR", 1).name("SEEK_END", 2).name("SEEK_DATA", 3).name("SEEK_HOLE", 4);

    static final FlagNames RENAME_FLAGS = new FlagNames()
            .flag("RENAME_NOREPLACE", 1).flag("RENAME_EXCHANGE", 2).flag("RENAME_WHITEOUT", 4);

    static final FlagNames FLOCK_OPS = new FlagNames()
            .flag("LOCK_SH", 1).flag("LOCK_EX", 2).flag("LOCK_NB", 4).flag("LOCK_UN", 8);

    static final FlagNames XATTR_FLAGS = new FlagNames().flag("XATTR_CREATE", 1).flag("XATTR_REPLACE", 2);

    static final FlagNames STATX_MASK = new FlagNames()
            .flag("STATX_BASIC_STATS", 0x7ff).flag("STATX_TYPE", 0x1).flag("STATX_MODE", 0x2)
            .flag("STATX_NLINK", 0x4).flag("STATX_UID", 0x8).flag("STATX_GID", 0x10).flag("STATX_ATIME", 0x20)
            .flag("STATX_MTIME", 0x40).flag("STATX_CTIME", 0x80).flag("STATX_INO", 0x100).flag("STATX_SIZE", 0x200)
            .flag("STATX_BLOCKS", 0x400).flag("STATX_BTIME", 0x800).flag("STATX_MNT_ID", 0x1000)
            .flag("STATX_DIOALIGN", 0x2000).flag("STATX_MNT_ID_UNIQUE", 0x4000).flag("STATX_SUBVOL", 0x8000)
            .flag("STATX_WRITE_ATOMIC", 0x10000).flag("STATX_DIO_READ_ALIGN", 0x20000);

    static final ValueNames FADVISE_ADVICE = new ValueNames()
            .name("POSIX_FADV_NORMAL", 0).name("POSIX_FADV_RANDOM", 1).name("POSIX_FADV_SEQUENTIAL", 2)
            .name("POSIX_FADV_WILLNEED", 3).name("POSIX_FADV_DONTNEED", 4).name("POSIX_FADV_NOREUSE", 5);

    static final FlagNames FALLOC_FLAGS = new FlagNames()
            .flag("FALLOC_FL_KEEP_SIZE", 0x1).flag("FALLOC_FL_PUNCH_HOLE", 0x2).flag("FALLOC_FL_NO_HIDE_STALE", 0x4)
            .flag("FALLOC_FL_COLLAPSE_RANGE", 0x8).flag("FALLOC_FL_ZERO_RANGE", 0x10)
            .flag("FALLOC_FL_INSERT_RANGE", 0x20).flag("FALLOC_FL_UNSHARE_RANGE", 0x40)
            .flag("FALLOC_FL_WRITE_ZEROES", 0x80);

    static final FlagNames SPLICE_FLAGS = new FlagNames()
            .flag("SPLICE_F_MOVE", 1).flag("SPLICE_F_NONBLOCK", 2).flag("SPLICE_F_MORE", 4).flag("SPLICE_F_GIFT", 8);

    static final FlagNames MOUNT_FLAGS = new FlagNames()
            .flag("MS_RDONLY", 1).flag("MS_NOSUID", 2).flag("MS_NODEV", 4).flag("MS_NOEXEC", 8)
            .flag("MS_SYNCHRONOUS", 16).flag("MS_REMOUNT", 32).flag("MS_MANDLOCK", 64).flag("MS_DIRSYNC", 128)
            .flag("MS_NOSYMFOLLOW", 256).flag("MS_NOATIME", 1024).flag("MS_NODIRATIME", 2048).flag("MS_BIND", 4096)
            .flag("MS_MOVE", 8192).flag("MS_REC", 16384).flag("MS_SILENT", 32768).flag("MS_POSIXACL", 1 << 16)
            .flag("MS_UNBINDABLE", 1 << 17).flag("MS_PRIVATE", 1 << 18).flag("MS_SLAVE", 1 << 19)
            .flag("MS_SHARED", 1 << 20).flag("MS_RELATIME", 1 << 21).flag("MS_KERNMOUNT", 1 << 22)
            .flag("MS_I_VERSION", 1 << 23).flag("MS_STRICTATIME", 1 << 24).flag("MS_LAZYTIME", 1 << 25)
            .flag("MS_MGC_VAL", 0xC0ED0000L);

    static final FlagNames UMOUNT_FLAGS = new FlagNames()
            .flag("MNT_FORCE", 1).flag("MNT_DETACH", 2).flag("MNT_EXPIRE", 4).flag("UMOUNT_NOFOLLOW", 8);

    static final FlagNames RESOLVE_FLAGS = new FlagNames()
            .flag("RESOLVE_NO_XDEV", 0x1).flag("RESOLVE_NO_MAGICLINKS", 0x2).flag("RESOLVE_NO_SYMLINKS", 0x4)
            .flag("RESOLVE_BENEATH", 0x8).flag("RESOLVE_IN_ROOT", 0x10).flag("RESOLVE_CACHED", 0x20);

    static final FlagNames INOTIFY_MASK = new FlagNames()
            .flag("IN_ACCESS", 0x1).flag("IN_MODIFY", 0x2).flag("IN_ATTRIB", 0x4).flag("IN_CLOSE_WRITE", 0x8)
            .flag("IN_CLOSE_NOWRITE", 0x10).flag("IN_OPEN", 0x20).flag("IN_MOVED_FROM", 0x40)
            .flag("IN_MOVED_TO", 0x80).flag("IN_CREATE", 0x100).flag("IN_DELETE", 0x200)
            .flag("IN_DELETE_SELF", 0x400).flag("IN_MOVE_SELF", 0x800).flag("IN_UNMOUNT", 0x2000)
            .flag("IN_Q_OVERFLOW", 0x4000).flag("IN_IGNORED", 0x8000).flag("IN_ONLYDIR", 0x1000000)
            .flag("IN_DONT_FOLLOW", 0x2000000).flag("IN_EXCL_UNLINK", 0x4000000).flag("IN_MASK_CREATE", 0x10000000)
            .flag("IN_MASK_ADD", 0x20000000).flag("IN_ISDIR", 0x40000000).flag("IN_ONESHOT", 0x80000000L);

    // --- file descriptors ---

    static final ValueNames FCNTL_COMMANDS = new ValueNames()
            .name("F_DUPFD", 0).name("F_GETFD", 1).name("F_SETFD", 2).name("F_GETFL", 3).name("F_SETFL", 4)
            .name("F_GETLK", 5).name("F_SETLK", 6).name("F_SETLKW", 7).name("F_SETOWN", 8).name("F_GETOWN", 9)
            .name("F_SETSIG", 10).name("F_GETSIG", 11).name("F_SETOWN_EX", 15).name("F_GETOWN_EX", 16)
            .name("F_GETOWNER_UIDS", 17).name("F_OFD_GETLK", 36).name("F_OFD_SETLK", 37).name("F_OFD_SETLKW", 38)
            .name("F_SETLEASE", 1024).name("F_GETLEASE", 1025).name("F_NOTIFY", 1026).name("F_DUPFD_QUERY", 1027)
            .name("F_CREATED_QUERY", 1028).name("F_DUPFD_CLOEXEC", 1030).name("F_SETPIPE_SZ", 1031)
            .name("F_GETPIPE_SZ", 1032).name("F_ADD_SEALS", 1033).name("F_GET_SEALS", 1034)
            .name("F_GET_RW_HINT", 1035).name("F_SET_RW_HINT", 1036).name("F_GET_FILE_RW_HINT", 1037)
            .name("F_SET_FILE_RW_HINT", 1038);

    static final FlagNames FD_FLAGS = new FlagNames().flag("FD_CLOEXEC", 1);

    static final ValueNames LOCK_TYPES = new ValueNames().name("F_RDLCK", 0).name("F_WRLCK", 1).name("F_UNLCK", 2);

    static final FlagNames SEALS = new FlagNames()
            .flag("F_SEAL_SEAL", 0x1).flag("F_SEAL_SHRINK", 0x2).flag("F_SEAL_GROW", 0x4).flag("F_SEAL_WRITE", 0x8)
            .flag("F_SEAL_FUTURE_WRITE", 0x10).flag("F_SEAL_EXEC", 0x20);

    static final FlagNames DNOTIFY_FLAGS = new FlagNames()
            .flag("DN_ACCESS", 0x1).flag("DN_MODIFY", 0x2).flag("DN_CREATE", 0x4).flag("DN_DELETE", 0x8)
            .flag("DN_RENAME", 0x10).flag("DN_ATTRIB", 0x20).flag("DN_MULTISHOT", 0x80000000L);

    static final FlagNames EPOLL_FLAGS = new FlagNames().flag("EPOLL_CLOEXEC", 02000000);
    static final ValueNames EPOLL_CTL_OPS = new ValueNames()
            .name("EPOLL_CTL_ADD", 1).name("EPOLL_CTL_DEL", 2).name("EPOLL_CTL_MOD", 3);
    static final FlagNames EVENTFD_FLAGS = new FlagNames()
            .flag("EFD_SEMAPHORE", 1).flag("EFD_NONBLOCK", 04000).flag("EFD_CLOEXEC", 02000000);
    static final FlagNames INOTIFY_FLAGS = new FlagNames().flag("IN_NONBLOCK", 04000).flag("IN_CLOEXEC", 02000000);
    static final FlagNames TIMERFD_FLAGS = new FlagNames().flag("TFD_NONBLOCK", 04000).flag("TFD_CLOEXEC", 02000000);
    static final FlagNames TIMERFD_SETTIME_FLAGS = new FlagNames()
            .flag("TFD_TIMER_ABSTIME", 1).flag("TFD_TIMER_CANCEL_ON_SET", 2);
    static final FlagNames SIGNALFD_FLAGS = new FlagNames().flag("SFD_NONBLOCK", 04000).flag("SFD_CLOEXEC", 02000000);
    static final FlagNames MEMFD_FLAGS = new FlagNames()
            .flag("MFD_CLOEXEC", 1).flag("MFD_ALLOW_SEALING", 2).flag("MFD_HUGETLB", 4).flag("MFD_NOEXEC_SEAL", 8)
            .flag("MFD_EXEC", 0x10);
    static final FlagNames CLOSE_RANGE_FLAGS = new FlagNames()
            .flag("CLOSE_RANGE_UNSHARE", 2).flag("CLOSE_RANGE_CLOEXEC", 4);

    static final ValueNames IOCTL_REQUESTS = new ValueNames()
            .name("TCGETS", 0x5401).name("TCSETS", 0x5402).name("TCSETSW", 0x5403).name("TCSETSF", 0x5404)
            .name("TCGETA", 0x5405).name("TCSETA", 0x5406).name("TCSETAW", 0x5407).name("TCSETAF", 0x5408)
            .name("TCSBRK", 0x5409).name("TCXONC", 0x540A).name("TCFLSH", 0x540B).name("TIOCEXCL", 0x540C)
            .name("TIOCNXCL", 0x540D).name("TIOCSCTTY", 0x540E).name("TIOCGPGRP", 0x540F).name("TIOCSPGRP", 0x5410)
            .name("TIOCOUTQ", 0x5411).name("TIOCSTI", 0x5412).name("TIOCGWINSZ", 0x5413).name("TIOCSWINSZ", 0x5414)
            .name("TIOCMGET", 0x5415).name("TIOCMBIS", 0x5416).name("TIOCMBIC", 0x5417).name("TIOCMSET", 0x5418)
            .name("TIOCGSOFTCAR", 0x5419).name("TIOCSSOFTCAR", 0x541A).name("FIONREAD", 0x541B)
            .name("TIOCLINUX", 0x541C).name("TIOCCONS", 0x541D).name("TIOCGSERIAL", 0x541E)
            .name("TIOCSSERIAL", 0x541F).name("TIOCPKT", 0x5420).name("FIONBIO", 0x5421).name("TIOCNOTTY", 0x5422)
            .name("TIOCSETD", 0x5423).name("TIOCGETD", 0x5424).name("TCSBRKP", 0x5425).name("TIOCSBRK", 0x5427)
            .name("TIOCCBRK", 0x5428).name("TIOCGSID", 0x5429).name("TCGETS2", 0x802C542AL)
            .name("TCSETS2", 0x402C542BL).name("TCSETSW2", 0x402C542CL).name("TCSETSF2", 0x402C542DL)
            .name("TIOCGPTN", 0x80045430L).name("TIOCSPTLCK", 0x40045431L).name("TIOCGDEV", 0x80045432L)
            .name("TIOCGPKT", 0x80045438L).name("TIOCGPTLCK", 0x80045439L).name("TIOCGEXCL", 0x80045440L)
            .name("TIOCGPTPEER", 0x5441).name("FIONCLEX", 0x5450).name("FIOCLEX", 0x5451).name("FIOASYNC", 0x5452)
            .name("TIOCSERGETLSR", 0x5459).name("FIOQSIZE", 0x5460).name("FIOSETOWN", 0x8901)
            .name("SIOCSPGRP", 0x8902).name("FIOGETOWN", 0x8903).name("SIOCGPGRP", 0x8904)
            .name("SIOCATMARK", 0x8905).name("SIOCGIFNAME", 0x8910).name("SIOCGIFCONF", 0x8912)
            .name("SIOCGIFFLAGS", 0x8913).name("SIOCSIFFLAGS", 0x8914).name("SIOCGIFADDR", 0x8915)
            .name("SIOCGIFMTU", 0x8921).name("SIOCGIFHWADDR", 0x8927).name("SIOCGIFINDEX", 0x8933)
            .name("FIBMAP", 1).name("FIGETBSZ", 2).name("BLKSSZGET", 0x1268).name("BLKGETSIZE64", 0x80081272L)
            .name("FS_IOC_GETFLAGS", 0x80086601L).name("FS_IOC_SETFLAGS", 0x40086602L)
            .name("FS_IOC_FIEMAP", 0xC020660BL).name("FICLONE", 0x40049409L).name("FICLONERANGE", 0x4020940DL)
            .name("FIDEDUPERANGE", 0xC0189436L).name("RNDGETENTCNT", 0x80045200L);

    // --- memory ---

    static final FlagNames MMAP_PROT = new FlagNames()
            .flag("PROT_READ", 1).flag("PROT_WRITE", 2).flag("PROT_EXEC", 4).flag("PROT_SEM", 8)
            .flag("PROT_GROWSDOWN", 0x01000000).flag("PROT_GROWSUP", 0x02000000).zero("PROT_NONE");

    /** The sharing type in the low four bits of the mmap flags ({@code MAP_TYPE}). */
    static final ValueNames MMAP_TYPES = new ValueNames()
            .name("MAP_SHARED", 1).name("MAP_PRIVATE", 2).name("MAP_SHARED_VALIDATE", 3).name("MAP_DROPPABLE", 8);
    static final long MAP_TYPE = 0xf;

    static final FlagNames MMAP_FLAGS = new FlagNames()
            .flag("MAP_FIXED", 0x10).flag("MAP_ANONYMOUS", 0x20).flag("MAP_32BIT", 0x40).flag("MAP_GROWSDOWN", 0x100)
            .flag("MAP_DENYWRITE", 0x800).flag("MAP_EXECUTABLE", 0x1000).flag("MAP_LOCKED", 0x2000)
            .flag("MAP_NORESERVE", 0x4000).flag("MAP_POPULATE", 0x8000).flag("MAP_NONBLOCK", 0x10000)
            .flag("MAP_STACK", 0x20000).flag("MAP_HUGETLB", 0x40000).flag("MAP_SYNC", 0x80000)
            .flag("MAP_FIXED_NOREPLACE", 0x100000);
    static final int MAP_HUGE_SHIFT = 26;
    static final long MAP_HUGE_MASK = 0x3f;

    static final FlagNames MREMAP_FLAGS = new FlagNames()
            .flag("MREMAP_MAYMOVE", 1).flag("MREMAP_FIXED", 2).flag("MREMAP_DONTUNMAP", 4);
    static final FlagNames MSYNC_FLAGS = new FlagNames().flag("MS_ASYNC", 1).flag("MS_INVALIDATE", 2).flag("MS_SYNC", 4);
    static final FlagNames MLOCKALL_FLAGS = new FlagNames()
            .flag("MCL_CURRENT", 1).flag("MCL_FUTURE", 2).flag("MCL_ONFAULT", 4);

    static final ValueNames MADVISE_ADVICE = new ValueNames()
            .name("MADV_NORMAL", 0).name("MADV_RANDOM", 1).name("MADV_SEQUENTIAL", 2).name("MADV_WILLNEED", 3)
            .name("MADV_DONTNEED", 4).name("MADV_FREE", 8).name("MADV_REMOVE", 9).name("MADV_DONTFORK", 10)
            .name("MADV_DOFORK", 11).name("MADV_MERGEABLE", 12).name("MADV_UNMERGEABLE", 13)
            .name("MADV_HUGEPAGE", 14).name("MADV_NOHUGEPAGE", 15).name("MADV_DONTDUMP", 16).name("MADV_DODUMP", 17)
            .name("MADV_WIPEONFORK", 18).name("MADV_KEEPONFORK", 19).name("MADV_COLD", 20).name("MADV_PAGEOUT", 21)
            .name("MADV_POPULATE_READ", 22).name("MADV_POPULATE_WRITE", 23).name("MADV_DONTNEED_LOCKED", 24)
            .name("MADV_COLLAPSE", 25).name("MADV_HWPOISON", 100).name("MADV_SOFT_OFFLINE", 101)
            .name("MADV_GUARD_INSTALL", 102).name("MADV_GUARD_REMOVE", 103);

    static final ValueNames MEMBARRIER_COMMANDS = new ValueNames()
            .name("MEMBARRIER_CMD_QUERY", 0).name("MEMBARRIER_CMD_GLOBAL", 1)
            .name("MEMBARRIER_CMD_GLOBAL_EXPEDITED", 2).name("MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED", 4)
            .name("MEMBARRIER_CMD_PRIVATE_EXPEDITED", 8).name("MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED", 16)
            .name("MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE", 32)
            .name("MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE", 64)
            .name("MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ", 128)
            .name("MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ", 256)
            .name("MEMBARRIER_CMD_GET_REGISTRATIONS", 512);

    // --- processes ---

    /** {@code CLONE_*} bits above the exit-signal byte, in value order. */
    static final FlagNames CLONE_FLAGS = cloneFlags(new FlagNames());
    /** {@code unshare}, {@code setns} and {@code clone3} also know {@code CLONE_NEWTIME} in the low byte. */
    static final FlagNames NAMESPACE_FLAGS = cloneFlags(new FlagNames().flag("CLONE_NEWTIME", 0x80));
    static final long CLONE_EXIT_SIGNAL = 0xff;
    static final long CLONE_PIDFD = 0x1000;
    static final long CLONE_SETTLS = 0x80000;
    static final long CLONE_PARENT_SETTID = 0x100000;
    static final long CLONE_CHILD_CLEARTID = 0x200000;
    static final long CLONE_CHILD_SETTID = 0x1000000;
    static final long CLONE_INTO_CGROUP = 0x200000000L;
    /** {@code struct clone_args} up to {@code tls}, {@code set_tid_size} and {@code cgroup}. */
    static final int CLONE_ARGS_SIZE_VER0 = 64;
    static final int CLONE_ARGS_SIZE_VER1 = 80;
    static final int CLONE_ARGS_SIZE_VER2 = 88;

    private static FlagNames cloneFlags(FlagNames flags) {
        return flags
                .flag("CLONE_VM", 0x100).flag("CLONE_FS", 0x200).flag("CLONE_FILES", 0x400)
                .flag("CLONE_SIGHAND", 0x800).flag("CLONE_PIDFD", 0x1000).flag("CLONE_PTRACE", 0x2000)
                .flag("CLONE_VFORK", 0x4000).flag("CLONE_PARENT", 0x8000).flag("CLONE_THREAD", 0x10000)
                .flag("CLONE_NEWNS", 0x20000).flag("CLONE_SYSVSEM", 0x40000).flag("CLONE_SETTLS", 0x80000)
                .flag("CLONE_PARENT_SETTID", 0x100000).flag("CLONE_CHILD_CLEARTID", 0x200000)
                .flag("CLONE_DETACHED", 0x400000).flag("CLONE_UNTRACED", 0x800000)
                .flag("CLONE_CHILD_SETTID", 0x1000000).flag("CLONE_NEWCGROUP", 0x2000000)
                .flag("CLONE_NEWUTS", 0x4000000).flag("CLONE_NEWIPC", 0x8000000).flag("CLONE_NEWUSER", 0x10000000)
                .flag("CLONE_NEWPID", 0x20000000).flag("CLONE_NEWNET", 0x40000000).flag("CLONE_IO", 0x80000000L)
                .flag("CLONE_CLEAR_SIGHAND", 0x100000000L).flag("CLONE_INTO_CGROUP", 0x200000000L);
    }

    static final FlagNames WAIT_OPTIONS = new FlagNames()
            .flag("WNOHANG", 1).flag("WUNTRACED", 2).flag("WEXITED", 4).flag("WCONTINUED", 8)
            .flag("WNOWAIT", 0x1000000).flag("__WNOTHREAD", 0x20000000).flag("__WALL", 0x40000000)
            .flag("__WCLONE", 0x80000000L);

    static final ValueNames IDTYPES = new ValueNames()
            .name("P_ALL", 0).name("P_PID", 1).name("P_PGID", 2).name("P_PIDFD", 3);

    static final ValueNames PRIO_WHICH = new ValueNames()
            .name("PRIO_PROCESS", 0).name("PRIO_PGRP", 1).name("PRIO_USER", 2);

    static final ValueNames SCHED_POLICIES = new ValueNames()
            .name("SCHED_OTHER", 0).name("SCHED_FIFO", 1).name("SCHED_RR", 2).name("SCHED_BATCH", 3)
            .name("SCHED_ISO", 4).name("SCHED_IDLE", 5).name("SCHED_DEADLINE", 6).name("SCHED_EXT", 7);
    static final long SCHED_RESET_ON_FORK = 0x40000000;

    static final ValueNames RLIMIT_RESOURCES = new ValueNames()
            .name("RLIMIT_CPU", 0).name("RLIMIT_FSIZE", 1).name("RLIMIT_DATA", 2).name("RLIMIT_STACK", 3)
            .name("RLIMIT_CORE", 4).name("RLIMIT_RSS", 5).name("RLIMIT_NPROC", 6).name("RLIMIT_NOFILE", 7)
            .name("RLIMIT_MEMLOCK", 8).name("RLIMIT_AS", 9).name("RLIMIT_LOCKS", 10).name("RLIMIT_SIGPENDING", 11)
            .name("RLIMIT_MSGQUEUE", 12).name("RLIMIT_NICE", 13).name("RLIMIT_RTPRIO", 14).name("RLIMIT_RTTIME", 15);

    static final ValueNames PRCTL_OPTIONS = new ValueNames()
            .name("PR_SET_PDEATHSIG", 1).name("PR_GET_PDEATHSIG", 2).name("PR_GET_DUMPABLE", 3)
            .name("PR_SET_DUMPABLE", 4).name("PR_GET_UNALIGN", 5).name("PR_SET_UNALIGN", 6)
            .name("PR_GET_KEEPCAPS", 7).name("PR_SET_KEEPCAPS", 8).name("PR_GET_FPEMU", 9).name("PR_SET_FPEMU", 10)
            .name("PR_GET_FPEXC", 11).name("PR_SET_FPEXC", 12).name("PR_GET_TIMING", 13).name("PR_SET_TIMING", 14)
            .name("PR_SET_NAME", 15).name("PR_GET_NAME", 16).name("PR_GET_ENDIAN", 19).name("PR_SET_ENDIAN", 20)
            .name("PR_GET_SECCOMP", 21).name("PR_SET_SECCOMP", 22).name("PR_CAPBSET_READ", 23)
            .name("PR_CAPBSET_DROP", 24).name("PR_GET_TSC", 25).name("PR_SET_TSC", 26)
            .name("PR_GET_SECUREBITS", 27).name("PR_SET_SECUREBITS", 28).name("PR_SET_TIMERSLACK", 29)
            .name("PR_GET_TIMERSLACK", 30).name("PR_TASK_PERF_EVENTS_DISABLE", 31)
            .name("PR_TASK_PERF_EVENTS_ENABLE", 32).name("PR_MCE_KILL", 33).name("PR_MCE_KILL_GET", 34)
            .name("PR_SET_MM", 35).name("PR_SET_CHILD_SUBREAPER", 36).name("PR_GET_CHILD_SUBREAPER", 37)
            .name("PR_SET_NO_NEW_PRIVS", 38).name("PR_GET_NO_NEW_PRIVS", 39).name("PR_GET_TID_ADDRESS", 40)
            .name("PR_SET_THP_DISABLE", 41).name("PR_GET_THP_DISABLE", 42).name("PR_MPX_ENABLE_MANAGEMENT", 43)
            .name("PR_MPX_DISABLE_MANAGEMENT", 44).name("PR_SET_FP_MODE", 45).name("PR_GET_FP_MODE", 46)
            .name("PR_CAP_AMBIENT", 47).name("PR_SVE_SET_VL", 50).name("PR_SVE_GET_VL", 51)
            .name("PR_GET_SPECULATION_CTRL", 52).name("PR_SET_SPECULATION_CTRL", 53).name("PR_PAC_RESET_KEYS", 54)
            .name("PR_SET_TAGGED_ADDR_CTRL", 55).name("PR_GET_TAGGED_ADDR_CTRL", 56).name("PR_SET_IO_FLUSHER", 57)
            .name("PR_GET_IO_FLUSHER", 58).name("PR_SET_SYSCALL_USER_DISPATCH", 59)
            .name("PR_PAC_SET_ENABLED_KEYS", 60).name("PR_PAC_GET_ENABLED_KEYS", 61).name("PR_SCHED_CORE", 62)
            .name("PR_SME_SET_VL", 63).name("PR_SME_GET_VL", 64).name("PR_SET_MDWE", 65).name("PR_GET_MDWE", 66)
            .name("PR_SET_MEMORY_MERGE", 67).name("PR_GET_MEMORY_MERGE", 68).name("PR_RISCV_V_SET_CONTROL", 69)
            .name("PR_RISCV_V_GET_CONTROL", 70).name("PR_RISCV_SET_ICACHE_FLUSH_CTX", 71)
            .name("PR_PPC_GET_DEXCR", 72).name("PR_PPC_SET_DEXCR", 73).name("PR_GET_SHADOW_STACK_STATUS", 74)
            .name("PR_SET_SHADOW_STACK_STATUS", 75).name("PR_LOCK_SHADOW_STACK_STATUS", 76)
            .name("PR_TIMER_CREATE_RESTORE_IDS", 77).name("PR_FUTEX_HASH", 78)
            .name("PR_GET_AUXV", 0x41555856).name("PR_SET_VMA", 0x53564d41).name("PR_SET_PTRACER", 0x59616d61);

    static final ValueNames ARCH_PRCTL_CODES = new ValueNames()
            .name("ARCH_SET_GS", 0x1001).name("ARCH_SET_FS", 0x1002).name("ARCH_GET_FS", 0x1003)
            .name("ARCH_GET_GS", 0x1004).name("ARCH_GET_CPUID", 0x1011).name("ARCH_SET_CPUID", 0x1012)
            .name("ARCH_GET_XCOMP_SUPP", 0x1021).name("ARCH_GET_XCOMP_PERM", 0x1022)
            .name("ARCH_REQ_XCOMP_PERM", 0x1023).name("ARCH_GET_XCOMP_GUEST_PERM", 0x1024)
            .name("ARCH_REQ_XCOMP_GUEST_PERM", 0x1025).name("ARCH_MAP_VDSO_X32", 0x2001)
            .name("ARCH_MAP_VDSO_32", 0x2002).name("ARCH_MAP_VDSO_64", 0x2003).name("ARCH_GET_UNTAG_MASK", 0x4001)
            .name("ARCH_ENABLE_TAGGED_ADDR", 0x4002).name("ARCH_GET_MAX_TAG_BITS", 0x4003)
            .name("ARCH_FORCE_TAGGED_SVA", 0x4004).name("ARCH_SHSTK_ENABLE", 0x5001)
            .name("ARCH_SHSTK_DISABLE", 0x5002).name("ARCH_SHSTK_LOCK", 0x5003).name("ARCH_SHSTK_UNLOCK", 0x5004)
            .name("ARCH_SHSTK_STATUS", 0x5005);

    static final ValueNames PTRACE_REQUESTS = new ValueNames()
            .name("PTRACE_TRACEME", 0).name("PTRACE_PEEKTEXT", 1).name("PTRACE_PEEKDATA", 2)
            .name("PTRACE_PEEKUSR", 3).name("PTRACE_POKETEXT", 4).name("PTRACE_POKEDATA", 5)
            .name("PTRACE_POKEUSR", 6).name("PTRACE_CONT", 7).name("PTRACE_KILL", 8).name("PTRACE_SINGLESTEP", 9)
            .name("PTRACE_GETREGS", 12).name("PTRACE_SETREGS", 13).name("PTRACE_GETFPREGS", 14)
            .name("PTRACE_SETFPREGS", 15).name("PTRACE_ATTACH", 16).name("PTRACE_DETACH", 17)
            .name("PTRACE_GETFPXREGS", 18).name("PTRACE_SETFPXREGS", 19).name("PTRACE_SYSCALL", 24)
            .name("PTRACE_GET_THREAD_AREA", 25).name("PTRACE_SET_THREAD_AREA", 26).name("PTRACE_ARCH_PRCTL", 30)
            .name("PTRACE_SYSEMU", 31).name("PTRACE_SYSEMU_SINGLESTEP", 32).name("PTRACE_SINGLEBLOCK", 33)
            .name("PTRACE_SETOPTIONS", 0x4200).name("PTRACE_GETEVENTMSG", 0x4201)
            .name("PTRACE_GETSIGINFO", 0x4202).name("PTRACE_SETSIGINFO", 0x4203).name("PTRACE_GETREGSET", 0x4204)
            .name("PTRACE_SETREGSET", 0x4205).name("PTRACE_SEIZE", 0x4206).name("PTRACE_INTERRUPT", 0x4207)
            .name("PTRACE_LISTEN", 0x4208).name("PTRACE_PEEKSIGINFO", 0x4209).name("PTRACE_GETSIGMASK", 0x420a)
            .name("PTRACE_SETSIGMASK", 0x420b).name("PTRACE_SECCOMP_GET_FILTER", 0x420c)
            .name("PTRACE_SECCOMP_GET_METADATA", 0x420d).name("PTRACE_GET_SYSCALL_INFO", 0x420e)
            .name("PTRACE_GET_RSEQ_CONFIGURATION", 0x420f)
            .name("PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG", 0x4210)
            .name("PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG", 0x4211).name("PTRACE_SET_SYSCALL_INFO", 0x4212);

    static final ValueNames SECCOMP_OPERATIONS = new ValueNames()
            .name("SECCOMP_SET_MODE_STRICT", 0).name("SECCOMP_SET_MODE_FILTER", 1)
            .name("SECCOMP_GET_ACTION_AVAIL", 2).name("SECCOMP_GET_NOTIF_SIZES", 3);

    // --- futexes ---

    static final ValueNames FUTEX_COMMANDS = new ValueNames()
            .name("FUTEX_WAIT", 0).name("FUTEX_WAKE", 1).name("FUTEX_FD", 2).name("FUTEX_REQUEUE", 3)
            .name("FUTEX_CMP_REQUEUE", 4).name("FUTEX_WAKE_OP", 5).name("FUTEX_LOCK_PI", 6)
            .name("FUTEX_UNLOCK_PI", 7).name("FUTEX_TRYLOCK_PI", 8).name("FUTEX_WAIT_BITSET", 9)
            .name("FUTEX_WAKE_BITSET", 10).name("FUTEX_WAIT_REQUEUE_PI", 11).name("FUTEX_CMP_REQUEUE_PI", 12)
            .name("FUTEX_LOCK_PI2", 13);
    static final int FUTEX_PRIVATE_FLAG = 128;
    static final int FUTEX_CLOCK_REALTIME = 256;
    static final int FUTEX_COMMAND_MASK = 127;

    // --- signals and time ---

    static final ValueNames SIGNALS = new ValueNames()
            .name("SIGHUP", 1).name("SIGINT", 2).name("SIGQUIT", 3).name("SIGILL", 4).name("SIGTRAP", 5)
            .name("SIGABRT", 6).name("SIGBUS", 7).name("SIGFPE", 8).name("SIGKILL", 9).name("SIGUSR1", 10)
            .name("SIGSEGV", 11).name("SIGUSR2", 12).name("SIGPIPE", 13).name("SIGALRM", 14).name("SIGTERM", 15)
            .name("SIGSTKFLT", 16).name("SIGCHLD", 17).name("SIGCONT", 18).name("SIGSTOP", 19).name("SIGTSTP", 20)
            .name("SIGTTIN", 21).name("SIGTTOU", 22).name("SIGURG", 23).name("SIGXCPU", 24).name("SIGXFSZ", 25)
            .name("SIGVTALRM", 26).name("SIGPROF", 27).name("SIGWINCH", 28).name("SIGIO", 29).name("SIGPWR", 30)
            .name("SIGSYS", 31);
    /** The kernel's first and last real-time signal; strace shows them as {@code SIGRT_n}. */
    static final int SIGRTMIN = 32;
    static final int SIGRTMAX = 64;

    static final ValueNames SIGPROCMASK_HOW = new ValueNames()
            .name("SIG_BLOCK", 0).name("SIG_UNBLOCK", 1).name("SIG_SETMASK", 2);

    static final ValueNames CLOCKS = new ValueNames()
            .name("CLOCK_REALTIME", 0).name("CLOCK_MONOTONIC", 1).name("CLOCK_PROCESS_CPUTIME_ID", 2)
            .name("CLOCK_THREAD_CPUTIME_ID", 3).name("CLOCK_MONOTONIC_RAW", 4).name("CLOCK_REALTIME_COARSE", 5)
            .name("CLOCK_MONOTONIC_COARSE", 6).name("CLOCK_BOOTTIME", 7).name("CLOCK_REALTIME_ALARM", 8)
            .name("CLOCK_BOOTTIME_ALARM", 9).name("CLOCK_TAI", 11);

    static final FlagNames TIMER_FLAGS = new FlagNames().flag("TIMER_ABSTIME", 1);

    static final ValueNames ITIMERS = new ValueNames()
            .name("ITIMER_REAL", 0).name("ITIMER_VIRTUAL", 1).name("ITIMER_PROF", 2);

    static final FlagNames GETRANDOM_FLAGS = new FlagNames()
            .flag("GRND_NONBLOCK", 1).flag("GRND_RANDOM", 2).flag("GRND_INSECURE", 4);

    // --- System V IPC ---

    static final FlagNames IPC_FLAGS = new FlagNames().flag("IPC_CREAT", 01000).flag("IPC_EXCL", 02000);
    static final ValueNames SHM_COMMANDS = ipcCommands()
            .name("SHM_LOCK", 11).name("SHM_UNLOCK", 12).name("SHM_STAT", 13).name("SHM_INFO", 14)
            .name("SHM_STAT_ANY", 15);
    static final ValueNames SEM_COMMANDS = ipcCommands()
            .name("GETPID", 11).name("GETVAL", 12).name("GETALL", 13).name("GETNCNT", 14).name("GETZCNT", 15)
            .name("SETVAL", 16).name("SETALL", 17).name("SEM_STAT", 18).name("SEM_INFO", 19)
            .name("SEM_STAT_ANY", 20);
    static final ValueNames MSG_COMMANDS = ipcCommands()
            .name("MSG_STAT", 11).name("MSG_INFO", 12).name("MSG_STAT_ANY", 13);
    static final FlagNames SHMAT_FLAGS = new FlagNames()
            .flag("SHM_RDONLY", 010000).flag("SHM_RND", 020000).flag("SHM_REMAP", 040000).flag("SHM_EXEC", 0100000);

    private static ValueNames ipcCommands() {
        return new ValueNames().name("IPC_RMID", 0).name("IPC_SET", 1).name("IPC_STAT", 2).name("IPC_INFO", 3);
    }

    // --- sockets ---

    static final ValueNames ADDRESS_FAMILIES = new ValueNames()
            .name("AF_UNSPEC", 0).name("AF_UNIX", 1).name("AF_INET", 2).name("AF_AX25", 3).name("AF_IPX", 4)
            .name("AF_APPLETALK", 5).name("AF_NETROM", 6).name("AF_BRIDGE", 7).name("AF_ATMPVC", 8)
            .name("AF_X25", 9).name("AF_INET6", 10).name("AF_ROSE", 11).name("AF_DECnet", 12)
            .name("AF_NETBEUI", 13).name("AF_SECURITY", 14).name("AF_KEY", 15).name("AF_NETLINK", 16)
            .name("AF_PACKET", 17).name("AF_ASH", 18).name("AF_ECONET", 19).name("AF_ATMSVC", 20)
            .name("AF_RDS", 21).name("AF_SNA", 22).name("AF_IRDA", 23).name("AF_PPPOX", 24).name("AF_WANPIPE", 25)
            .name("AF_LLC", 26).name("AF_IB", 27).name("AF_MPLS", 28).name("AF_CAN", 29).name("AF_TIPC", 30)
            .name("AF_BLUETOOTH", 31).name("AF_IUCV", 32).name("AF_RXRPC", 33).name("AF_ISDN", 34)
            .name("AF_PHONET", 35).name("AF_IEEE802154", 36).name("AF_CAIF", 37).name("AF_ALG", 38)
            .name("AF_NFC", 39).name("AF_VSOCK", 40).name("AF_KCM", 41).name("AF_QIPCRTR", 42).name("AF_SMC", 43)
            .name("AF_XDP", 44).name("AF_MCTP", 45);
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    static final int AF_PACKET = 17;

    static final ValueNames SOCKET_TYPES = new ValueNames()
            .name("SOCK_STREAM", 1).name("SOCK_DGRAM", 2).name("SOCK_RAW", 3).name("SOCK_RDM", 4)
            .name("SOCK_SEQPACKET", 5).name("SOCK_DCCP", 6).name("SOCK_PACKET", 10);
    static final long SOCK_TYPE_MASK = 0xf;
    static final FlagNames SOCK_FLAGS = new FlagNames().flag("SOCK_CLOEXEC", 02000000).flag("SOCK_NONBLOCK", 04000);

    static final ValueNames IP_PROTOCOLS = new ValueNames()
            .name("IPPROTO_IP", 0).name("IPPROTO_ICMP", 1).name("IPPROTO_IGMP", 2).name("IPPROTO_IPIP", 4)
            .name("IPPROTO_TCP", 6).name("IPPROTO_EGP", 8).name("IPPROTO_PUP", 12).name("IPPROTO_UDP", 17)
            .name("IPPROTO_IDP", 22).name("IPPROTO_TP", 29).name("IPPROTO_DCCP", 33).name("IPPROTO_IPV6", 41)
            .name("IPPROTO_RSVP", 46).name("IPPROTO_GRE", 47).name("IPPROTO_ESP", 50).name("IPPROTO_AH", 51)
            .name("IPPROTO_ICMPV6", 58).name("IPPROTO_MTP", 92).name("IPPROTO_BEETPH", 94)
            .name("IPPROTO_ENCAP", 98).name("IPPROTO_PIM", 103).name("IPPROTO_COMP", 108).name("IPPROTO_L2TP", 115)
            .name("IPPROTO_SCTP", 132).name("IPPROTO_UDPLITE", 136).name("IPPROTO_MPLS", 137)
            .name("IPPROTO_ETHERNET", 143).name("IPPROTO_RAW", 255).name("IPPROTO_MPTCP", 262);

    static final ValueNames NETLINK_PROTOCOLS = new ValueNames()
            .name("NETLINK_ROUTE", 0).name("NETLINK_UNUSED", 1).name("NETLINK_USERSOCK", 2)
            .name("NETLINK_FIREWALL", 3).name("NETLINK_SOCK_DIAG", 4).name("NETLINK_NFLOG", 5)
            .name("NETLINK_XFRM", 6).name("NETLINK_SELINUX", 7).name("NETLINK_ISCSI", 8).name("NETLINK_AUDIT", 9)
            .name("NETLINK_FIB_LOOKUP", 10).name("NETLINK_CONNECTOR", 11).name("NETLINK_NETFILTER", 12)
            .name("NETLINK_IP6_FW", 13).name("NETLINK_DNRTMSG", 14).name("NETLINK_KOBJECT_UEVENT", 15)
            .name("NETLINK_GENERIC", 16).name("NETLINK_SCSITRANSPORT", 18).name("NETLINK_ECRYPTFS", 19)
            .name("NETLINK_RDMA", 20).name("NETLINK_CRYPTO", 21).name("NETLINK_SMC", 22);

    static final ValueNames ETHERNET_PROTOCOLS = new ValueNames()
            .name("ETH_P_ALL", 0x0003).name("ETH_P_IP", 0x0800).name("ETH_P_ARP", 0x0806)
            .name("ETH_P_IPV6", 0x86DD);

    static final FlagNames MSG_FLAGS = new FlagNames()
            .flag("MSG_OOB", 0x1).flag("MSG_PEEK", 0x2).flag("MSG_DONTROUTE", 0x4).flag("MSG_CTRUNC", 0x8)
            .flag("MSG_PROXY", 0x10).flag("MSG_TRUNC", 0x20).flag("MSG_DONTWAIT", 0x40).flag("MSG_EOR", 0x80)
            .flag("MSG_WAITALL", 0x100).flag("MSG_FIN", 0x200).flag("MSG_SYN", 0x400).flag("MSG_CONFIRM", 0x800)
            .flag("MSG_RST", 0x1000).flag("MSG_ERRQUEUE", 0x2000).flag("MSG_NOSIGNAL", 0x4000)
            .flag("MSG_MORE", 0x8000).flag("MSG_WAITFORONE", 0x10000).flag("MSG_BATCH", 0x40000)
            .flag("MSG_SOCK_DEVMEM", 0x2000000).flag("MSG_ZEROCOPY", 0x4000000).flag("MSG_FASTOPEN", 0x20000000)
            .flag("MSG_CMSG_CLOEXEC", 0x40000000);

    static final ValueNames SHUTDOWN_HOW = new ValueNames()
            .name("SHUT_RD", 0).name("SHUT_WR", 1).name("SHUT_RDWR", 2);

    static final ValueNames SOCKET_LEVELS = new ValueNames()
            .name("SOL_IP", 0).name("SOL_SOCKET", 1).name("SOL_TCP", 6).name("SOL_UDP", 17).name("SOL_IPV6", 41)
            .name("SOL_ICMPV6", 58).name("SOL_SCTP", 132).name("SOL_UDPLITE", 136).name("SOL_RAW", 255)
            .name("SOL_PACKET", 263).name("SOL_NETLINK", 270).name("SOL_ALG", 279).name("SOL_TLS", 282)
            .name("SOL_XDP", 283).name("SOL_MPTCP", 284);
    static final int SOL_IP = 0;
    static final int SOL_SOCKET = 1;
    static final int SOL_TCP = 6;
    static final int SOL_IPV6 = 41;

    static final ValueNames SOCKET_OPTIONS = new ValueNames()
            .name("SO_DEBUG", 1).name("SO_REUSEADDR", 2).name("SO_TYPE", 3).name("SO_ERROR", 4)
            .name("SO_DONTROUTE", 5).name("SO_BROADCAST", 6).name("SO_SNDBUF", 7).name("SO_RCVBUF", 8)
            .name("SO_KEEPALIVE", 9).name("SO_OOBINLINE", 10).name("SO_NO_CHECK", 11).name("SO_PRIORITY", 12)
            .name("SO_LINGER", 13).name("SO_BSDCOMPAT", 14).name("SO_REUSEPORT", 15).name("SO_PASSCRED", 16)
            .name("SO_PEERCRED", 17).name("SO_RCVLOWAT", 18).name("SO_SNDLOWAT", 19).name("SO_RCVTIMEO_OLD", 20)
            .name("SO_SNDTIMEO_OLD", 21).name("SO_BINDTODEVICE", 25).name("SO_ATTACH_FILTER", 26)
            .name("SO_DETACH_FILTER", 27).name("SO_PEERNAME", 28).name("SO_TIMESTAMP_OLD", 29)
            .name("SO_ACCEPTCONN", 30).name("SO_PEERSEC", 31).name("SO_SNDBUFFORCE", 32)
            .name("SO_RCVBUFFORCE", 33).name("SO_PASSSEC", 34).name("SO_TIMESTAMPNS_OLD", 35).name("SO_MARK", 36)
            .name("SO_TIMESTAMPING_OLD", 37).name("SO_PROTOCOL", 38).name("SO_DOMAIN", 39).name("SO_RXQ_OVFL", 40)
            .name("SO_WIFI_STATUS", 41).name("SO_PEEK_OFF", 42).name("SO_NOFCS", 43).name("SO_LOCK_FILTER", 44)
            .name("SO_SELECT_ERR_QUEUE", 45).name("SO_BUSY_POLL", 46).name("SO_MAX_PACING_RATE", 47)
            .name("SO_BPF_EXTENSIONS", 48).name("SO_INCOMING_CPU", 49).name("SO_ATTACH_BPF", 50)
            .name("SO_ATTACH_REUSEPORT_CBPF", 51).name("SO_ATTACH_REUSEPORT_EBPF", 52).name("SO_CNX_ADVICE", 53)
            .name("SO_MEMINFO", 55).name("SO_INCOMING_NAPI_ID", 56).name("SO_COOKIE", 57)
            .name("SO_PEERGROUPS", 59).name("SO_ZEROCOPY", 60).name("SO_TXTIME", 61).name("SO_BINDTOIFINDEX", 62)
            .name("SO_TIMESTAMP_NEW", 63).name("SO_TIMESTAMPNS_NEW", 64).name("SO_TIMESTAMPING_NEW", 65)
            .name("SO_RCVTIMEO_NEW", 66).name("SO_SNDTIMEO_NEW", 67).name("SO_DETACH_REUSEPORT_BPF", 68)
            .name("SO_PREFER_BUSY_POLL", 69).name("SO_BUSY_POLL_BUDGET", 70).name("SO_NETNS_COOKIE", 71)
            .name("SO_BUF_LOCK", 72).name("SO_RESERVE_MEM", 73).name("SO_TXREHASH", 74).name("SO_RCVMARK", 75)
            .name("SO_PASSPIDFD", 76).name("SO_PEERPIDFD", 77);

    static final ValueNames TCP_OPTIONS = new ValueNames()
            .name("TCP_NODELAY", 1).name("TCP_MAXSEG", 2).name("TCP_CORK", 3).name("TCP_KEEPIDLE", 4)
            .name("TCP_KEEPINTVL", 5).name("TCP_KEEPCNT", 6).name("TCP_SYNCNT", 7).name("TCP_LINGER2", 8)
            .name("TCP_DEFER_ACCEPT", 9).name("TCP_WINDOW_CLAMP", 10).name("TCP_INFO", 11).name("TCP_QUICKACK", 12)
            .name("TCP_CONGESTION", 13).name("TCP_MD5SIG", 14).name("TCP_THIN_LINEAR_TIMEOUTS", 16)
            .name("TCP_THIN_DUPACK", 17).name("TCP_USER_TIMEOUT", 18).name("TCP_REPAIR", 19)
            .name("TCP_REPAIR_QUEUE", 20).name("TCP_QUEUE_SEQ", 21).name("TCP_REPAIR_OPTIONS", 22)
            .name("TCP_FASTOPEN", 23).name("TCP_TIMESTAMP", 24).name("TCP_NOTSENT_LOWAT", 25)
            .name("TCP_CC_INFO", 26).name("TCP_SAVE_SYN", 27).name("TCP_SAVED_SYN", 28)
            .name("TCP_REPAIR_WINDOW", 29).name("TCP_FASTOPEN_CONNECT", 30).name("TCP_ULP", 31)
            .name("TCP_MD5SIG_EXT", 32).name("TCP_FASTOPEN_KEY", 33).name("TCP_FASTOPEN_NO_COOKIE", 34)
            .name("TCP_ZEROCOPY_RECEIVE", 35).name("TCP_INQ", 36).name("TCP_TX_DELAY", 37);

    static final ValueNames IP_OPTIONS = new ValueNames()
            .name("IP_TOS", 1).name("IP_TTL", 2).name("IP_HDRINCL", 3).name("IP_OPTIONS", 4)
            .name("IP_RECVOPTS", 6).name("IP_RETOPTS", 7).name("IP_PKTINFO", 8).name("IP_MTU_DISCOVER", 10)
            .name("IP_RECVERR", 11).name("IP_RECVTTL", 12).name("IP_RECVTOS", 13).name("IP_MTU", 14)
            .name("IP_FREEBIND", 15).name("IP_TRANSPARENT", 19).name("IP_BIND_ADDRESS_NO_PORT", 24)
            .name("IP_MULTICAST_IF", 32).name("IP_MULTICAST_TTL", 33).name("IP_MULTICAST_LOOP", 34)
            .name("IP_ADD_MEMBERSHIP", 35).name("IP_DROP_MEMBERSHIP", 36);

    static final ValueNames IPV6_OPTIONS = new ValueNames()
            .name("IPV6_UNICAST_HOPS", 16).name("IPV6_MULTICAST_IF", 17).name("IPV6_MULTICAST_HOPS", 18)
            .name("IPV6_MULTICAST_LOOP", 19).name("IPV6_MTU_DISCOVER", 23).name("IPV6_MTU", 24)
            .name("IPV6_RECVERR", 25).name("IPV6_V6ONLY", 26).name("IPV6_RECVPKTINFO", 49)
            .name("IPV6_TCLASS", 67);

    /** Every table, for checking names and values against the C headers. */
    static List<Symbol> all() {
        List<Symbol> all = new ArrayList<>();
        for (ValueNames names : List.of(OPEN_ACCESS_MODES, FILE_TYPES, SEEK_WHENCE, FADVISE_ADVICE, FCNTL_COMMANDS,
                LOCK_TYPES, EPOLL_CTL_OPS, IOCTL_REQUESTS, MMAP_TYPES, MADVISE_ADVICE, MEMBARRIER_COMMANDS, IDTYPES,
                PRIO_WHICH, SCHED_POLICIES, RLIMIT_RESOURCES, PRCTL_OPTIONS, ARCH_PRCTL_CODES, PTRACE_REQUESTS,
                SECCOMP_OPERATIONS, FUTEX_COMMANDS, SIGNALS, SIGPROCMASK_HOW, CLOCKS, ITIMERS, SHM_COMMANDS,
                SEM_COMMANDS, MSG_COMMANDS, ADDRESS_FAMILIES, SOCKET_TYPES, IP_PROTOCOLS, NETLINK_PROTOCOLS,
                ETHERNET_PROTOCOLS, SHUTDOWN_HOW, SOCKET_LEVELS, SOCKET_OPTIONS, TCP_OPTIONS, IP_OPTIONS,
                IPV6_OPTIONS)) {
            all.addAll(names.symbols());
        }
        for (FlagNames flags : List.of(OPEN_FLAGS, AT_FLAGS, AT_FLAGS_ACCESS, ACCESS_MODES, RENAME_FLAGS, FLOCK_OPS,
                XATTR_FLAGS, STATX_MASK, FALLOC_FLAGS, SPLICE_FLAGS, MOUNT_FLAGS, UMOUNT_FLAGS, RESOLVE_FLAGS,
                INOTIFY_MASK, FD_FLAGS, SEALS, DNOTIFY_FLAGS, EPOLL_FLAGS, EVENTFD_FLAGS, INOTIFY_FLAGS,
                TIMERFD_FLAGS, TIMERFD_SETTIME_FLAGS, SIGNALFD_FLAGS, MEMFD_FLAGS, CLOSE_RANGE_FLAGS, MMAP_PROT,
                MMAP_FLAGS, MREMAP_FLAGS, MSYNC_FLAGS, MLOCKALL_FLAGS, NAMESPACE_FLAGS, WAIT_OPTIONS, TIMER_FLAGS,
                GETRANDOM_FLAGS, IPC_FLAGS, SHMAT_FLAGS, SOCK_FLAGS, MSG_FLAGS)) {
            all.addAll(flags.symbols());
        }
        return Collections.unmodifiableList(all);
    }
}
