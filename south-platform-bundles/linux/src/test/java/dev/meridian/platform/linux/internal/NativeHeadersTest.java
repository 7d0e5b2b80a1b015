package dev.meridian.platform.linux.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kernel constant and struct layout the Java side hard-codes, against the C headers. */
class NativeHeadersTest {

    private static final Map<String, Long> HEADERS = new HashMap<>();

    @BeforeAll
    static void readHeaders() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(NativePrograms.program("seccomp_constants").toString()).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, process.waitFor());
        for (String line : output.split("\n")) {
            String[] parts = line.split(" ");
            HEADERS.put(parts[0], Long.parseLong(parts[1]));
        }
    }

    private static void check(String name, long javaValue) {
        Long headerValue = HEADERS.get(name);
        assertEquals(headerValue, (Long) javaValue, name);
    }

    private static void checkUnsigned(String name, int javaValue) {
        check(name, Integer.toUnsignedLong(javaValue));
    }

    private static void checkLayout(String struct, StructLayout layout, String... fields) {
        check("sizeof." + struct, layout.byteSize());
        for (String field : fields) {
            check(struct + "." + field, layout.byteOffset(groupElement(field)));
        }
    }

    @Test
    void structLayoutsMatchTheKernelHeaders() {
        checkLayout("seccomp_data", LinuxSyscalls.SECCOMP_DATA, "nr", "arch", "instruction_pointer", "args");
        checkLayout("seccomp_notif", LinuxSyscalls.SECCOMP_NOTIF, "id", "pid", "flags", "data");
        checkLayout("seccomp_notif_resp", LinuxSyscalls.SECCOMP_NOTIF_RESP, "id", "val", "error", "flags");
        checkLayout("seccomp_notif_addfd", LinuxSyscalls.SECCOMP_NOTIF_ADDFD,
                "id", "flags", "srcfd", "newfd", "newfd_flags");
        checkLayout("pollfd", LinuxSyscalls.POLLFD, "fd", "events", "revents");
        checkLayout("iovec", LinuxSyscalls.IOVEC, "iov_base", "iov_len");
        check("sizeof.sock_filter", SeccompProgram.INSTRUCTION_BYTES);

        // The offsets the loop reads, derived from the layouts above.
        check("seccomp_notif.id", LinuxSyscalls.NOTIF_ID);
        check("seccomp_notif.pid", LinuxSyscalls.NOTIF_PID);
        assertEquals(HEADERS.get("seccomp_notif.data") + HEADERS.get("seccomp_data.nr"), LinuxSyscalls.NOTIF_NR);
        assertEquals(HEADERS.get("seccomp_notif.data") + HEADERS.get("seccomp_data.arch"), LinuxSyscalls.NOTIF_ARCH);
        assertEquals(HEADERS.get("seccomp_notif.data") + HEADERS.get("seccomp_data.instruction_pointer"),
                LinuxSyscalls.NOTIF_IP);
        assertEquals(HEADERS.get("seccomp_notif.data") + HEADERS.get("seccomp_data.args"), LinuxSyscalls.NOTIF_ARGS);
        check("seccomp_data.nr", LinuxSyscalls.DATA_NR);
        check("seccomp_data.arch", LinuxSyscalls.DATA_ARCH);
        check("seccomp_data.args", LinuxSyscalls.DATA_ARGS);
    }

    @Test
    void ioctlNumbersMatchTheKernelHeaders() {
        // Design §7 lists the same numbers.
        assertEquals(0xC0502100L, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_RECV);
        check("SECCOMP_IOCTL_NOTIF_RECV", LinuxSyscalls.SECCOMP_IOCTL_NOTIF_RECV);
        check("SECCOMP_IOCTL_NOTIF_SEND", LinuxSyscalls.SECCOMP_IOCTL_NOTIF_SEND);
        check("SECCOMP_IOCTL_NOTIF_ID_VALID", LinuxSyscalls.SECCOMP_IOCTL_NOTIF_ID_VALID);
        check("SECCOMP_IOCTL_NOTIF_ADDFD", LinuxSyscalls.SECCOMP_IOCTL_NOTIF_ADDFD);
        check("SECCOMP_IOCTL_NOTIF_SET_FLAGS", LinuxSyscalls.SECCOMP_IOCTL_NOTIF_SET_FLAGS);
    }

    @Test
    void seccompConstantsMatchTheKernelHeaders() {
        check("SECCOMP_USER_NOTIF_FLAG_CONTINUE", LinuxSyscalls.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
        check("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP", LinuxSyscalls.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
        check("SECCOMP_FILTER_FLAG_NEW_LISTENER", LinuxSyscalls.SECCOMP_FILTER_FLAG_NEW_LISTENER);
        check("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", LinuxSyscalls.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
        checkUnsigned("SECCOMP_RET_KILL_PROCESS", LinuxSyscalls.SECCOMP_RET_KILL_PROCESS);
        checkUnsigned("SECCOMP_RET_USER_NOTIF", LinuxSyscalls.SECCOMP_RET_USER_NOTIF);
        checkUnsigned("SECCOMP_RET_ERRNO", LinuxSyscalls.SECCOMP_RET_ERRNO);
        checkUnsigned("SECCOMP_RET_ALLOW", LinuxSyscalls.SECCOMP_RET_ALLOW);
        checkUnsigned("AUDIT_ARCH_X86_64", LinuxSyscalls.AUDIT_ARCH_X86_64);
        check("__X32_SYSCALL_BIT", LinuxSyscalls.X32_SYSCALL_BIT);
    }

    @Test
    void landlockConstantsMatchTheKernelHeaders() {
        check("SYS_landlock_create_ruleset", LinuxSyscalls.SYS_LANDLOCK_CREATE_RULESET);
        check("LANDLOCK_CREATE_RULESET_VERSION", LinuxSyscalls.LANDLOCK_CREATE_RULESET_VERSION);
        check("LANDLOCK_ACCESS_FS_EXECUTE", LinuxSyscalls.LANDLOCK_ACCESS_FS_EXECUTE);
        check("LANDLOCK_ACCESS_FS_WRITE_FILE", LinuxSyscalls.LANDLOCK_ACCESS_FS_WRITE_FILE);
        check("LANDLOCK_ACCESS_FS_READ_FILE", LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_FILE);
        check("LANDLOCK_ACCESS_FS_READ_DIR", LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_DIR);
        check("LANDLOCK_ACCESS_FS_REMOVE_DIR", LinuxSyscalls.LANDLOCK_ACCESS_FS_REMOVE_DIR);
        check("LANDLOCK_ACCESS_FS_REMOVE_FILE", LinuxSyscalls.LANDLOCK_ACCESS_FS_REMOVE_FILE);
        check("LANDLOCK_ACCESS_FS_MAKE_CHAR", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_CHAR);
        check("LANDLOCK_ACCESS_FS_MAKE_DIR", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_DIR);
        check("LANDLOCK_ACCESS_FS_MAKE_REG", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_REG);
        check("LANDLOCK_ACCESS_FS_MAKE_SOCK", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_SOCK);
        check("LANDLOCK_ACCESS_FS_MAKE_FIFO", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_FIFO);
        check("LANDLOCK_ACCESS_FS_MAKE_BLOCK", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_BLOCK);
        check("LANDLOCK_ACCESS_FS_MAKE_SYM", LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_SYM);
        check("LANDLOCK_ACCESS_FS_REFER", LinuxSyscalls.LANDLOCK_ACCESS_FS_REFER);
        check("LANDLOCK_ACCESS_FS_TRUNCATE", LinuxSyscalls.LANDLOCK_ACCESS_FS_TRUNCATE);
        check("LANDLOCK_ACCESS_FS_IOCTL_DEV", LinuxSyscalls.LANDLOCK_ACCESS_FS_IOCTL_DEV);
        check("LANDLOCK_ACCESS_NET_BIND_TCP", LinuxSyscalls.LANDLOCK_ACCESS_NET_BIND_TCP);
        check("LANDLOCK_ACCESS_NET_CONNECT_TCP", LinuxSyscalls.LANDLOCK_ACCESS_NET_CONNECT_TCP);
        check("LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET", LinuxSyscalls.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        check("LANDLOCK_SCOPE_SIGNAL", LinuxSyscalls.LANDLOCK_SCOPE_SIGNAL);
    }

    @Test
    void bpfOpcodesMatchTheKernelHeaders() {
        check("BPF_LD", SeccompProgram.BPF_LD);
        check("BPF_JMP", SeccompProgram.BPF_JMP);
        check("BPF_RET", SeccompProgram.BPF_RET);
        check("BPF_W", SeccompProgram.BPF_W);
        check("BPF_ABS", SeccompProgram.BPF_ABS);
        check("BPF_K", SeccompProgram.BPF_K);
        check("BPF_JEQ", SeccompProgram.BPF_JEQ);
        check("BPF_JSET", SeccompProgram.BPF_JSET);
        check("BPF_ALU", SeccompProgram.BPF_ALU);
        check("BPF_AND", SeccompProgram.BPF_AND);
        check("BPF_JA", SeccompProgram.BPF_JA);
        check("BPF_JGT", SeccompProgram.BPF_JGT);
        check("BPF_JGE", SeccompProgram.BPF_JGE);
        check("BPF_MAXINSNS", SeccompProgram.MAX_INSTRUCTIONS);
    }

    @Test
    void syscallNumbersErrnosAndFlagsMatchTheHeaders() {
        check("SYS_exit", LinuxSyscalls.SYS_EXIT);
        check("SYS_exit_group", LinuxSyscalls.SYS_EXIT_GROUP);
        check("SYS_seccomp", LinuxSyscalls.SYS_SECCOMP);
        check("SYS_pidfd_send_signal", LinuxSyscalls.SYS_PIDFD_SEND_SIGNAL);
        check("SYS_pidfd_open", LinuxSyscalls.SYS_PIDFD_OPEN);
        check("SYS_pidfd_getfd", LinuxSyscalls.SYS_PIDFD_GETFD);
        check("EPERM", LinuxSyscalls.EPERM);
        check("ENOENT", LinuxSyscalls.ENOENT);
        check("ESRCH", LinuxSyscalls.ESRCH);
        check("EINTR", LinuxSyscalls.EINTR);
        check("EBADF", LinuxSyscalls.EBADF);
        check("EAGAIN", LinuxSyscalls.EAGAIN);
        check("EINVAL", LinuxSyscalls.EINVAL);
        check("SIGKILL", LinuxSyscalls.SIGKILL);
        check("O_RDONLY", LinuxSyscalls.O_RDONLY);
        check("O_NONBLOCK", LinuxSyscalls.O_NONBLOCK);
        check("O_CLOEXEC", LinuxSyscalls.O_CLOEXEC);
        check("POLLIN", LinuxSyscalls.POLLIN);
        check("POLLHUP", LinuxSyscalls.POLLHUP);
    }

    @Test
    void emulationConstantsMatchTheHeaders() {
        check("E2BIG", LinuxSyscalls.E2BIG);
        check("ENOMEM", LinuxSyscalls.ENOMEM);
        check("EACCES", LinuxSyscalls.EACCES);
        check("EFAULT", LinuxSyscalls.EFAULT);
        check("EBUSY", LinuxSyscalls.EBUSY);
        check("EEXIST", LinuxSyscalls.EEXIST);
        check("ENOTDIR", LinuxSyscalls.ENOTDIR);
        check("EISDIR", LinuxSyscalls.EISDIR);
        check("ENAMETOOLONG", LinuxSyscalls.ENAMETOOLONG);
        check("ELOOP", LinuxSyscalls.ELOOP);
        check("O_WRONLY", LinuxSyscalls.O_WRONLY);
        check("O_RDWR", LinuxSyscalls.O_RDWR);
        check("O_ACCMODE", LinuxSyscalls.O_ACCMODE);
        check("O_CREAT", LinuxSyscalls.O_CREAT);
        check("O_EXCL", LinuxSyscalls.O_EXCL);
        check("O_NOCTTY", LinuxSyscalls.O_NOCTTY);
        check("O_TRUNC", LinuxSyscalls.O_TRUNC);
        check("O_APPEND", LinuxSyscalls.O_APPEND);
        check("O_DIRECTORY", LinuxSyscalls.O_DIRECTORY);
        check("O_NOFOLLOW", LinuxSyscalls.O_NOFOLLOW);
        check("O_PATH", LinuxSyscalls.O_PATH);
        check("AT_FDCWD", LinuxSyscalls.AT_FDCWD);
        check("AT_SYMLINK_NOFOLLOW", LinuxSyscalls.AT_SYMLINK_NOFOLLOW);
        check("AT_EMPTY_PATH", LinuxSyscalls.AT_EMPTY_PATH);
        check("AT_SYMLINK_FOLLOW", LinuxSyscalls.AT_SYMLINK_FOLLOW);
        check("RENAME_NOREPLACE", LinuxSyscalls.RENAME_NOREPLACE);
        check("RENAME_EXCHANGE", LinuxSyscalls.RENAME_EXCHANGE);
        check("RENAME_WHITEOUT", LinuxSyscalls.RENAME_WHITEOUT);
        check("F_SETFL", LinuxSyscalls.F_SETFL);
        check("CLONE_FS", LinuxSyscalls.CLONE_FS);
        check("RESOLVE_NO_XDEV", LinuxSyscalls.RESOLVE_NO_XDEV);
        check("RESOLVE_NO_MAGICLINKS", LinuxSyscalls.RESOLVE_NO_MAGICLINKS);
        check("RESOLVE_NO_SYMLINKS", LinuxSyscalls.RESOLVE_NO_SYMLINKS);
        check("RESOLVE_BENEATH", LinuxSyscalls.RESOLVE_BENEATH);
        check("RESOLVE_IN_ROOT", LinuxSyscalls.RESOLVE_IN_ROOT);
        check("RESOLVE_CACHED", LinuxSyscalls.RESOLVE_CACHED);
        check("PROC_SUPER_MAGIC", LinuxSyscalls.PROC_SUPER_MAGIC);
        check("SECCOMP_ADDFD_FLAG_SETFD", LinuxSyscalls.SECCOMP_ADDFD_FLAG_SETFD);
        check("SECCOMP_ADDFD_FLAG_SEND", LinuxSyscalls.SECCOMP_ADDFD_FLAG_SEND);
        check("SYS_open", LinuxSyscalls.SYS_OPEN);
        check("SYS_rename", LinuxSyscalls.SYS_RENAME);
        check("SYS_link", LinuxSyscalls.SYS_LINK);
        check("SYS_renameat", LinuxSyscalls.SYS_RENAMEAT);
        check("SYS_linkat", LinuxSyscalls.SYS_LINKAT);
        check("SYS_renameat2", LinuxSyscalls.SYS_RENAMEAT2);
        check("SYS_execve", LinuxSyscalls.SYS_EXECVE);
        check("SYS_creat", LinuxSyscalls.SYS_CREAT);
        check("SYS_openat", LinuxSyscalls.SYS_OPENAT);
        check("SYS_execveat", LinuxSyscalls.SYS_EXECVEAT);
        check("SYS_openat2", LinuxSyscalls.SYS_OPENAT2);
        check("O_TMPFILE_BIT", LinuxSyscalls.O_TMPFILE_BIT);
        checkLayout("open_how", LinuxSyscalls.OPEN_HOW, "flags", "mode", "resolve");
        check("sizeof.statfs", LinuxSyscalls.STATFS_SIZE);
        check("statfs.f_type", LinuxSyscalls.STATFS_TYPE);
        check("sizeof.seccomp_notif_addfd", LinuxSyscalls.SECCOMP_NOTIF_ADDFD.byteSize());
        check("seccomp_notif_addfd.newfd_flags", LinuxSyscalls.ADDFD_NEWFD_FLAGS);
    }

    @Test
    void terminalAndStdioConstantsMatchTheHeaders() {
        check("EIO", LinuxSyscalls.EIO);
        check("POLLOUT", LinuxSyscalls.POLLOUT);
        check("F_GETFL", LinuxSyscalls.F_GETFL);
        check("TIOCSWINSZ", LinuxSyscalls.TIOCSWINSZ);
        check("TIOCGWINSZ", LinuxSyscalls.TIOCGWINSZ);
        checkLayout("winsize", LinuxSyscalls.WINSIZE, "ws_row", "ws_col", "ws_xpixel", "ws_ypixel");
        check("CLK_TCK", LinuxSyscalls.CLOCK_TICKS_PER_SECOND);
    }
}
