package dev.meridian.platform.linux.internal;

import dev.meridian.api.PolicySource;
import dev.meridian.api.Isolation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.VerdictAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real guests under the real kernel, with a recording test double of the bus. */
class LinuxPlatformTest {

    static final int SYS_GETPPID = 110;
    static final int SYS_EXECVE = 59;
    static final int SYS_OPENAT = 257;
    static final int SIGINT = 2;
    static final int SIGTERM = 15;
    static final int SIGUSR1 = 10;

    static final LinuxPlatform PLATFORM = NativePrograms.platform();

    @TempDir
    Path directory;

    SandboxSpec spec(String... command) {
        return new SandboxSpec(List.of(command), Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"), directory, List.of(PolicySource.profile("trace")), Isolation.DEFAULT,
                directory.resolve("journal"));
    }

    static ExitStatus await(GuestProcess guest) throws Exception {
        return guest.exit().get(60, TimeUnit.SECONDS);
    }

    static ExitStatus run(RecordingGateway gateway, SandboxSpec spec) throws Exception {
        return await(PLATFORM.launch(spec, TestConfinements.SUPERVISE_ALL, gateway));
    }

    static String program(String name) {
        return NativePrograms.program(name).toString();
    }

    /** "count failures nanos handled last-result last-errno" written by getppid_loop. */
    long[] loopResult(Path file) throws IOException {
        return Arrays.stream(Files.readString(file).strip().split(" ")).mapToLong(Long::parseLong).toArray();
    }

    @Test
    void platformIsAvailableOnThisHost() {
        assertEquals("linux", PLATFORM.name());
        assertNull(PLATFORM.unavailableReason());
    }

    @Test
    void missingHelperMakesThePlatformUnavailable() {
        LinuxPlatform unconfigured = new LinuxPlatform(name -> null);
        assertTrue(unconfigured.unavailableReason().contains("meridian.exec.helper"),
                unconfigured.unavailableReason());
        LinuxPlatform missing = new LinuxPlatform(Map.of(LinuxPlatform.HOME_PROPERTY, "/nonexistent")::get);
        assertEquals("the exec helper /nonexistent/libexec/meridian-exec is missing or not executable",
                missing.unavailableReason());
        SandboxException e = assertThrows(SandboxException.class,
                () -> missing.launch(spec("/bin/true"), TestConfinements.SUPERVISE_ALL, new RecordingGateway()));
        assertEquals(SandboxException.Kind.PLATFORM_UNAVAILABLE, e.kind());
    }

    @Test
    void trueExitsZeroWithExecveFirstAndExitGroupLast() throws Exception {
        RecordingGateway gateway = new RecordingGateway();
        LinuxGuest guest = (LinuxGuest) PLATFORM.launch(spec("/bin/true"), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(0), await(guest));

        int pid = (int) guest.hostPid();
        List<RecordingGateway.Call> calls = gateway.callsOf(pid);
        assertEquals(SYS_EXECVE, calls.getFirst().number());
        assertEquals(LinuxSyscalls.SYS_EXIT_GROUP, calls.getLast().number());
        assertEquals(gateway.calls.size(), calls.size(), "/bin/true starts no other process");
        assertTrue(calls.stream().allMatch(call -> call.tid() == pid));
        assertEquals(1, gateway.exits);
        assertEquals(1, gateway.closes);
        assertFalse(gateway.callAfterExit);
        assertEquals(guest.answeredCalls(), gateway.exitAnsweredCalls);
        assertEquals(gateway.calls.size(), guest.answeredCalls());
        assertEquals("meridian-supervisor-" + SandboxIds.format(gateway.sandboxId()), gateway.supervisorThread);
        assertTrue(guest.waitKillable(), "Linux 5.19+ has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        assertTrue(guest.syncWakeUp(), "Linux 6.6+ has SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP");
    }

    @Test
    void exitCodesAndSignalsAreToldApart() throws Exception {
        assertEquals(ExitStatus.exited(42), run(new RecordingGateway(), spec("sh", "-c", "exit 42")));
        assertEquals(ExitStatus.exited(130), run(new RecordingGateway(), spec("sh", "-c", "exit 130")));
        assertEquals(ExitStatus.killed(SIGINT), run(new RecordingGateway(), spec(program("signal_self"), "2")));
        assertEquals(ExitStatus.killed(SIGTERM), run(new RecordingGateway(), spec(program("signal_self"), "15")));
    }

    @Test
    void sandboxesRunSideBySide() throws Exception {
        List<GuestProcess> guests = new ArrayList<>();
        List<Thread> launchers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String command = "sleep 0.1; exit " + (10 + i);
            launchers.add(Thread.ofPlatform().start(() -> {
                try {
                    GuestProcess guest = PLATFORM.launch(spec("sh", "-c", command), TestConfinements.SUPERVISE_ALL, new RecordingGateway());
                    synchronized (guests) {
                        guests.add(guest);
                    }
                } catch (SandboxException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread launcher : launchers) {
            launcher.join();
        }
        assertEquals(6, guests.size());
        Set<Integer> codes = ConcurrentHashMap.newKeySet();
        for (GuestProcess guest : guests) {
            codes.add(await(guest).code());
        }
        assertEquals(Set.of(10, 11, 12, 13, 14, 15), codes);
    }

    @Test
    void killFromOutsideIsReportedAsSignal9() throws Exception {
        GuestProcess guest = PLATFORM.launch(spec("sleep", "30"), TestConfinements.SUPERVISE_ALL, new RecordingGateway());
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(guest.hostPid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertEquals(ExitStatus.killed(9), await(guest));
    }

    @Test
    void signalReachesTheMainProgram() throws Exception {
        GuestProcess guest = PLATFORM.launch(spec("sleep", "30"), TestConfinements.SUPERVISE_ALL, new RecordingGateway());
        guest.signal(SIGTERM);
        assertEquals(ExitStatus.killed(SIGTERM), await(guest));
        guest.signal(SIGTERM); // after the end: nothing happens, nothing else is signalled
    }

    @Test
    void killEndsTheWholeTree() throws Exception {
        Set<Integer> pids = ConcurrentHashMap.newKeySet();
        RecordingGateway gateway = new RecordingGateway((call, memory) -> pids.add(call.pid()));
        GuestProcess guest = PLATFORM.launch(spec("sh", "-c", "sleep 30 & sleep 30 & wait"), TestConfinements.SUPERVISE_ALL, gateway);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pids.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(pids.size() >= 3, "the shell and both sleeps made calls: " + pids);
        guest.kill();
        assertEquals(ExitStatus.killed(9), await(guest));
        for (int pid : pids) {
            assertFalse(Files.exists(Path.of("/proc/" + pid)), "guest task " + pid + " still exists");
        }
    }

    /** Like a container: the sandbox ends with its main program, and what it left running dies. */
    @Test
    void leftoverProcessesDieWithTheMainProgram() throws Exception {
        Set<Integer> pids = ConcurrentHashMap.newKeySet();
        RecordingGateway gateway = new RecordingGateway((call, memory) -> pids.add(call.pid()));
        long start = System.nanoTime();
        GuestProcess guest = PLATFORM.launch(spec("sh", "-c", "sleep 30 & sleep 0.2; exit 3"), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(3), await(guest));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "did not wait for the background sleep");
        assertEquals(3, pids.size(), "the shell and both sleeps: " + pids);
        for (int pid : pids) {
            assertFalse(ProcessTree.alive(pid), "guest task " + pid + " still runs");
        }
    }

    @Test
    void everyThreadIsSupervised() throws Exception {
        RecordingGateway gateway = new RecordingGateway();
        GuestProcess guest = PLATFORM.launch(spec(program("threads"), "4"), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(0), await(guest));
        int pid = (int) guest.hostPid();
        Set<Integer> threads = gateway.calls.stream().filter(call -> call.tid() != pid)
                .map(RecordingGateway.Call::tid).collect(Collectors.toSet());
        assertEquals(4, threads.size(), "calls from the four threads");
        assertTrue(gateway.calls.stream().allMatch(call -> call.pid() == pid), "threads belong to the guest");
        assertEquals(4, gateway.calls.stream().filter(call -> call.number() == LinuxSyscalls.SYS_EXIT).count(),
                "each thread's exit");
    }

    @Test
    void forkVforkAndExecAreSupervised() throws Exception {
        RecordingGateway gateway = new RecordingGateway();
        GuestProcess guest = PLATFORM.launch(spec(program("proctree")), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(0), await(guest));
        int pid = (int) guest.hostPid();
        List<RecordingGateway.Call> children = gateway.calls.stream().filter(call -> call.pid() != pid).toList();
        assertEquals(2, children.stream().map(RecordingGateway.Call::pid).distinct().count(),
                "the fork child and the vfork child");
        assertTrue(children.stream().anyMatch(call -> call.number() == SYS_GETPPID), "the fork child's getppid");
        assertTrue(children.stream().anyMatch(call -> call.number() == SYS_EXECVE), "the vfork child's execve");
        assertEquals(LinuxSyscalls.SYS_EXIT_GROUP, gateway.callsOf(pid).getLast().number());
    }

    @Test
    void programsAreCheckedBeforeLaunch() {
        RecordingGateway gateway = new RecordingGateway();
        SandboxException missing = assertThrows(SandboxException.class,
                () -> PLATFORM.launch(spec("no-such-program-here"), TestConfinements.SUPERVISE_ALL, gateway));
        assertEquals("no such program: no-such-program-here", missing.getMessage());
        SandboxException notExecutable = assertThrows(SandboxException.class,
                () -> PLATFORM.launch(spec("/etc/passwd"), TestConfinements.SUPERVISE_ALL, gateway));
        assertEquals("not executable: /etc/passwd", notExecutable.getMessage());
        SandboxException noDirectory = assertThrows(SandboxException.class, () -> PLATFORM.launch(
                new SandboxSpec(List.of("/bin/true"), Map.of(), directory.resolve("gone"), List.of(PolicySource.profile("trace")), Isolation.DEFAULT, directory), TestConfinements.SUPERVISE_ALL,
                gateway));
        assertEquals("working directory does not exist: " + directory.resolve("gone"), noDirectory.getMessage());
        assertEquals(0, gateway.closes, "a failed launch leaves the gateway to the caller");
    }

    @Test
    void execFailureInTheSandboxExitsLikeAShell() throws Exception {
        Path script = directory.resolve("script");
        Files.writeString(script, "#!/nonexistent/interpreter\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        RecordingGateway gateway = new RecordingGateway();
        assertEquals(ExitStatus.exited(127), run(gateway, spec(script.toString())));
        assertTrue(gateway.calls.stream().anyMatch(call -> call.number() == 1), "the error message was written");
    }

    @Test
    void verdictsAreAnsweredAndMemoryDependentAllowsNeverContinue() throws Exception {
        Path result = directory.resolve("result");
        List<VerdictAction> actions = List.of(VerdictAction.ALLOW, VerdictAction.DENY, VerdictAction.EMULATE);
        for (VerdictAction action : actions) {
            RecordingGateway gateway = new RecordingGateway((call, memory) -> {
                if (call.number() == SYS_GETPPID) {
                    switch (action) {
                        case ALLOW -> call.verdict(VerdictAction.ALLOW, 0, 1, true);
                        case DENY -> call.verdict(VerdictAction.DENY, 13, 2, false);
                        default -> {
                            call.verdict(VerdictAction.EMULATE, 0, 3, false);
                            call.result(4242);
                        }
                    }
                }
            });
            LinuxGuest guest = (LinuxGuest) PLATFORM.launch(spec(program("getppid_loop"), "5", result.toString()), TestConfinements.SUPERVISE_ALL,
                    gateway);
            assertEquals(ExitStatus.exited(0), await(guest));
            long[] outcome = loopResult(result);
            switch (action) {
                case ALLOW -> {
                    assertEquals(5, outcome[1], "memory-dependent ALLOW fails closed");
                    assertEquals(LinuxSyscalls.EPERM, outcome[5]);
                    assertEquals(5, guest.refusedMemoryDependentAllows());
                }
                case DENY -> {
                    assertEquals(5, outcome[1]);
                    assertEquals(13, outcome[5], "the verdict's errno");
                }
                default -> {
                    assertEquals(0, outcome[1]);
                    assertEquals(4242, outcome[4], "the emulated result");
                }
            }
            RecordingGateway.Call answered = gateway.calls.stream()
                    .filter(call -> call.number() == SYS_GETPPID).findFirst().orElseThrow();
            assertTrue(answered.resultKnown());
            assertEquals(action == VerdictAction.EMULATE ? 4242 : action == VerdictAction.DENY ? -13 : -1,
                    answered.returnValue());
        }
    }

    @Test
    void killVerdictKillsTheSandbox() throws Exception {
        RecordingGateway gateway = new RecordingGateway((call, memory) -> {
            if (call.number() == SYS_GETPPID) {
                call.verdict(VerdictAction.KILL, 0, 7, false);
            }
        });
        GuestProcess guest = PLATFORM.launch(spec(program("getppid_loop"), "1000000", directory.resolve("r").toString()), TestConfinements.SUPERVISE_ALL,
                gateway);
        assertEquals(ExitStatus.killed(9), await(guest));
        assertFalse(Files.exists(directory.resolve("r")));
    }

    @Test
    void aFailingBusKillsTheSandboxButStillEndsIt() throws Exception {
        RecordingGateway gateway = new RecordingGateway((call, memory) -> {
            if (call.number() == SYS_GETPPID) {
                throw new IllegalStateException("bus broke");
            }
        });
        LinuxGuest guest = (LinuxGuest) PLATFORM.launch(
                spec(program("getppid_loop"), "1000000", directory.resolve("r").toString()), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.killed(9), await(guest));
        assertEquals(1, gateway.exits);
        assertEquals(1, gateway.closes);
        assertTrue(guest.failClosedAnswers() >= 1);
    }

    @Test
    void guestMemoryReadsStopAtUnmappedPages() throws Exception {
        List<Integer> lengths = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        List<Integer> rawReads = new ArrayList<>();
        RecordingGateway gateway = new RecordingGateway((call, memory) -> {
            if (call.number() == SYS_OPENAT && (int) call.arg(0) == -100) {
                byte[] buffer = new byte[8192];
                int length = memory.readString(call.arg(1), buffer, 0, buffer.length);
                lengths.add(length);
                strings.add(length >= 0 ? new String(buffer, 0, length) : null);
                rawReads.add(memory.read(call.arg(1), buffer, 0, 100));
                assertTrue(memory.stillPending());
            }
        });
        assertEquals(ExitStatus.exited(0), run(gateway, spec(program("page_end_strings"))));
        // The dynamic loader opens libraries first; the program's three calls come last.
        List<Integer> last = lengths.subList(lengths.size() - 3, lengths.size());
        assertEquals(List.of("/meridian/page-end".length(), GuestMemory.FAULT, GuestMemory.FAULT), last);
        assertEquals("/meridian/page-end", strings.get(strings.size() - 3));
        assertEquals(List.of("/meridian/page-end".length() + 1, GuestMemory.FAULT, 16),
                rawReads.subList(rawReads.size() - 3, rawReads.size()), "reads end at the unmapped page");
    }

    @Test
    void stringArraysReadAtOnceMatchReadingThemOneByOne() throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        RecordingGateway gateway = new RecordingGateway((call, memory) -> {
            byte[] path = new byte[64];
            int pathLength = call.number() == SYS_EXECVE ? memory.readString(call.arg(0), path, 0, path.length) : -1;
            if (pathLength < 0 || !"/meridian/strings".equals(new String(path, 0, pathLength, StandardCharsets.UTF_8))) {
                return;
            }
            byte[] pointers = new byte[33 * Long.BYTES];
            int read = memory.read(call.arg(1), pointers, 0, pointers.length);
            int count = 0;
            while (count < read / Long.BYTES && GuestMemory.pointerAt(pointers, count * Long.BYTES) != 0) {
                count++;
            }
            // The interface's own way: one string, one read and one check at a time.
            int array = whole.size();
            GuestMemory oneByOne = new GuestMemory() {
                @Override
                public int read(long address, byte[] dst, int offset, int length) {
                    return memory.read(address, dst, offset, length);
                }

                @Override
                public int readString(long address, byte[] dst, int offset, int max) {
                    return memory.readString(address, dst, offset, max);
                }

                @Override
                public boolean stillPending() {
                    return memory.stillPending();
                }
            };
            for (int max : new int[] {16_384, 1024, 100, 23, 6, 1}) {
                byte[] atOnce = new byte[max];
                byte[] reference = new byte[max];
                int a = memory.readStrings(pointers, 0, count, atOnce, 0, max);
                int b = oneByOne.readStrings(pointers, 0, count, reference, 0, max);
                if (a != b || a < 0 || !Arrays.equals(atOnce, 0, a, reference, 0, b)) {
                    mismatches.add("array " + array + ", max " + max + ": " + a + " bytes, one by one " + b);
                }
                if (max == 16_384) {
                    whole.add(a < 0 ? null : new String(atOnce, 0, a, StandardCharsets.ISO_8859_1));
                }
            }
        });
        assertEquals(ExitStatus.exited(0), run(gateway, spec(program("string_arrays"))));
        assertEquals(List.of(), mismatches);
        assertEquals(List.of(
                "first\0crosses-a-page-boundary\0ends-at-the-unmapped-page\0", // ends at the unmapped string
                "first\0" + "L".repeat(6000) + "\0crosses-a-page-boundary\0ends-at-the-unmapped-page\0",
                "crosses-a-page-boundary\0"), // the next one runs into the unmapped page
                whole);
    }

    @Test
    void launchingThreadMayEndBeforeTheGuest() throws Exception {
        AtomicReference<GuestProcess> guest = new AtomicReference<>();
        Thread launcher = Thread.ofPlatform().start(() -> {
            try {
                guest.set(PLATFORM.launch(spec("sh", "-c", "sleep 0.3; exit 7"), TestConfinements.SUPERVISE_ALL, new RecordingGateway()));
            } catch (SandboxException e) {
                throw new IllegalStateException(e);
            }
        });
        launcher.join();
        assertEquals(ExitStatus.exited(7), await(guest.get()));
    }

    @Test
    void guestDiesWhenTheHelperDies() throws Exception {
        GuestProcess guest = PLATFORM.launch(spec("sleep", "30"), TestConfinements.SUPERVISE_ALL, new RecordingGateway());
        long init = ProcessTree.parentOf(guest.hostPid());
        long helper = ProcessTree.parentOf(init);
        assertEquals(ProcessHandle.current().pid(), ProcessTree.parentOf(helper), "guest -> init -> helper -> JVM");
        assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(helper)).start().waitFor());
        assertEquals(ExitStatus.killed(9), await(guest));
        assertFalse(ProcessTree.alive(guest.hostPid()), "guest tasks are reaped before the end is reported");
        // The init itself may still be finishing its exit (it runs no guest code).
        assertTrue(ProcessTree.awaitDeath(init, 5), "the namespace init outlived its helper");
    }

    @Test
    void guestDiesWhenTheSupervisorJvmDies() throws Exception {
        Path pidFile = directory.resolve("guest.pid");
        Process jvm = SupervisorJvm.start(NativePrograms.helper(), pidFile);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(pidFile) && jvm.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(pidFile), "the supervisor JVM started a guest");
            long guestPid = Long.parseLong(Files.readString(pidFile).strip());
            assertTrue(ProcessTree.alive(guestPid));
            jvm.destroyForcibly().waitFor();
            assertTrue(ProcessTree.awaitDeath(guestPid, 5), "the guest outlived its supervisor");
        } finally {
            jvm.destroyForcibly();
        }
    }
}
