package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.Isolation;
import dev.meridian.api.Isolation.CgroupLimits;
import dev.meridian.api.Isolation.Limit;
import dev.meridian.api.Isolation.Mount;
import dev.meridian.api.Isolation.Network;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isolation options applied by the real kernel: each test runs a guest and checks what it
 * observed (files it wrote, the isolation_probe's reports), against the host where that tells
 * the isolation apart from how things are anyway.
 */
class IsolationTest {

    @TempDir
    Path directory;

    @TempDir
    Path runtime;

    private LinuxPlatform platform() {
        Map<String, String> properties = Map.of(LinuxPlatform.HELPER_PROPERTY, NativePrograms.helper().toString(),
                LinuxPlatform.RUNTIME_DIRECTORY_PROPERTY, runtime.toString());
        return new LinuxPlatform(properties::get);
    }

    /** Guests with a rootfs start in its root, the others in {@link #directory}. */
    private SandboxSpec spec(Isolation isolation, String... command) {
        return spec(isolation.rootfs() == null ? directory : Path.of("/"), isolation, command);
    }

    private SandboxSpec spec(Path workingDirectory, Isolation isolation, String... command) {
        return new SandboxSpec(List.of(command), Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"), workingDirectory,
                List.of(PolicySource.profile("trace")), isolation, directory.resolve("journal"));
    }

    private ExitStatus run(Isolation isolation, String... command) throws Exception {
        GuestProcess guest = platform().launch(spec(isolation, command), TestConfinements.SUPERVISE_ALL,
                new RecordingGateway());
        return guest.exit().get(60, TimeUnit.SECONDS);
    }

    /** Runs the probe in the sandbox and returns what it wrote. */
    private String probe(Isolation isolation, String... arguments) throws Exception {
        Path out = directory.resolve("probe.out");
        Files.deleteIfExists(out);
        List<String> command = new ArrayList<>(List.of(NativePrograms.program("isolation_probe").toString(),
                out.toString()));
        command.addAll(List.of(arguments));
        assertEquals(ExitStatus.exited(0), run(isolation, command.toArray(String[]::new)));
        return Files.readString(out).strip();
    }

    /** The probe run natively, for comparison. */
    private String probeNatively(String... arguments) throws Exception {
        Path out = directory.resolve("native.out");
        List<String> command = new ArrayList<>(List.of(NativePrograms.program("isolation_probe").toString(),
                out.toString()));
        command.addAll(List.of(arguments));
        assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor());
        return Files.readString(out).strip();
    }

    private static Isolation with(Network network, String hostname) {
        return new Isolation(null, false, List.of(), network, Set.of(), Set.of(), hostname, Map.of(), null, Set.of());
    }

    private static Isolation withMounts(Path rootfs, boolean keepWrites, Mount... mounts) {
        return new Isolation(rootfs, keepWrites, List.of(mounts), Network.HOST, Set.of(), Set.of(), null, Map.of(), null,
                Set.of());
    }

    private static Isolation withLimits(Map<Limit, Long> limits, CgroupLimits cgroup, Set<Integer> descriptors) {
        return new Isolation(null, false, List.of(), Network.HOST, Set.of(), Set.of(), null, limits, cgroup,
                descriptors);
    }

    @Test
    void guestSeesOnlyItsOwnProcessesInProc() throws Exception {
        String nativePids = probeNatively("pids");
        assertTrue(Arrays.asList(nativePids.split(" ")).contains(Long.toString(ProcessHandle.current().pid())));

        String[] pids = probe(Isolation.DEFAULT, "pids").split(" ");
        // The namespace's init and the probe: no host process, not even the supervisor.
        assertEquals(Set.of("1", "2"), Set.of(pids), String.join(" ", pids));
    }

    @Test
    void hostnameIsTheSandboxesOwn() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        Path out = directory.resolve("hostname");
        assertEquals(ExitStatus.exited(0), run(with(Network.HOST, "meridian-guest"),
                "sh", "-c", "cat /proc/sys/kernel/hostname > " + out));
        assertEquals("meridian-guest", Files.readString(out).strip());
        assertEquals(host, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), "the host keeps its name");
    }

    @Test
    void networkNoneHasNoUsableInterface() throws Exception {
        assertEquals("ECONNREFUSED", probeNatively("connect", "1"));
        assertEquals("ENETUNREACH", probe(with(Network.NONE, null), "connect", "1"));
        // A new network namespace always has lo, left down.
        assertEquals("lo", probe(with(Network.NONE, null), "interfaces"));
        assertNotEquals("ok", probe(with(Network.NONE, null), "loopback"));
    }

    @Test
    void networkLoopbackWorksInsideOnly() throws Exception {
        assertEquals("lo", probe(with(Network.LOOPBACK, null), "interfaces"));
        assertEquals("ok", probe(with(Network.LOOPBACK, null), "loopback"));
        try (var listener = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(listener.getLocalPort());
            assertEquals("ok", probeNatively("connect", port));
            assertEquals("ECONNREFUSED", probe(with(Network.LOOPBACK, null), "connect", port),
                    "the host's listener is not in the sandbox's network");
        }
    }

    @Test
    void readOnlyMountRefusesWritesWithErofs() throws Exception {
        Path shared = Files.createDirectory(directory.resolve("shared"));
        Path error = directory.resolve("error");
        String write = "echo data 2> " + error + " > " + shared.resolve("new");
        assertEquals(ExitStatus.exited(2), run(withMounts(null, false, new Mount(Mount.Kind.READ_ONLY, shared)),
                "sh", "-c", write));
        assertTrue(Files.readString(error).contains("Read-only file system"), Files.readString(error));
        assertFalse(Files.exists(shared.resolve("new")));

        assertEquals(ExitStatus.exited(0), run(withMounts(null, false, new Mount(Mount.Kind.READ_WRITE, shared)),
                "sh", "-c", write));
        assertEquals("data", Files.readString(shared.resolve("new")).strip());
    }

    @Test
    void tmpfsIsEmptyWritableAndGoneAfterwards() throws Exception {
        Path scratch = Files.createDirectory(directory.resolve("scratch"));
        Files.writeString(scratch.resolve("host-file"), "host");
        Path out = directory.resolve("out");
        assertEquals(ExitStatus.exited(0), run(withMounts(null, false, new Mount(Mount.Kind.TMPFS, scratch)),
                "sh", "-c", "cd " + scratch + " && echo [*] > " + out + " && echo hi > new && cat new >> " + out));
        assertEquals("[*]\nhi", Files.readString(out).strip(), "empty (the glob stays unexpanded), then writable");
        try (Stream<Path> files = Files.list(scratch)) {
            assertEquals(List.of(scratch.resolve("host-file")), files.toList());
        }
    }

    @Test
    void rootfsDirectoryWritesVanishUnlessKept() throws Exception {
        Path rootfs = TinyRootfs.build(directory.resolve("rootfs"));
        Path results = Files.createDirectory(directory.resolve("results"));
        Mount resultsMount = new Mount(Mount.Kind.READ_WRITE, results);
        String script = "[ -e /written ] && echo before >> " + results + "/seen;"
                + " echo data > /written && echo wrote >> " + results + "/seen;"
                + " [ -c /dev/null ] && [ -d /proc/1 ] && echo /dev /proc >> " + results + "/seen;"
                + " echo tmp > /tmp/t && echo /tmp >> " + results + "/seen";

        assertEquals(ExitStatus.exited(0), run(withMounts(rootfs, false, resultsMount), "/bin/sh", "-c", script));
        assertEquals("wrote\n/dev /proc\n/tmp", Files.readString(results.resolve("seen")).strip());
        assertFalse(Files.exists(rootfs.resolve("written")), "the rootfs itself is never written");
        assertEquals(List.of(), sandboxDirectories(), "the writable layer is removed at exit");

        Files.delete(results.resolve("seen"));
        assertEquals(ExitStatus.exited(0), run(withMounts(rootfs, true, resultsMount), "/bin/sh", "-c", script));
        assertEquals("wrote\n/dev /proc\n/tmp", Files.readString(results.resolve("seen")).strip(),
                "a new sandbox does not see the last one's writes");
        List<Path> kept = sandboxDirectories();
        assertEquals(1, kept.size());
        assertEquals("data", Files.readString(kept.getFirst().resolve("upper/written")).strip());
        assertFalse(Files.exists(kept.getFirst().resolve("work")));
    }

    @Test
    void rootfsArchiveIsExtractedOnceAndShared() throws Exception {
        Path rootfs = TinyRootfs.build(directory.resolve("rootfs"));
        Path archive = directory.resolve("rootfs.tar");
        assertEquals(0, new ProcessBuilder("tar", "-c", "-f", archive.toString(), "-C", rootfs.toString(), ".")
                .inheritIO().start().waitFor());
        Path results = Files.createDirectory(directory.resolve("results"));
        String script = "echo $$ > " + results + "/pid";
        Isolation isolation = withMounts(archive, false, new Mount(Mount.Kind.READ_WRITE, results));
        assertEquals(ExitStatus.exited(0), run(isolation, "/bin/sh", "-c", script));
        assertEquals("2", Files.readString(results.resolve("pid")).strip());
        assertEquals(ExitStatus.exited(0), run(isolation, "/bin/sh", "-c", script));
        try (Stream<Path> caches = Files.list(runtime).filter(path -> path.getFileName().toString()
                .startsWith("meridian-rootfs-"))) {
            Path cache = caches.findFirst().orElseThrow();
            try (Stream<Path> entries = Files.list(cache)) {
                assertEquals(1, entries.count(), "extracted once");
            }
        }
    }

    @Test
    void badIsolationIsRefusedBeforeLaunch() {
        assertRefused("rootfs " + directory.resolve("missing") + " does not exist",
                withMounts(directory.resolve("missing"), false));
        assertRefused("cannot bind " + directory.resolve("missing") + ": it does not exist on the host",
                withMounts(null, false, new Mount(Mount.Kind.READ_ONLY, directory.resolve("missing"))));
        assertRefused("cannot mount a tmpfs on " + directory.resolve("missing") + ": no such directory on the host "
                + "(mount points are created only inside a rootfs)",
                withMounts(null, false, new Mount(Mount.Kind.TMPFS, directory.resolve("missing"))));
        assertRefused("limit OPEN_FILES 3 is too low: the guest needs descriptor 3 before its program starts "
                + "(at least 4)", withLimits(Map.of(Limit.OPEN_FILES, 3L), null, Set.of()));
        assertRefused("descriptor 4000 cannot be passed: it is not open", withLimits(Map.of(), null, Set.of(4000)));
        assertRefused("host name must have 1 to 64 bytes and no NUL: \"\"", with(Network.HOST, ""));
    }

    private void assertRefused(String message, Isolation isolation) {
        SandboxException e = assertThrows(SandboxException.class,
                () -> platform().launch(spec(isolation, "/bin/true"), TestConfinements.SUPERVISE_ALL,
                        new RecordingGateway()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void workingDirectoryMustExistInTheRootfs() throws Exception {
        Path rootfs = TinyRootfs.build(directory.resolve("rootfs"));
        SandboxException e = assertThrows(SandboxException.class, () -> platform().launch(
                spec(directory, withMounts(rootfs, false), "/bin/sh", "-c", "true"), TestConfinements.SUPERVISE_ALL,
                new RecordingGateway()));
        assertEquals("working directory does not exist in the rootfs: " + directory, e.getMessage());
    }

    @Test
    void openFilesLimitIsWhatTheGuestGets() throws Exception {
        Path out = directory.resolve("limit");
        String nativeLimit = new String(new ProcessBuilder("sh", "-c", "ulimit -n").start().getInputStream()
                .readAllBytes(), StandardCharsets.UTF_8).strip();
        assertNotEquals("64", nativeLimit);
        assertEquals(ExitStatus.exited(0), run(withLimits(Map.of(Limit.OPEN_FILES, 64L, Limit.FILE_SIZE, 1L << 20),
                null, Set.of()), "sh", "-c", "ulimit -n > " + out + "; ulimit -f >> " + out));
        // ulimit -f counts 512-byte blocks.
        assertEquals("64\n2048", Files.readString(out).strip());
    }

    @Test
    void passedDescriptorsAndOnlyThoseReachTheGuest() throws Exception {
        Path file = directory.resolve("passed");
        Files.writeString(file, "through the descriptor\n");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxSyscalls.CALL_STATE);
            int fd = LinuxSyscalls.open(state, arena.allocateFrom(file.toString()), LinuxSyscalls.O_RDONLY);
            assertTrue(fd > 2);
            try {
                Isolation isolation = withLimits(Map.of(), null, Set.of(fd));
                assertEquals("0 1 2 " + fd, probe(isolation, "fds"));
                Files.delete(file);
                assertEquals("through the descriptor", probe(isolation, "read", Integer.toString(fd)),
                        "the open file, not a new open of its path");
                assertEquals("0 1 2", probe(Isolation.DEFAULT, "fds"));
            } finally {
                LinuxSyscalls.close(fd);
            }
        }
    }

    @Test
    void cgroupLimitsApplyOrTheLaunchSaysWhyNot() throws Exception {
        Path out = directory.resolve("cgroup");
        CgroupLimits memory = new CgroupLimits(64L << 20, 32, 50);
        if (!hostOffersCgroupControllers("memory", "pids", "cpu")) {
            SandboxException e = assertThrows(SandboxException.class, () -> run(withLimits(Map.of(), memory, Set.of()),
                    "/bin/true"));
            assertTrue(e.getMessage().startsWith("cgroup limits are not available on this host: "), e.getMessage());
        } else {
            assertEquals(ExitStatus.exited(0), run(withLimits(Map.of(), memory, Set.of()), "sh", "-c",
                    "cat /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max"
                            + " /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/pids.max > " + out));
            assertEquals(List.of(Long.toString(64L << 20), "32"), Files.readAllLines(out));
        }
    }

    /** Without limits the sandbox still gets its own cgroup, which goes with it. */
    @Test
    void sandboxRunsInItsOwnCgroupRemovedAtExit() throws Exception {
        Path out = directory.resolve("cgroup");
        RecordingGateway gateway = new RecordingGateway();
        GuestProcess guest = platform().launch(spec(withLimits(Map.of(), new CgroupLimits(0, 0, 0), Set.of()),
                "sh", "-c", "grep ^0:: /proc/self/cgroup > " + out), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        String cgroup = Files.readString(out).strip().substring(3);
        assertTrue(cgroup.endsWith("/meridian/" + SandboxIds.format(gateway.sandboxId())), cgroup);
        assertFalse(Files.exists(cgroupHierarchy().resolve(cgroup.substring(1))), "removed at exit");
    }

    private static boolean hostOffersCgroupControllers(String... controllers) throws IOException {
        Path file = cgroupHierarchy().resolve("cgroup.controllers");
        return Set.of(Files.readString(file).strip().split("\\s+")).containsAll(List.of(controllers));
    }

    private static Path cgroupHierarchy() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.contains(" - cgroup2 "))
                .map(line -> Path.of(line.split(" ")[4]))
                .min((a, b) -> a.equals(Path.of("/sys/fs/cgroup")) ? -1 : b.equals(Path.of("/sys/fs/cgroup")) ? 1 : 0)
                .orElseThrow();
    }

    private List<Path> sandboxDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(runtime)) {
            return entries.filter(path -> path.getFileName().toString().startsWith("meridian-sandbox-")).toList();
        }
    }
}
