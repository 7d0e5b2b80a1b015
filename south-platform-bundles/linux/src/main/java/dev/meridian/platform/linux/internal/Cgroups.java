package dev.meridian.platform.linux.internal;

import dev.meridian.api.Isolation.CgroupLimits;
import dev.meridian.api.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Per-sandbox cgroups on the host's cgroup v2 hierarchy: {@code <hierarchy>/meridian/<sandbox>},
 * with the controllers the limits need enabled on the way down. The helper moves itself into the
 * cgroup before it creates the guest's namespaces, so the whole sandbox is born inside it.
 * Where the hierarchy or a controller is missing, the launch fails (fail closed).
 */
final class Cgroups {

    private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
    private static final Path MOUNTS = Path.of("/proc/self/mountinfo");
    private static final Path USUAL_HIERARCHY = Path.of("/sys/fs/cgroup");
    private static final String PARENT = "meridian";
    private static final long CPU_PERIOD_MICROS = 100_000;
    private static final long REMOVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private Cgroups() {
    }

    /** Checks the limits' values; the host is checked when the cgroup is created. */
    static void check(CgroupLimits limits) throws SandboxException {
        if (limits.memoryBytes() < 0 || limits.maxProcesses() < 0 || limits.cpuPercent() < 0) {
            throw new SandboxException("cgroup limits must not be negative: " + limits);
        }
    }

    /**
     * Creates the sandbox's cgroup with its limits.
     *
     * @throws SandboxException naming what the host lacks, or why the cgroup cannot be made
     */
    static Path create(CgroupLimits limits, String sandbox) throws SandboxException {
        Path hierarchy = hierarchy();
        Set<String> needed = new LinkedHashSet<>();
        if (limits.memoryBytes() > 0) {
            needed.add("memory");
        }
        if (limits.maxProcesses() > 0) {
            needed.add("pids");
        }
        if (limits.cpuPercent() > 0) {
            needed.add("cpu");
        }
        Set<String> offered = Set.of(read(hierarchy.resolve("cgroup.controllers")).split("\\s+"));
        List<String> missing = new ArrayList<>(needed);
        missing.removeAll(offered);
        if (!missing.isEmpty()) {
            throw new SandboxException("cgroup limits are not available on this host: the cgroup v2 hierarchy at "
                    + hierarchy + " lacks the " + String.join(", ", missing) + " controller"
                    + (missing.size() > 1 ? "s" : "") + " (it offers: " + String.join(" ", offered).strip()
                    + "; the others are probably bound to cgroup v1)");
        }
        Path parent = hierarchy.resolve(PARENT);
        Path cgroup = parent.resolve(sandbox);
        try {
            Files.createDirectories(parent);
            enable(hierarchy, needed);
            enable(parent, needed);
            Files.createDirectory(cgroup);
        } catch (IOException e) {
            throw new SandboxException("cannot create the sandbox's cgroup " + cgroup + ": " + describe(e), e);
        }
        try {
            if (limits.memoryBytes() > 0) {
                write(cgroup.resolve("memory.max"), Long.toString(limits.memoryBytes()));
                // Without this the limit only moves the excess to swap.
                if (Files.exists(cgroup.resolve("memory.swap.max"))) {
                    write(cgroup.resolve("memory.swap.max"), "0");
                }
            }
            if (limits.maxProcesses() > 0) {
                write(cgroup.resolve("pids.max"), Long.toString(limits.maxProcesses()));
            }
            if (limits.cpuPercent() > 0) {
                long quota = limits.cpuPercent() * CPU_PERIOD_MICROS / 100;
                write(cgroup.resolve("cpu.max"), quota + " " + CPU_PERIOD_MICROS);
            }
            return cgroup;
        } catch (IOException e) {
            remove(cgroup);
            throw new SandboxException("cannot set the limits of cgroup " + cgroup + ": " + describe(e), e);
        }
    }

    /** Kills what is left in the cgroup and removes it; problems are logged, not thrown. */
    static void remove(Path cgroup) {
        try {
            Path kill = cgroup.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                write(kill, "1");
            }
            long deadline = System.nanoTime() + REMOVE_TIMEOUT_NANOS;
            while (read(cgroup.resolve("cgroup.events")).contains("populated 1") && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            Files.delete(cgroup);
        } catch (IOException | SandboxException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove cgroup " + cgroup + ": " + e.getMessage());
        }
    }

    /** The cgroup2 mount: {@code /sys/fs/cgroup} when it is one, else the first listed. */
    private static Path hierarchy() throws SandboxException {
        Path found = null;
        for (String line : read(MOUNTS).split("\n")) {
            int separator = line.indexOf(" - ");
            String[] fields = line.split(" ");
            if (separator < 0 || fields.length < 5 || !line.substring(separator + 3).startsWith("cgroup2 ")) {
                continue;
            }
            Path mountPoint = Path.of(fields[4].replace("\\040", " "));
            if (mountPoint.equals(USUAL_HIERARCHY)) {
                return mountPoint;
            }
            if (found == null) {
                found = mountPoint;
            }
        }
        if (found == null) {
            throw new SandboxException("cgroup limits are not available on this host: no cgroup v2 hierarchy is mounted");
        }
        return found;
    }

    private static void enable(Path cgroup, Set<String> controllers) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        Set<String> enabled = Set.of(Files.readString(control).split("\\s+"));
        for (String controller : controllers) {
            if (!enabled.contains(controller)) {
                write(control, "+" + controller);
            }
        }
    }

    private static String read(Path file) throws SandboxException {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new SandboxException("cannot read " + file + ": " + describe(e), e);
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
