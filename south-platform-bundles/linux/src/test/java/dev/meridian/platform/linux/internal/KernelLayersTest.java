package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meridian.api.Confinement;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.FileAccess;
import dev.meridian.api.FileRules;
import dev.meridian.api.Isolation;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallFilter;
import dev.meridian.api.SyscallFilter.Action;
import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.api.SyscallFilter.Rule;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel layers for real: guests run the access_probe program under compiled seccomp
 * filters and Landlock rulesets, and each outcome is compared with a run that lacks the rule.
 */
class KernelLayersTest {

    static final int X86_64 = LinuxSyscalls.AUDIT_ARCH_X86_64;
    static final int SYS_SOCKET = 41;
    static final int SYS_UNAME = 63;
    static final int SYS_MKDIR = 83;
    static final int SYS_GETPPID = 110;
    static final int EACCES = 13;
    static final int EAFNOSUPPORT = 97;
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SIGSYS = 31;

    static final LinuxPlatform PLATFORM = NativePrograms.platform();
    /** Nothing notified, nothing restricted: the comparison run ("natively"). */
    static final SyscallFilter ALLOW_ALL = new SyscallFilter(X86_64, Action.ALLOW, 0, List.of());

    @TempDir
    Path directory;

    SandboxSpec spec(List<String> command) {
        return new SandboxSpec(command, Map.of("PATH", "/usr/bin:/bin"), directory,
                List.of(PolicySource.profile("test")), Isolation.DEFAULT, directory.resolve("journal"));
    }

    /** Runs access_probe with {@code operations} (pairs); returns one outcome (0 or errno) per pair. */
    List<Long> probe(Confinement confinement, RecordingGateway gateway, Path results, String... operations)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(NativePrograms.program("access_probe").toString(),
                results.toString()));
        command.addAll(List.of(operations));
        ExitStatus status = PLATFORM.launch(spec(command), confinement, gateway).exit().get(60, TimeUnit.SECONDS);
        assertEquals(ExitStatus.exited(0), status);
        return Files.readAllLines(results).stream().map(Long::parseLong).toList();
    }

    static Confinement only(SyscallFilter filter) {
        return new Confinement(filter, null, null, false, false);
    }

    static long seen(RecordingGateway gateway, int number) {
        return gateway.calls.stream().filter(call -> call.number() == number).count();
    }

    @Test
    void theFilterDecidesInTheKernelAndNotifiesOnlyWhatItSays() throws Exception {
        SyscallFilter filter = new SyscallFilter(X86_64, Action.NOTIFY, 0, List.of(
                new Rule(SYS_GETPPID, List.of(), Action.ERRNO, LinuxSyscalls.EPERM, 1),
                new Rule(SYS_MKDIR, List.of(), Action.ERRNO, EACCES, 2),
                new Rule(SYS_UNAME, List.of(), Action.ALLOW, 0, 3),
                // An int argument: only its low 32 bits count, whatever the register's high half holds.
                new Rule(SYS_SOCKET, List.of(new Check(0, Comparison.MASKED_EQ, AF_INET, 0xffffffffL)),
                        Action.ERRNO, EAFNOSUPPORT, 4)));
        String[] operations = {"getppid", "-", "mkdir", directory.resolve("made").toString(), "uname", "-",
            "socket", Integer.toString(AF_INET), "socket", Integer.toString(AF_UNIX)};

        RecordingGateway traced = new RecordingGateway();
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L),
                probe(TestConfinements.SUPERVISE_ALL, traced, directory.resolve("traced"), operations));
        assertTrue(seen(traced, SYS_GETPPID) == 1 && seen(traced, SYS_UNAME) == 1 && seen(traced, SYS_SOCKET) == 2);
        Files.delete(directory.resolve("made"));

        RecordingGateway gateway = new RecordingGateway();
        assertEquals(List.of((long) LinuxSyscalls.EPERM, (long) EACCES, 0L, (long) EAFNOSUPPORT, 0L),
                probe(only(filter), gateway, directory.resolve("filtered"), operations));
        assertEquals(0, seen(gateway, SYS_GETPPID), "denied in the kernel");
        assertEquals(0, seen(gateway, SYS_MKDIR), "denied in the kernel");
        assertEquals(0, seen(gateway, SYS_UNAME), "allowed in the kernel");
        List<RecordingGateway.Call> sockets = gateway.calls.stream().filter(call -> call.number() == SYS_SOCKET).toList();
        assertEquals(1, sockets.size(), "only the AF_UNIX socket fell through to the NOTIFY default");
        assertEquals(AF_UNIX, sockets.getFirst().args()[0]);
        assertEquals(59, gateway.calls.getFirst().number(), "the execve is the first call the gateway sees");
        assertTrue(Files.notExists(directory.resolve("made")));
    }

    /** The handshake holds the guest until the listener is taken even when nothing is notified. */
    @Test
    void aFilterThatNotifiesNothingRunsWithoutTheSupervisorSeeingACall() throws Exception {
        for (int i = 0; i < 5; i++) {
            RecordingGateway gateway = new RecordingGateway();
            assertEquals(List.of(0L), probe(only(ALLOW_ALL), gateway, directory.resolve("r" + i), "uname", "-"));
            assertEquals(List.of(), gateway.calls);
            assertEquals(1, gateway.exits);
        }
    }

    @Test
    void aKillRuleKillsTheGuest() throws Exception {
        SyscallFilter filter = new SyscallFilter(X86_64, Action.ALLOW, 0,
                List.of(new Rule(SYS_GETPPID, List.of(), Action.KILL, 0, 1)));
        List<String> command = List.of(NativePrograms.program("access_probe").toString(),
                directory.resolve("r").toString(), "getppid", "-");
        assertEquals(ExitStatus.killed(SIGSYS),
                PLATFORM.launch(spec(command), only(filter), new RecordingGateway()).exit().get(60, TimeUnit.SECONDS));
    }

    @Test
    void filtersForAnotherAbiOrTooLargeAreRefusedBeforeStart() {
        RecordingGateway gateway = new RecordingGateway();
        SandboxException abi = assertThrows(SandboxException.class, () -> PLATFORM
                .launch(spec(List.of("/bin/true")), only(SyscallFilter.notifyAll(0x40000003)), gateway));
        assertEquals("the linux platform judges x86-64 system calls (AUDIT_ARCH 0xc000003e), the filter is for 0x40000003",
                abi.getMessage());
        SandboxException size = assertThrows(SandboxException.class, () -> PLATFORM
                .launch(spec(List.of("/bin/true")), only(SeccompCompilerTest.wideFilter(500, 2)), gateway));
        assertTrue(size.getMessage().startsWith("the system-call filter compiles to "), size.getMessage());
        assertEquals(0, gateway.closes);
    }

    /** What every guest program needs to start: the loader, libraries and the probe itself. */
    static List<FileRules.Grant> systemGrants() {
        List<FileRules.Grant> grants = new ArrayList<>();
        for (String path : List.of("/usr", "/lib", "/lib64", "/bin", "/etc",
                NativePrograms.program("access_probe").getParent().toString())) {
            grants.add(new FileRules.Grant(path, Set.of(FileAccess.READ, FileAccess.EXECUTE), 1));
        }
        return grants;
    }

    static Confinement withFiles(List<FileRules.Grant> grants) {
        return new Confinement(ALLOW_ALL, new FileRules(Set.of(FileAccess.values()), grants), null, false, false);
    }

    @Test
    void landlockFileRulesAllowTheGrantsAndNothingElse() throws Exception {
        assumeTrue(PLATFORM.landlockAbi() >= 3, "Landlock ABI 3");
        Path readOnly = Files.createDirectories(directory.resolve("ro"));
        Path readWrite = Files.createDirectories(directory.resolve("rw"));
        Path outside = Files.createDirectories(directory.resolve("outside"));
        Path results = Files.createDirectories(directory.resolve("results"));
        Files.writeString(readOnly.resolve("file"), "r");
        Files.writeString(outside.resolve("file"), "o");
        Path lone = Files.writeString(directory.resolve("lone"), "l");
        List<FileRules.Grant> grants = new ArrayList<>(systemGrants());
        grants.add(new FileRules.Grant(readOnly.toString(), Set.of(FileAccess.READ), 2));
        grants.add(new FileRules.Grant(readWrite.toString(), Set.of(FileAccess.READ, FileAccess.WRITE, FileAccess.CREATE), 3));
        grants.add(new FileRules.Grant(results.toString(), Set.of(FileAccess.WRITE, FileAccess.CREATE), 4));
        // A file: only the rights Landlock knows for files are granted; a missing path grants nothing.
        grants.add(new FileRules.Grant(lone.toString(), Set.of(FileAccess.values()), 5));
        grants.add(new FileRules.Grant(directory.resolve("missing").toString(), Set.of(FileAccess.READ), 6));
        String[] operations = {
            "read", readOnly.resolve("file").toString(),
            "read", outside.resolve("file").toString(),
            "write", readWrite.resolve("new").toString(),
            "write", readOnly.resolve("new").toString(),
            "read", lone.toString(),
            "mkdir", outside.resolve("dir").toString(),
        };
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L),
                probe(only(ALLOW_ALL), new RecordingGateway(), results.resolve("native"), operations));
        Files.delete(readOnly.resolve("new"));
        Files.delete(outside.resolve("dir"));

        assertEquals(List.of(0L, (long) EACCES, 0L, (long) EACCES, 0L, (long) EACCES),
                probe(withFiles(grants), new RecordingGateway(), results.resolve("confined"), operations));
        assertTrue(Files.notExists(readOnly.resolve("new")));
        assertTrue(Files.notExists(outside.resolve("dir")));
    }

    @Test
    void landlockPortRulesAllowOnlyGrantedTcpPorts() throws Exception {
        assumeTrue(PLATFORM.landlockAbi() >= 4, "Landlock ABI 4");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket granted = new ServerSocket(0, 8, loopback);
                ServerSocket other = new ServerSocket(0, 8, loopback)) {
            String[] operations = {"connect", Integer.toString(granted.getLocalPort()),
                "connect", Integer.toString(other.getLocalPort())};
            assertEquals(List.of(0L, 0L),
                    probe(only(ALLOW_ALL), new RecordingGateway(), directory.resolve("native"), operations));
            NetworkRules rules = new NetworkRules(List.of(
                    new NetworkRules.Grant(NetworkRules.Direction.CONNECT, granted.getLocalPort(), 1),
                    new NetworkRules.Grant(NetworkRules.Direction.BIND, other.getLocalPort(), 2)));
            Confinement confinement = new Confinement(ALLOW_ALL, null, rules, false, false);
            assertEquals(List.of(0L, (long) EACCES),
                    probe(confinement, new RecordingGateway(), directory.resolve("confined"), operations));
        }
    }

    /** The namespace's init (pid 1) runs outside the guest's Landlock domain. */
    @Test
    void signalScopingKeepsSignalsInsideTheSandbox() throws Exception {
        assumeTrue(PLATFORM.landlockAbi() >= 6, "Landlock ABI 6");
        assertEquals(List.of(0L),
                probe(only(ALLOW_ALL), new RecordingGateway(), directory.resolve("native"), "signal", "1"));
        Confinement scoped = new Confinement(ALLOW_ALL, null, null, true, true);
        assertEquals(List.of((long) LinuxSyscalls.EPERM),
                probe(scoped, new RecordingGateway(), directory.resolve("scoped"), "signal", "1"));
    }

    @Test
    void thisHostHasTheLandlockOfDesignSection7() {
        assertTrue(PLATFORM.landlockAbi() >= 6, "ABI " + PLATFORM.landlockAbi());
    }
}
