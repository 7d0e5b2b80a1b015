package dev.meridian.shim.linux.x86_64.internal;

import static dev.meridian.shim.linux.x86_64.internal.Calls.entry;
import static dev.meridian.shim.linux.x86_64.internal.Calls.event;
import static dev.meridian.shim.linux.x86_64.internal.Calls.handled;
import static dev.meridian.shim.linux.x86_64.internal.Calls.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CallRendererTest {

    private static final int AT_FDCWD = -100;
    private static final long O_CLOEXEC = 02000000;

    private final FakeGuestMemory memory = new FakeGuestMemory(64 * 1024);

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static String line(Calls.Entry entry) {
        return entry.render();
    }

    @Nested
    class Files {
        @Test
        void openatAsInTheBrief() {
            assertEquals("openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = ?",
                    render(memory, "openat", AT_FDCWD, memory.putString("/etc/hosts"), O_CLOEXEC, 0777));
        }

        @Test
        void modeIsShownOnlyWhenTheCallCreates() {
            long flags = 1 | 0100 | 01000;
            assertEquals("openat(3, \"out.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4",
                    line(entry(handled(event("openat", 3, memory.putString("out.txt"), flags, 0644), memory))
                            .returned(4)));
            assertEquals("open(\"/tmp/x\", O_RDWR|O_CREAT|O_EXCL, 0600) = ?",
                    render(memory, "open", memory.putString("/tmp/x"), 2 | 0100 | 0200, 0600));
            assertEquals("open(\"/tmp\", O_RDWR|O_TMPFILE, 000) = ?",
                    render(memory, "open", memory.putString("/tmp"), 2 | 020200000, 0));
            assertEquals("open(\"/dir\", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = ?",
                    render(memory, "open", memory.putString("/dir"), 04000 | O_CLOEXEC | 0200000, 0));
        }

        @Test
        void errorsAreShownWithTheirNameAndDescription() {
            assertEquals("access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)",
                    line(entry(handled(event("access", memory.putString("/etc/ld.so.preload"), 4), memory))
                            .returned(-2)));
            assertEquals("access(\"x\", F_OK) = 0",
                    line(entry(handled(event("access", memory.putString("x"), 0), memory)).returned(0)));
            assertEquals("access(\"x\", R_OK|W_OK|X_OK) = -1 ERRNO_512 (Unknown error 512)",
                    line(entry(handled(event("access", memory.putString("x"), 7), memory)).returned(-512)));
        }

        @Test
        void atFlagsAndDirectoryDescriptors() {
            assertEquals("newfstatat(3, \"\", 0x7ffd0000, AT_EMPTY_PATH) = ?",
                    render(memory, "newfstatat", 3, memory.putString(""), 0x7ffd0000L, 0x1000));
            assertEquals("unlinkat(AT_FDCWD, \"dir\", AT_REMOVEDIR) = ?",
                    render(memory, "unlinkat", AT_FDCWD, memory.putString("dir"), 0x200));
            assertEquals("faccessat2(AT_FDCWD, \"x\", X_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = ?",
                    render(memory, "faccessat2", AT_FDCWD, memory.putString("x"), 1, 0x300));
            assertEquals("statx(AT_FDCWD, \"/\", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS|STATX_BTIME, 0x1000) = ?",
                    render(memory, "statx", AT_FDCWD, memory.putString("/"), 0x100, 0xfff, 0x1000));
            assertEquals("renameat2(AT_FDCWD, \"a\", 5, \"b\", RENAME_NOREPLACE) = ?",
                    render(memory, "renameat2", AT_FDCWD, memory.putString("a"), 5, memory.putString("b"), 1));
        }

        @Test
        void modesAndDevices() {
            assertEquals("mknod(\"/dev/null2\", S_IFCHR|0666, makedev(0x1, 0x3)) = ?",
                    render(memory, "mknod", memory.putString("/dev/null2"), 020666, 0x103));
            assertEquals("chmod(\"x\", 04755) = ?", render(memory, "chmod", memory.putString("x"), 04755));
            assertEquals("umask(022) = ?", render(memory, "umask", 022));
            assertEquals("mkdirat(AT_FDCWD, \"d\", 000) = ?", render(memory, "mkdirat", AT_FDCWD, memory.putString("d"), 0));
        }

        @Test
        void fcntlShowsTheArgumentItsCommandTakes() {
            assertEquals("fcntl(3, F_GETFL) = 32770",
                    line(entry(handled(event("fcntl", 3, 3, 0x7fff), memory)).returned(0x8002)));
            assertEquals("fcntl(3, F_SETFD, FD_CLOEXEC) = ?", render(memory, "fcntl", 3, 2, 1));
            assertEquals("fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = ?", render(memory, "fcntl", 3, 4, 04000));
            assertEquals("fcntl(3, F_DUPFD_CLOEXEC, 10) = ?", render(memory, "fcntl", 3, 1030, 10));
            assertEquals("fcntl(3, F_SETLKW, 0x7ffc1000) = ?", render(memory, "fcntl", 3, 7, 0x7ffc1000L));
            assertEquals("fcntl(3, F_ADD_SEALS, F_SEAL_SHRINK|F_SEAL_GROW) = ?", render(memory, "fcntl", 3, 1033, 6));
        }

        @Test
        void descriptorsAndOffsets() {
            assertEquals("lseek(3, 0, SEEK_END) = 1234",
                    line(entry(handled(event("lseek", 3, 0, 2), memory)).returned(1234)));
            assertEquals("pread64(3, 0x7f0000001000, 832, 64) = ?",
                    render(memory, "pread64", 3, 0x7f0000001000L, 832, 64));
            assertEquals("pipe2(0x7ffd0010, O_CLOEXEC) = ?", render(memory, "pipe2", 0x7ffd0010L, O_CLOEXEC));
            assertEquals("dup3(3, 1, O_CLOEXEC) = ?", render(memory, "dup3", 3, 1, O_CLOEXEC));
            assertEquals("dup2(4, 0) = ?", render(memory, "dup2", 4, 0));
            assertEquals("close_range(3, 4294967295, CLOSE_RANGE_CLOEXEC) = ?", render(memory, "close_range", 3, -1, 4));
            assertEquals("preadv2(3, 0x7f0000002000, 1, 100, 0x8) = ?",
                    render(memory, "preadv2", 3, 0x7f0000002000L, 1, 100, 0, 8));
        }

        @Test
        void ioctlRequestsByNameOrByTheirFields() {
            assertEquals("ioctl(1, TCGETS, 0x7ffd2000) = ?", render(memory, "ioctl", 1, 0x5401, 0x7ffd2000L));
            assertEquals("ioctl(1, TIOCGWINSZ, 0x7ffd2000) = ?", render(memory, "ioctl", 1, 0x5413, 0x7ffd2000L));
            assertEquals("ioctl(4, FIONBIO, 0x7ffd2000) = ?", render(memory, "ioctl", 4, 0x5421, 0x7ffd2000L));
            assertEquals("ioctl(5, _IOC(_IOC_READ, 0x99, 0x1, 0x8), 0) = ?", render(memory, "ioctl", 5, 0x80089901L, 0));
        }

        @Test
        void stringsAreEscapedAsInC() {
            long path = memory.put(bytes('a', '"', 'b', '\\', '\n', '\t', 1, '7', 0xff, 'z', 0));
            assertEquals("unlink(\"a\\\"b\\\\\\n\\t\\0017\\377z\") = ?", render(memory, "unlink", path));
        }

        @Test
        void anUnreadablePathIsShownAsItsAddress() {
            long unreadable = memory.end() + 0x40;
            assertEquals("openat(AT_FDCWD, " + hex(unreadable) + ", O_RDONLY) = ?",
                    render(memory, "openat", AT_FDCWD, unreadable, 0, 0));
            assertEquals("chdir(NULL) = ?", render(memory, "chdir", 0));
        }

        @Test
        void truncatedPathsEndInDots() {
            String longPath = "/" + "a".repeat(5000);
            String shown = render(memory, "chdir", memory.putString(longPath));
            assertEquals("chdir(\"" + longPath.substring(0, 4096) + "\"...) = ?", shown);
        }

        @Test
        void xattrsAndMounts() {
            assertEquals("setxattr(\"/f\", \"user.k\", \"v1\", 2, XATTR_CREATE) = ?",
                    render(memory, "setxattr", memory.putString("/f"), memory.putString("user.k"),
                            memory.put("v1".getBytes(StandardCharsets.US_ASCII)), 2, 1));
            assertEquals("mount(\"none\", \"/mnt\", \"tmpfs\", MS_NOSUID|MS_NODEV, NULL) = ?",
                    render(memory, "mount", memory.putString("none"), memory.putString("/mnt"), memory.putString("tmpfs"),
                            6, 0));
            assertEquals("umount2(\"/mnt\", MNT_DETACH) = ?", render(memory, "umount2", memory.putString("/mnt"), 2));
        }

        @Test
        void openat2ShowsItsHow() {
            ByteBuffer how = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            how.putLong(O_CLOEXEC).putLong(0).putLong(0x4 | 0x8);
            assertEquals("openat2(AT_FDCWD, \"/etc\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS|"
                    + "RESOLVE_BENEATH}, 24) = ?",
                    render(memory, "openat2", AT_FDCWD, memory.putString("/etc"), memory.put(how.array()), 24));
            ByteBuffer creating = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            creating.putLong(1 | 0100).putLong(0640).putLong(0);
            assertEquals("openat2(3, \"new\", {flags=O_WRONLY|O_CREAT, mode=0640, resolve=0}, 24) = ?",
                    render(memory, "openat2", 3, memory.putString("new"), memory.put(creating.array()), 24));
        }
    }

    @Nested
    class Processes {
        @Test
        void execveShowsArgvAndCountsTheEnvironment() {
            long envp = memory.putStringArray("HOME=/root", "LANG=C");
            assertEquals("execve(\"/bin/ls\", [\"ls\", \"-l\"], " + hex(envp) + " /* 2 vars */) = 0",
                    line(entry(handled(event("execve", memory.putString("/bin/ls"), memory.putStringArray("ls", "-l"),
                            envp), memory)).returned(0)));
        }

        @Test
        void longArgvEndsInDots() {
            String[] many = new String[40];
            Arrays.fill(many, "x");
            String shown = render(memory, "execve", memory.putString("/bin/echo"), memory.putStringArray(many), 0);
            assertEquals("execve(\"/bin/echo\", [" + "\"x\", ".repeat(32) + "...], NULL) = ?", shown);
            String cut = render(memory, "execve", memory.putString("/bin/echo"),
                    memory.putStringArray("a".repeat(2000)), 0);
            assertEquals("execve(\"/bin/echo\", [\"" + "a".repeat(1024) + "\"..., ...], NULL) = ?", cut);
        }

        @Test
        void execveWithEmptyArgv() {
            assertEquals("execve(\"/bin/true\", [], NULL) = ?",
                    render(memory, "execve", memory.putString("/bin/true"), memory.putStringArray(), 0));
        }

        @Test
        void cloneShowsFlagsThenTheExitSignal() {
            assertEquals("clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f0000003000, 0) = 1234",
                    line(entry(handled(event("clone", 0x1200000 | 17, 0, 0, 0x7f0000003000L, 0), memory))
                            .returned(1234)));
            assertEquals("clone(CLONE_VM|CLONE_VFORK, 0x7f0000004000, NULL, NULL, 0) = ?",
                    render(memory, "clone", 0x4100, 0x7f0000004000L, 0, 0, 0));
        }

        @Test
        void clone3ShowsItsArguments() {
            long flags = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x100000 | 0x200000;
            ByteBuffer args = ByteBuffer.allocate(88).order(ByteOrder.LITTLE_ENDIAN);
            args.putLong(flags).putLong(0).putLong(0x7f00000a0000L).putLong(0x7f00000a0000L).putLong(0)
                    .putLong(0x7f0000090000L).putLong(0x7fff80).putLong(0x7f00000a0640L).putLong(0).putLong(0).putLong(0);
            assertEquals("clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
                    + "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f00000a0000, "
                    + "parent_tid=0x7f00000a0000, exit_signal=0, stack=0x7f0000090000, stack_size=0x7fff80, "
                    + "tls=0x7f00000a0640}, 88) = 4243",
                    line(entry(handled(event("clone3", memory.put(args.array()), 88), memory)).returned(4243)));
        }

        @Test
        void signals() {
            assertEquals("kill(1234, SIGTERM) = 0", line(entry(handled(event("kill", 1234, 15), memory)).returned(0)));
            assertEquals("tgkill(10, 11, SIGRT_2) = ?", render(memory, "tgkill", 10, 11, 34));
            assertEquals("kill(-1, 0) = ?", render(memory, "kill", -1, 0));
            assertEquals("rt_sigprocmask(SIG_BLOCK, 0x7ffd3000, NULL, 8) = ?",
                    render(memory, "rt_sigprocmask", 0, 0x7ffd3000L, 0, 8));
            assertEquals("rt_sigaction(SIGINT, 0x7ffd3000, NULL, 8) = ?",
                    render(memory, "rt_sigaction", 2, 0x7ffd3000L, 0, 8));
        }

        @Test
        void waitAndIds() {
            assertEquals("wait4(-1, 0x7ffd4000, WNOHANG|__WALL, NULL) = ?",
                    render(memory, "wait4", -1, 0x7ffd4000L, 0x40000001, 0));
            assertEquals("waitid(P_PIDFD, 3, 0x7ffd4000, WEXITED, NULL) = ?",
                    render(memory, "waitid", 3, 3, 0x7ffd4000L, 4, 0));
            assertEquals("setresuid(-1, 1000, -1) = ?", render(memory, "setresuid", 0xFFFF_FFFFL, 1000, -1));
            assertEquals("exit_group(0) = ?", render(memory, "exit_group", 0));
        }

        @Test
        void prctlAndArchPrctl() {
            assertEquals("prctl(PR_SET_NO_NEW_PRIVS, 0x1, 0, 0, 0) = ?", render(memory, "prctl", 38, 1, 0, 0, 0));
            assertEquals("arch_prctl(ARCH_SET_FS, 0x7f0000005740) = 0",
                    line(entry(handled(event("arch_prctl", 0x1002, 0x7f0000005740L), memory)).returned(0)));
            assertEquals("prlimit64(0, RLIMIT_STACK, NULL, 0x7ffd5000) = ?",
                    render(memory, "prlimit64", 0, 3, 0, 0x7ffd5000L));
            assertEquals("sched_setscheduler(0, SCHED_FIFO|SCHED_RESET_ON_FORK, 0x7ffd5000) = ?",
                    render(memory, "sched_setscheduler", 0, 0x40000001, 0x7ffd5000L));
            assertEquals("unshare(CLONE_NEWNS|CLONE_NEWUSER) = ?", render(memory, "unshare", 0x20000 | 0x10000000));
        }
    }

    @Nested
    class Memory {
        @Test
        void mmapShowsProtectionFlagsAndAnAddressResult() {
            assertEquals("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1234560000",
                    line(entry(handled(event("mmap", 0, 8192, 3, 0x22, -1, 0), memory)).returned(0x7f1234560000L)));
            assertEquals("mmap(0x7f0000001000, 1409024, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, "
                    + "0x28000) = ?", render(memory, "mmap", 0x7f0000001000L, 1409024, 5, 0x812, 3, 0x28000));
            assertEquals("mmap(NULL, 2097152, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0)"
                    + " = -1 ENOMEM (Cannot allocate memory)", line(entry(handled(event("mmap", 0, 2097152, 0,
                            0x40022 | (21L << 26), -1, 0), memory)).returned(-12)));
        }

        @Test
        void otherMemoryCalls() {
            assertEquals("brk(NULL) = 0x555555559000",
                    line(entry(handled(event("brk", 0), memory)).returned(0x555555559000L)));
            assertEquals("mprotect(0x7f0000006000, 4096, PROT_READ) = ?",
                    render(memory, "mprotect", 0x7f0000006000L, 4096, 1));
            assertEquals("madvise(0x7f0000000000, 4096, MADV_DONTNEED) = ?",
                    render(memory, "madvise", 0x7f0000000000L, 4096, 4));
            assertEquals("mremap(0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE, NULL) = 0x7f0000100000",
                    line(entry(handled(event("mremap", 0x7f0000000000L, 4096, 8192, 1, 0), memory))
                            .returned(0x7f0000100000L)));
            assertEquals("shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600) = ?", render(memory, "shmget", 0, 4096, 01600));
            assertEquals("getrandom(0x7f0000007000, 8, GRND_NONBLOCK) = 8",
                    line(entry(handled(event("getrandom", 0x7f0000007000L, 8, 1), memory)).returned(8)));
        }

        @Test
        void futexShowsOnlyTheArgumentsOfItsOperation() {
            assertEquals("futex(0x7f0000008000, FUTEX_WAKE_PRIVATE, 1) = 0",
                    line(entry(handled(event("futex", 0x7f0000008000L, 129, 1, 0xdead, 0xbeef, 7), memory))
                            .returned(0)));
            assertEquals("futex(0x7f0000008000, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, "
                    + "FUTEX_BITSET_MATCH_ANY) = ?",
                    render(memory, "futex", 0x7f0000008000L, 9 | 128 | 256, 0, 0, 0, 0xFFFF_FFFFL));
            assertEquals("futex(0x7f0000008000, FUTEX_WAIT, 2, 0x7ffd6000) = ?",
                    render(memory, "futex", 0x7f0000008000L, 0, 2, 0x7ffd6000L, 0, 0));
            assertEquals("futex(0x7f0000008000, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2147483647, 0x7f0000008004, 0) = ?",
                    render(memory, "futex", 0x7f0000008000L, 4 | 128, 1, 0x7fffffff, 0x7f0000008004L, 0));
            assertEquals("futex(0x7f0000008000, FUTEX_UNLOCK_PI) = ?",
                    render(memory, "futex", 0x7f0000008000L, 7, 99, 99, 99, 99));
        }
    }

    @Nested
    class Network {
        private byte[] inet(int port, int a, int b, int c, int d) {
            return bytes(2, 0, port >> 8, port & 0xff, a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        private byte[] inet6(int port, int... address) {
            byte[] bytes = new byte[28];
            bytes[0] = 10;
            bytes[2] = (byte) (port >> 8);
            bytes[3] = (byte) port;
            for (int i = 0; i < 16; i++) {
                bytes[8 + i] = (byte) address[i];
            }
            return bytes;
        }

        private byte[] unix(byte[] path) {
            byte[] bytes = new byte[2 + path.length];
            bytes[0] = 1;
            System.arraycopy(path, 0, bytes, 2, path.length);
            return bytes;
        }

        @Test
        void connectToIpv4() {
            assertEquals("connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
                    line(entry(handled(event("connect", 3, memory.put(inet(80, 127, 0, 0, 1)), 16), memory))
                            .returned(0)));
            assertEquals("connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"93.184.216.34\")}, 16)"
                    + " = -1 ECONNREFUSED (Connection refused)",
                    line(entry(handled(event("connect", 3, memory.put(inet(443, 93, 184, 216, 34)), 16), memory))
                            .returned(-111)));
        }

        @Test
        void connectToIpv6() {
            int[] loopback = new int[16];
            loopback[15] = 1;
            assertEquals("connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
                    + "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = ?",
                    render(memory, "connect", 3, memory.put(inet6(443, loopback)), 28));
            assertEquals("inet_pton(AF_INET6, \"2001:db8::8a2e:370:7334\"",
                    ipv6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34));
            assertEquals("inet_pton(AF_INET6, \"::ffff:192.0.2.1\"",
                    ipv6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1));
            assertEquals("inet_pton(AF_INET6, \"fe80::1\"", ipv6(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
            assertEquals("inet_pton(AF_INET6, \"::\"", ipv6(new int[16]));
            assertEquals("inet_pton(AF_INET6, \"1:0:1::\"", ipv6(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        }

        private String ipv6(int... address) {
            String line = render(memory, "connect", 3, memory.put(inet6(80, address)), 28);
            int start = line.indexOf("inet_pton");
            return line.substring(start, line.indexOf(", &sin6_addr"));
        }

        @Test
        void unixSocketsWithPathAndAbstractNames() {
            byte[] path = "/run/dbus/system_bus_socket\0".getBytes(StandardCharsets.US_ASCII);
            assertEquals("connect(4, {sa_family=AF_UNIX, sun_path=\"/run/dbus/system_bus_socket\"}, 30) = ?",
                    render(memory, "connect", 4, memory.put(unix(path)), 2 + path.length));
            byte[] abstractName = "\0/tmp/.X11-unix/X0".getBytes(StandardCharsets.US_ASCII);
            assertEquals("connect(4, {sa_family=AF_UNIX, sun_path=@\"/tmp/.X11-unix/X0\"}, 20) = ?",
                    render(memory, "connect", 4, memory.put(unix(abstractName)), 2 + abstractName.length));
            assertEquals("bind(4, {sa_family=AF_UNIX}, 2) = ?", render(memory, "bind", 4, memory.put(unix(new byte[0])), 2));
        }

        @Test
        void netlinkAndOtherFamilies() {
            byte[] netlink = bytes(16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            assertEquals("bind(3, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = ?",
                    render(memory, "bind", 3, memory.put(netlink), 12));
            assertEquals("bind(3, {sa_family=AF_PACKET, sa_data=\"\\0\\3\"}, 4) = ?",
                    render(memory, "bind", 3, memory.put(bytes(17, 0, 0, 3)), 4));
        }

        @Test
        void sockets() {
            assertEquals("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3",
                    line(entry(handled(event("socket", 2, 1 | O_CLOEXEC, 6), memory)).returned(3)));
            assertEquals("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = ?",
                    render(memory, "socket", 1, 1 | 04000 | O_CLOEXEC, 0));
            assertEquals("socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = ?", render(memory, "socket", 10, 2, 0));
            assertEquals("socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = ?",
                    render(memory, "socket", 16, 3 | O_CLOEXEC, 0));
            assertEquals("socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = ?", render(memory, "socket", 17, 3, 0x0300));
            assertEquals("shutdown(3, SHUT_WR) = ?", render(memory, "shutdown", 3, 1));
            assertEquals("listen(3, 4096) = ?", render(memory, "listen", 3, 4096));
            assertEquals("accept4(3, NULL, NULL, SOCK_CLOEXEC) = ?", render(memory, "accept4", 3, 0, 0, O_CLOEXEC));
        }

        @Test
        void socketOptionsAreNamedByLevel() {
            assertEquals("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, 0x7ffd7000, 4) = ?",
                    render(memory, "setsockopt", 3, 1, 2, 0x7ffd7000L, 4));
            assertEquals("setsockopt(3, SOL_TCP, TCP_NODELAY, 0x7ffd7000, 4) = ?",
                    render(memory, "setsockopt", 3, 6, 1, 0x7ffd7000L, 4));
            assertEquals("getsockopt(3, SOL_IPV6, IPV6_V6ONLY, 0x7ffd7000, 0x7ffd7010) = ?",
                    render(memory, "getsockopt", 3, 41, 26, 0x7ffd7000L, 0x7ffd7010L));
            assertEquals("setsockopt(3, SOL_NETLINK, 11, 0x7ffd7000, 4) = ?",
                    render(memory, "setsockopt", 3, 270, 11, 0x7ffd7000L, 4));
        }

        @Test
        void sendtoShowsDataFlagsAndDestination() {
            byte[] request = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
            assertEquals("sendto(3, \"GET / HTTP/1.1\\r\\n\", 16, MSG_NOSIGNAL, NULL, 0) = 16",
                    line(entry(handled(event("sendto", 3, memory.put(request), 16, 0x4000, 0, 0), memory))
                            .returned(16)));
            assertEquals("sendto(5, \"q\", 1, MSG_DONTWAIT, {sa_family=AF_INET, sin_port=htons(53), "
                    + "sin_addr=inet_addr(\"8.8.8.8\")}, 16) = ?",
                    render(memory, "sendto", 5, memory.put(bytes('q')), 1, 0x40, memory.put(inet(53, 8, 8, 8, 8)), 16));
        }
    }

    @Nested
    class Data {
        @Test
        void writeShowsItsData() {
            assertEquals("write(1, \"hello\\n\", 6) = 6",
                    line(entry(handled(event("write", 1, memory.put("hello\n".getBytes(StandardCharsets.US_ASCII)), 6),
                            memory)).returned(6)));
        }

        @Test
        void longDataIsCutAtTheCaptureBound() {
            byte[] data = new byte[100];
            Arrays.fill(data, (byte) 'x');
            assertEquals("write(2, \"" + "x".repeat(64) + "\"..., 100) = ?",
                    render(memory, "write", 2, memory.put(data), 100));
        }

        @Test
        void binaryDataIsEscapedInOctal() {
            assertEquals("write(3, \"\\177ELF\\2\\1\\1\\0\", 8) = ?",
                    render(memory, "write", 3, memory.put(bytes(0x7f, 'E', 'L', 'F', 2, 1, 1, 0)), 8));
        }

        @Test
        void readShowsTheBufferAddress() {
            assertEquals("read(0, 0x7f0000009000, 4096) = ? <interrupted>",
                    line(entry(handled(event("read", 0, 0x7f0000009000L, 4096), memory)).interrupted()));
        }
    }

    @Nested
    class Outcomes {
        @Test
        void deniedCallsShowTheErrnoAndTheRule() {
            assertEquals("openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY) = -1 EACCES (Permission denied) "
                    + "<denied by default/secrets>",
                    line(entry(handled(event("openat", AT_FDCWD, memory.putString("/etc/shadow"), 0, 0), memory))
                            .denied(13, "default/secrets")));
            assertEquals("ptrace(PTRACE_ATTACH, 1, NULL, 0) = -1 EPERM (Operation not permitted) <denied by strict/ptrace>",
                    line(entry(handled(event("ptrace", 16, 1, 0, 0), memory)).denied(1, "strict/ptrace")));
        }

        @Test
        void killedCallsNameTheRule() {
            assertEquals("io_uring_setup(8, 0x7ffd8000) = ? <killed by strict/io-uring>",
                    line(entry(handled(event("io_uring_setup", 8, 0x7ffd8000L), memory)).killed("strict/io-uring")));
        }

        @Test
        void unknownNumbersShowRawRegisters() {
            assertEquals("syscall_0x190(0x1, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)",
                    line(entry(handled(event(400, 1), memory)).returned(-38)));
            assertEquals("syscall_0x40000001(0x1, 0x7f0000000000, 0x10, 0, 0, 0) = ?",
                    line(entry(handled(event(0x40000001, 1, 0x7f0000000000L, 16), memory))));
        }

        @Test
        void absentCallsHaveNoArguments() {
            assertEquals("afs_syscall() = -1 ENOSYS (Function not implemented)",
                    line(entry(handled(event("afs_syscall", 1, 2, 3), memory)).returned(-38)));
        }

        @Test
        void callsWithoutArguments() {
            assertEquals("getpid() = 4242", line(entry(handled(event("getpid"), memory)).returned(4242)));
        }
    }
}
