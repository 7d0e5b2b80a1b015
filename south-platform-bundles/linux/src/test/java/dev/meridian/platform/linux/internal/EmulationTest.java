package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.Confinement;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.FileAccess;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.Isolation;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicySource;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor's emulation of memory-dependent decisions, on real guests under the real kernel:
 * opens decided on the canonical path and served with ADDFD|SEND, and execs checked before and
 * re-verified after.
 */
class EmulationTest {

    static final LinuxPlatform PLATFORM = NativePrograms.platform();
    static final int SYS_OPEN = 2;
    static final int SYS_EXECVE = 59;
    static final int SYS_CREAT = 85;
    static final int SYS_OPENAT = 257;
    static final int SYS_EXECVEAT = 322;
    static final int SYS_OPENAT2 = 437;
    static final int SYS_RENAME = 82;
    static final int SYS_LINK = 86;
    static final int SYS_RENAMEAT = 264;
    static final int SYS_LINKAT = 265;
    static final int SYS_RENAMEAT2 = 316;
    static final int EACCES = 13;
    static final int EXECUTE = FileAccess.EXECUTE.bit();

    @TempDir
    Path directory;

    /**
     * EMULATEs every open, link and rename; denies (EACCES) any canonical path containing "/secret"; with a list of
     * programs, allows execve memory-dependently and then only those programs. Allocation-free on
     * the open path.
     */
    static class PathPolicy implements Policy {
        static final int EMULATE_OPENS = 0;
        static final int CHECK_EXEC = 1;
        static final int DENY_SECRET = 2;
        static final int DENY_PROGRAM = 3;
        static final int ALLOW_PATH = 4;
        private static final byte[] SECRET = "/secret".getBytes(StandardCharsets.US_ASCII);
        private final Set<String> programs;

        PathPolicy(Set<String> programs) {
            this.programs = programs;
        }

        @Override
        public String name() {
            return "emulation-test";
        }

        @Override
        public Confinement confinement() {
            return TestConfinements.SUPERVISE_ALL;
        }

        @Override
        public List<RulePlacement> placements() {
            return List.of();
        }

        @Override
        public void decide(SyscallEvent call) {
            switch (call.number()) {
                case SYS_OPEN, SYS_OPENAT, SYS_OPENAT2, SYS_CREAT, SYS_LINK, SYS_LINKAT, SYS_RENAME, SYS_RENAMEAT,
                        SYS_RENAMEAT2 -> call.verdict(VerdictAction.EMULATE, 0, EMULATE_OPENS, true);
                case SYS_EXECVE, SYS_EXECVEAT -> call.verdict(VerdictAction.ALLOW, 0,
                        programs == null ? -1 : CHECK_EXEC, programs != null);
                default -> call.verdict(VerdictAction.ALLOW, 0, -1, false);
            }
        }

        @Override
        public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
            if ((access & EXECUTE) != 0 && programs != null
                    && !programs.contains(new String(path, 0, length, StandardCharsets.UTF_8))) {
                call.verdict(VerdictAction.DENY, EACCES, DENY_PROGRAM, true);
            } else if (contains(path, length, SECRET)) {
                call.verdict(VerdictAction.DENY, EACCES, DENY_SECRET, true);
            } else {
                call.verdict(VerdictAction.ALLOW, 0, ALLOW_PATH, true);
            }
        }

        @Override
        public String ruleName(int ruleId) {
            return ruleId >= 0 && ruleId <= ALLOW_PATH ? "test/" + ruleId : null;
        }

        private static boolean contains(byte[] text, int length, byte[] part) {
            outer:
            for (int start = 0; start + part.length <= length; start++) {
                for (int i = 0; i < part.length; i++) {
                    if (text[start + i] != part[i]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /** The shim's part for the calls this test decides: capture the paths (and openat2's open_how). */
    static void capture(SyscallEvent call, GuestMemory memory) {
        switch (call.number()) {
            case SYS_OPEN, SYS_CREAT, SYS_EXECVE -> capturePath(call, memory, 0);
            case SYS_OPENAT, SYS_OPENAT2, SYS_EXECVEAT -> capturePath(call, memory, 1);
            case SYS_LINK, SYS_RENAME -> {
                capturePath(call, memory, 0);
                capturePath(call, memory, 1);
            }
            case SYS_LINKAT, SYS_RENAMEAT, SYS_RENAMEAT2 -> {
                capturePath(call, memory, 1);
                capturePath(call, memory, 3);
            }
            default -> {
            }
        }
        if (call.number() == SYS_OPENAT2 && call.arg(2) != 0) {
            int read = memory.read(call.arg(2), call.captureData(), call.captureCursor(), 24);
            if (read >= 0) {
                call.commitCapture(2, read, false);
            }
        }
    }

    private static void capturePath(SyscallEvent call, GuestMemory memory, int pathArg) {
        if (call.arg(pathArg) == 0) {
            return;
        }
        int max = Math.min(4096, call.captureFree());
        int length = memory.readString(call.arg(pathArg), call.captureData(), call.captureCursor(), max);
        if (length >= 0) {
            call.commitCapture(pathArg, length, length >= max);
        }
    }

    @BeforeEach
    void files() throws IOException {
        Files.writeString(directory.resolve("allowed.txt"), "allowed\n");
        Files.createDirectories(directory.resolve("secret"));
        Files.createDirectories(directory.resolve("sub"));
        Files.createDirectories(directory.resolve("aaaaaa"));
        Files.writeString(directory.resolve("secret/data.txt"), "secret\n");
        Files.writeString(directory.resolve("secret/data"), "secret\n");
        Files.writeString(directory.resolve("aaaaaa/data"), "allowed\n");
        Files.createSymbolicLink(directory.resolve("link-to-secret"), Path.of("secret/data.txt"));
    }

    SandboxSpec spec(String... command) {
        return new SandboxSpec(List.of(command), Map.of("PATH", "/usr/bin:/bin"), directory,
                List.of(PolicySource.profile("trace")), Isolation.DEFAULT, directory.resolve("journal"));
    }

    ExitStatus run(RecordingGateway gateway, String... command) throws Exception {
        GuestProcess guest = PLATFORM.launch(spec(command), TestConfinements.SUPERVISE_ALL, gateway);
        return guest.exit().get(120, TimeUnit.SECONDS);
    }

    static String program(String name) {
        return NativePrograms.program(name).toString();
    }

    @Test
    void opensAreDecidedOnTheCanonicalPathAndServedByTheSupervisor() throws Exception {
        RecordingGateway gateway = new RecordingGateway(EmulationTest::capture, new PathPolicy(null));
        // open_paths checks each route itself; its exit status is the number of failed checks.
        assertEquals(ExitStatus.exited(0), run(gateway, program("open_paths"), directory.toString()));

        Path created = directory.resolve("new.txt");
        assertEquals("new\n", Files.readString(created));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(directory.resolve("sub/created-by-creat"))));
        assertFalse(Files.exists(directory.resolve("secret/new.txt")), "no file created where it was denied");

        String secret = directory.toRealPath().resolve("secret/data.txt").toString();
        long secretDenials = gateway.resolved.stream()
                .filter(r -> r.path().equals(secret) && r.action() == VerdictAction.DENY
                        && r.ruleId() == PathPolicy.DENY_SECRET && r.errno() == EACCES)
                .count();
        assertEquals(6, secretDenials, "direct, symlink, .., dirfd, dirfd+..+symlink and cwd: " + gateway.resolved);
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(secret.replace("data.txt", "new.txt"))
                && (r.access() & FileAccess.CREATE.bit()) != 0 && r.action() == VerdictAction.DENY));
        List<RecordingGateway.Call> injected = gateway.calls.stream()
                .filter(call -> call.action() == VerdictAction.EMULATE && call.resultKnown()
                        && call.returnValue() >= 0 && call.ruleId() == PathPolicy.ALLOW_PATH)
                .toList();
        assertTrue(injected.size() >= 8, "opens served with an injected fd: " + injected.size());
        assertTrue(gateway.calls.stream().noneMatch(call -> call.action() == VerdictAction.ALLOW
                && (call.number() == SYS_OPENAT || call.number() == SYS_OPEN)), "no open continued");
    }

    /**
     * Links and renames are decided on both canonical paths and made by the supervisor: every way
     * of giving the secret a new name, or putting a file under secret/, is refused with EACCES;
     * ordinary ones work and give the kernel's own errnos (EEXIST, ENOENT, ENOTDIR, EISDIR, EXDEV,
     * EBUSY, EPERM, EINVAL, RENAME_NOREPLACE and RENAME_EXCHANGE). link_paths checks each result;
     * natively the same routes to the secret succeed, so its checks can fail.
     */
    @Test
    void linksAndRenamesAreDecidedOnBothNamesAndMadeByTheSupervisor() throws Exception {
        Process natively = new ProcessBuilder(program("link_paths"), directory.toString(), "native")
                .redirectErrorStream(true).start();
        String nativeOutput = new String(natively.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, natively.waitFor(), "natively every route works: " + nativeOutput);

        RecordingGateway gateway = new RecordingGateway(EmulationTest::capture, new PathPolicy(null));
        assertEquals(ExitStatus.exited(0), run(gateway, program("link_paths"), directory.toString(), "sandboxed"));
        assertEquals("secret\n", Files.readString(directory.resolve("secret/data.txt")));
        assertEquals("allowed\n", Files.readString(directory.resolve("allowed.txt")));
        assertFalse(Files.exists(directory.resolve("secret/planted")), "nothing put where writing is denied");

        String root = directory.toRealPath().toString();
        int source = FileAccess.READ.bit() | FileAccess.WRITE.bit();
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(root + "/secret/data.txt")
                && r.access() == source && r.action() == VerdictAction.DENY && r.ruleId() == PathPolicy.DENY_SECRET),
                "the followed symlink's target was judged as a link source: " + gateway.resolved);
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(root + "/secret/planted")
                && (r.access() & FileAccess.CREATE.bit()) != 0 && r.action() == VerdictAction.DENY));
        assertTrue(gateway.calls.stream().noneMatch(call -> call.action() == VerdictAction.ALLOW
                && (call.number() == SYS_LINK || call.number() == SYS_LINKAT || call.number() == SYS_RENAME
                        || call.number() == SYS_RENAMEAT || call.number() == SYS_RENAMEAT2)), "none continued");
        assertTrue(gateway.calls.stream().filter(call -> call.number() == SYS_RENAMEAT2 && call.resultKnown()
                && call.returnValue() == 0).count() >= 3, "exchanges and NOREPLACE made by the supervisor");
    }

    @Test
    void aThreadFlippingThePathNeverGetsTheSecret() throws Exception {
        Process natively = new ProcessBuilder(program("open_race"), directory.toString(), "20000")
                .redirectErrorStream(true).start();
        natively.getInputStream().readAllBytes();
        assertEquals(1, natively.waitFor(), "natively, the flipping thread reads the secret");

        RecordingGateway gateway = new RecordingGateway(EmulationTest::capture, new PathPolicy(null));
        // 0: both outcomes seen, never the secret's content.
        assertEquals(ExitStatus.exited(0), run(gateway, program("open_race"), directory.toString(), "5000"));
        String secret = directory.toRealPath().resolve("secret/data").toString();
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(secret) && r.action() == VerdictAction.DENY));
        assertTrue(gateway.resolved.stream().noneMatch(r -> r.path().equals(secret) && r.action() == VerdictAction.ALLOW));
    }

    @Test
    void anAllowedProgramIsExecuted() throws Exception {
        RecordingGateway gateway = new RecordingGateway(EmulationTest::capture, execPolicy());
        assertEquals(ExitStatus.exited(0), run(gateway, program("exec_program"), "/bin/true"));
        String trueProgram = Path.of("/bin/true").toRealPath().toString();
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(trueProgram)
                && r.access() == EXECUTE && r.action() == VerdictAction.ALLOW));
        assertTrue(gateway.calls.stream().noneMatch(call -> call.action() == VerdictAction.KILL));
    }

    @Test
    void aProgramOffTheListIsRefusedBeforeTheExec() throws Exception {
        RecordingGateway gateway = new RecordingGateway(EmulationTest::capture, execPolicy());
        // exec_program reports the failed execv with status 3.
        assertEquals(ExitStatus.exited(3), run(gateway, program("exec_program"), "/bin/false"));
        String falseProgram = Path.of("/bin/false").toRealPath().toString();
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(falseProgram)
                && r.action() == VerdictAction.DENY && r.ruleId() == PathPolicy.DENY_PROGRAM));
    }

    /**
     * The attack the re-verification exists for: the path is rewritten in guest memory between the
     * supervisor's check and the kernel's own read. The test plays the attacker's other thread at
     * the worst moment, writing "/bin/echo" over the approved "/bin/true" through /proc/PID/mem
     * while the call waits for its answer.
     */
    @Test
    void aProgramSwappedInAfterTheCheckKillsTheSandbox() throws Exception {
        String trueProgram = Path.of("/bin/true").toRealPath().toString();
        PathPolicy policy = new PathPolicy(execPolicy().programs) {
            @Override
            public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
                super.decideResolvedPath(call, path, length, access);
                if (call.number() == SYS_EXECVE && call.action() == VerdictAction.ALLOW
                        && new String(path, 0, length, StandardCharsets.UTF_8).equals(trueProgram)) {
                    overwrite(call.tid(), call.arg(0), "/bin/echo\0");
                }
            }
        };
        RecordingGateway gateway = new RecordingGateway(EmulationTest::capture, policy);
        assertEquals(ExitStatus.killed(9), run(gateway, program("exec_program"), "/bin/true"));
        String echoProgram = Path.of("/bin/echo").toRealPath().toString();
        assertTrue(gateway.resolved.stream().anyMatch(r -> r.path().equals(echoProgram)
                && r.action() == VerdictAction.DENY), "the running program was checked: " + gateway.resolved);
        assertTrue(gateway.calls.stream().anyMatch(call -> call.action() == VerdictAction.KILL
                && call.ruleId() == PathPolicy.DENY_PROGRAM), "the kill is journaled with the rule");
    }

    private PathPolicy execPolicy() throws IOException {
        return new PathPolicy(Set.of(NativePrograms.program("exec_program").toRealPath().toString(),
                Path.of("/bin/true").toRealPath().toString()));
    }

    private static void overwrite(int tid, long address, String text) {
        try (RandomAccessFile memory = new RandomAccessFile("/proc/" + tid + "/mem", "rw")) {
            memory.seek(address);
            memory.write(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Emulated opens in steady state allocate (almost) nothing on the supervisor thread. Most runs
     * measure 0 bytes; in some, the JIT leaves one FFM errno-capture slice (40 bytes) per open
     * un-eliminated, depending on its inlining of the longer emulation path. The bound catches any
     * real per-call allocation (a String, a byte[] per path) while tolerating that.
     */
    @Test
    void emulatedOpensDoNotAllocate() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int every = 2_000;
        long[] allocated = new long[64];
        int[] opens = {0};
        PathPolicy policy = new PathPolicy(null) {
            @Override
            public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
                super.decideResolvedPath(call, path, length, access);
                int count = ++opens[0];
                if (count % every == 0 && count / every < allocated.length) {
                    allocated[count / every] = threads.getCurrentThreadAllocatedBytes();
                }
            }
        };
        AllocationFreeGateway gateway = new AllocationFreeGateway(policy);
        GuestProcess guest = PLATFORM.launch(spec(program("open_race"), directory.toString(), "100000", "steady"),
                TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(0), guest.exit().get(300, TimeUnit.SECONDS));
        // The JIT (and with it FFM's allocation-free errno capture) needs the first ~50,000 opens.
        int from = 70_000 / every;
        int to = 100_000 / every;
        long bytes = allocated[to] - allocated[from];
        System.out.printf("emulated opens: supervisor thread allocated %d bytes over opens 70000-100000 (per %d: %s)%n",
                bytes, every, Arrays.toString(Arrays.copyOfRange(allocated, 1, to + 1)));
        assertTrue(allocated[from] > 0 && allocated[to] > 0, "allocation counter sampled");
        assertTrue(bytes <= 64L * (100_000 - 70_000), "bytes allocated on the supervisor thread in steady state: "
                + bytes);
    }

    /** The bus's part without the journal: capture, policy, nothing recorded. */
    private static final class AllocationFreeGateway extends TestGateway {
        private final Policy policy;

        AllocationFreeGateway(Policy policy) {
            this.policy = policy;
        }



        @Override
        public void onCall(SyscallEvent call, GuestMemory memory) {
            capture(call, memory);
            policy.decide(call);
        }

        @Override
        public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
            policy.decideResolvedPath(call, path, length, access);
        }



    }
}
