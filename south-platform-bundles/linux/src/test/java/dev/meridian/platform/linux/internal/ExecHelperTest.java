package dev.meridian.platform.linux.internal;

import dev.meridian.api.Isolation;
import dev.meridian.api.SandboxException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec helper run directly: its config checks and its unprivileged path. */
class ExecHelperTest {

    private static final int NOBODY = 65534;

    @TempDir
    Path directory;

    private static byte[] config(long supervisorPid, Path fifo) {
        return HelperConfig.encode(supervisorPid, fifo, Map.of("PATH", "/bin"), SeccompProgram.notifyEverything(),
                LinuxSyscalls.SECCOMP_FILTER_FLAG_NEW_LISTENER | LinuxSyscalls.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                null, defaultIsolation());
    }

    private static byte[] defaultIsolation() {
        try {
            return IsolationPlan.check(Isolation.DEFAULT, Path.of("/tmp")).section(Path.of("/"), null, null);
        } catch (SandboxException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] validConfig() {
        return config(ProcessHandle.current().pid(), Path.of("/nonexistent/report"));
    }

    /** Runs the helper on {@code bytes}; returns its exit status and what it wrote to stderr. */
    private Object[] runHelper(byte[] bytes, String permissions) throws IOException, InterruptedException {
        Path config = directory.resolve("config");
        Files.deleteIfExists(config);
        Files.write(config, bytes);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString(permissions));
        Process helper = new ProcessBuilder(NativePrograms.helper().toString(), config.toString(), "--", "/bin/true")
                .redirectErrorStream(true)
                .start();
        String output = new String(helper.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Object[] {helper.waitFor(), output.strip()};
    }

    private void assertRefused(byte[] bytes, String message) throws IOException, InterruptedException {
        Object[] result = runHelper(bytes, "rw-------");
        assertEquals(125, result[0]);
        assertEquals("meridian-exec: " + message, result[1]);
    }

    @Test
    void refusesConfigsItCannotTrust() throws Exception {
        byte[] badMagic = validConfig();
        badMagic[0] = 'X';
        assertRefused(badMagic, "config is not a meridian-exec config (bad magic)");
        assertFalse(Files.exists(directory.resolve("config")), "a config is single-use: removed once read");

        byte[] newerVersion = validConfig();
        newerVersion[4] = 2;
        assertRefused(newerVersion, "config version 2 is not supported (this helper reads version 1)");

        byte[] truncated = Arrays.copyOf(validConfig(), validConfig().length - 3);
        assertRefused(truncated, "config is truncated in section");

        Object[] shared = runHelper(validConfig(), "rw-r--r--");
        assertEquals(125, shared[0]);
        assertEquals("meridian-exec: config " + directory.resolve("config") + " must be a regular file private to uid "
                + Files.getAttribute(Path.of("/proc/self"), "unix:uid"), shared[1]);
    }

    /** {@code config} with one more section appended. */
    private static byte[] withSection(byte[] config, int type, byte[] payload) {
        ByteBuffer extended = ByteBuffer.allocate(config.length + 8 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        extended.put(config).putInt(type).putInt(payload.length).put(payload);
        extended.putInt(12, ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN).getInt(12) + 1);
        return extended.array();
    }

    /** A later version may add section 7: this helper must refuse, not ignore it. */
    @Test
    void refusesSectionsItDoesNotKnow() throws Exception {
        assertRefused(withSection(validConfig(), 7, new byte[] {1, 2, 3, 4}),
                "config section type 7 is not supported by this helper");
    }

    @Test
    void refusesMalformedLandlockSections() throws Exception {
        LandlockRuleset relative = new LandlockRuleset(LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_FILE, 0, 0,
                Map.of("etc", LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_FILE), Map.of());
        assertRefused(withSection(validConfig(), HelperConfig.SECTION_LANDLOCK, relative.encode()),
                "config landlock path rule 0 is not an absolute path");
        byte[] truncated = Arrays.copyOf(relative.encode(), 30);
        assertRefused(withSection(validConfig(), HelperConfig.SECTION_LANDLOCK, truncated),
                "config is truncated in landlock path rule");
    }

    @Test
    void reportsFailuresToTheSupervisorOnceItListens() throws Exception {
        try (Fifo fifo = new Fifo(directory.resolve("report"))) {
            Object[] result = runHelper(config(1, fifo.path), "rw-------");
            assertEquals(125, result[0]);
            assertEquals("", result[1], "the message went to the supervisor, not the terminal");
            HelperReport report = fifo.read(() -> false);
            assertEquals("supervisor 1 is gone", report.failure);
        }
    }

    /**
     * Without CAP_SYS_ADMIN, the helper gets its PID namespace inside a user namespace; the
     * namespace still dies with the helper.
     */
    @Test
    void unprivilegedUsersGetAUserNamespace() throws Exception {
        Path shared = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "unprivileged-");
        try (Fifo fifo = new Fifo(shared.resolve("report"))) {
            Path config = shared.resolve("config");
            Files.write(config, config(ProcessHandle.current().pid(), fifo.path));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
            for (Path path : List.of(shared, config, fifo.path)) {
                Files.setAttribute(path, "unix:uid", NOBODY);
                Files.setAttribute(path, "unix:gid", NOBODY);
            }
            Process helper = startAsNobody(config, "/bin/true");
            try {
                HelperReport report = awaitUnprivilegedGuest(fifo, helper);
                long guest = report.guestPid;
                assertEquals(NOBODY, Files.getAttribute(Path.of("/proc/" + guest), "unix:uid"));
                // Nobody takes the listener: the guest waits in its handshake until the helper dies.
                helper.destroyForcibly().waitFor();
                assertTrue(ProcessTree.awaitDeath(guest, 5), "the guest outlived its helper");
            } finally {
                helper.destroyForcibly();
            }
        } finally {
            try (var files = Files.list(shared)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(shared);
        }
    }

    /**
     * Unprivileged, the whole view is built inside the user namespace: an overlay rootfs (user.*
     * xattrs), /dev with devpts, tmpfs, a bind, loopback, and pivot_root. Nobody takes the listener,
     * so the guest waits in execve while the test looks at its view through /proc/PID/root.
     */
    @Test
    void unprivilegedUsersGetTheWholeIsolation() throws Exception {
        Path shared = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "unprivileged-");
        Path rootfs = TinyRootfs.build(shared.resolve("rootfs"));
        Path sandbox = Files.createDirectory(shared.resolve("sandbox"));
        Path bound = Files.createDirectory(shared.resolve("bound"));
        for (String layer : List.of("upper", "work", "root")) {
            Files.createDirectory(sandbox.resolve(layer));
        }
        try (Fifo fifo = new Fifo(shared.resolve("report")); Stream<Path> tree = Files.walk(shared)) {
            Isolation isolation = new Isolation(rootfs, false, List.of(
                    new Isolation.Mount(Isolation.Mount.Kind.TMPFS, Path.of("/scratch")),
                    new Isolation.Mount(Isolation.Mount.Kind.READ_ONLY, bound)),
                    Isolation.Network.LOOPBACK, Set.of(), Set.of(), "guest", Map.of(), null, Set.of());
            byte[] section = IsolationPlan.check(isolation, shared).section(Path.of("/"), sandbox, null);
            Path config = shared.resolve("config");
            Files.write(config, HelperConfig.encode(ProcessHandle.current().pid(), fifo.path, Map.of("PATH", "/bin"),
                    SeccompProgram.notifyEverything(), LinuxSyscalls.SECCOMP_FILTER_FLAG_NEW_LISTENER, null, section));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
            for (Path path : Stream.concat(tree, Stream.of(config)).toList()) {
                Files.setAttribute(path, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            }
            Process helper = startAsNobody(config, "/bin/sh");
            try {
                HelperReport report = awaitUnprivilegedGuest(fifo, helper);
                Path view = Path.of("/proc/" + report.guestPid + "/root");
                assertTrue(Files.isRegularFile(view.resolve("bin/sh")));
                assertTrue(Files.exists(view.resolve("dev/null")) && Files.isDirectory(view.resolve("dev/pts")));
                assertTrue(Files.isDirectory(view.resolve("scratch")) && Files.isDirectory(view.resolve("proc/1")));
                assertFalse(Files.exists(view.resolve(shared.toString().substring(1)).resolve("rootfs")),
                        "only the bound directory of the host is visible");
                String mounts = Files.readString(Path.of("/proc/" + report.guestPid + "/mountinfo"));
                assertTrue(mounts.lines().anyMatch(line -> line.contains(" / / ") && line.contains(" - overlay ")),
                        mounts);
                assertTrue(mounts.lines().anyMatch(line -> line.contains(" " + bound + " ro,")), mounts);
                helper.destroyForcibly().waitFor();
            } finally {
                helper.destroyForcibly();
            }
        } finally {
            FileTrees.delete(shared);
        }
    }

    private static Process startAsNobody(Path config, String program) throws IOException {
        return new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                NativePrograms.helper().toString(), config.toString(), "--", program)
                .directory(Path.of("/").toFile())
                .inheritIO()
                .start();
    }

    /** The report of a guest that started in a user namespace (and now waits in execve). */
    private static HelperReport awaitUnprivilegedGuest(Fifo fifo, Process helper) throws InterruptedException {
        HelperReport report = fifo.read(() -> !helper.isAlive());
        assertEquals(null, report.failure);
        assertEquals(HelperReport.NAMESPACE_USER_PID, report.namespaceKind);
        assertTrue(report.ready(), "the guest reported");
        return report;
    }

    /** A report FIFO with its read end open, as the supervisor holds it. */
    private static final class Fifo implements AutoCloseable {
        final Path path;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment state = arena.allocate(LinuxSyscalls.CALL_STATE);
        private final int fd;

        Fifo(Path path) {
            this.path = path;
            MemorySegment name = arena.allocateFrom(path.toString());
            assertEquals(0, LinuxSyscalls.mkfifo(state, name, 0600));
            fd = LinuxSyscalls.open(state, name, LinuxSyscalls.O_RDONLY | LinuxSyscalls.O_NONBLOCK);
            assertTrue(fd >= 0);
        }

        /** Reads until a failure or the guest's READY arrives, or {@code done} says to stop. */
        HelperReport read(java.util.function.BooleanSupplier done) throws InterruptedException {
            HelperReport report = new HelperReport();
            MemorySegment buffer = arena.allocate(4096);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                report.drain(state, fd, buffer);
                if (report.failure != null || report.ready() || done.getAsBoolean()) {
                    report.drain(state, fd, buffer);
                    return report;
                }
                Thread.sleep(5);
            }
            return report;
        }

        @Override
        public void close() {
            LinuxSyscalls.close(fd);
            arena.close();
        }
    }
}
