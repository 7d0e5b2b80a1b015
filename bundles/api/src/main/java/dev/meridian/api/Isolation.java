package dev.meridian.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a sandbox is set apart from the host before its first instruction: its file-system view,
 * network, names, resource limits and inherited descriptors. Every sandbox gets its own PID,
 * IPC and UTS namespaces; the rest is chosen here. {@link #DEFAULT} keeps the host's file system
 * and network as they are.
 *
 * @param rootfs a directory or tar archive mounted read-only as the guest's {@code /}, with a
 *     per-sandbox writable layer over it; {@code null} keeps the host's root
 * @param keepWrites keep the writable layer of {@code rootfs} after the sandbox exits (its path is
 *     reported) instead of removing it
 * @param mounts bind and tmpfs mounts, applied in order over the root
 * @param network the guest's network
 * @param connectPorts TCP ports the guest may connect to; empty means no port restriction from
 *     here (a policy may still restrict them); stacked over the policy's own port rules, so a
 *     port must be allowed by both
 * @param bindPorts TCP ports the guest may bind; empty as for {@code connectPorts}
 * @param hostname the guest's host name, or {@code null} for the host's
 * @param limits resource limits (setrlimit soft = hard)
 * @param cgroup cgroup v2 limits, or {@code null} for none
 * @param passedDescriptors descriptors above 2 that the guest inherits (all others are closed)
 */
public record Isolation(
        Path rootfs,
        boolean keepWrites,
        List<Mount> mounts,
        Network network,
        Set<Integer> connectPorts,
        Set<Integer> bindPorts,
        String hostname,
        Map<Limit, Long> limits,
        CgroupLimits cgroup,
        Set<Integer> passedDescriptors) {

    public static final Isolation DEFAULT = new Isolation(null, false, List.of(), Network.HOST, Set.of(), Set.of(),
            null, Map.of(), null, Set.of());

    /** The guest's network. */
    public enum Network {
        /** A network namespace with no interfaces at all, not even loopback. */
        NONE,
        /** A network namespace with only its own loopback interface, up. */
        LOOPBACK,
        /** The host's network namespace. */
        HOST
    }

    /** A path made visible in the guest's view, over whatever the root has there. */
    public record Mount(Kind kind, Path path) {
        public enum Kind {
            /** The host path, bind-mounted read-only at the same place. */
            READ_ONLY,
            /** The host path, bind-mounted writable at the same place. */
            READ_WRITE,
            /** An empty tmpfs, gone at exit. */
            TMPFS
        }

        public Mount {
            Objects.requireNonNull(kind, "kind");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("a mount point must be an absolute path: " + path);
            }
        }
    }

    /** setrlimit(2) resources. */
    public enum Limit {
        /** RLIMIT_CPU, seconds. */
        CPU_SECONDS,
        /** RLIMIT_AS, bytes. */
        ADDRESS_SPACE,
        /** RLIMIT_NPROC, processes of the guest's user. */
        PROCESSES,
        /** RLIMIT_FSIZE, bytes. */
        FILE_SIZE,
        /** RLIMIT_NOFILE, descriptors. */
        OPEN_FILES
    }

    /**
     * cgroup v2 limits; 0 leaves one unset.
     *
     * @param memoryBytes memory.max
     * @param maxProcesses pids.max
     * @param cpuPercent cpu.max as a percentage of one CPU (e.g. 50, or 200 for two)
     */
    public record CgroupLimits(long memoryBytes, long maxProcesses, int cpuPercent) {
    }

    public Isolation {
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(network, "network");
        connectPorts = Set.copyOf(connectPorts);
        bindPorts = Set.copyOf(bindPorts);
        limits = Map.copyOf(limits);
        passedDescriptors = Set.copyOf(passedDescriptors);
        for (int fd : passedDescriptors) {
            if (fd <= 2) {
                throw new IllegalArgumentException("descriptor " + fd + " is stdio, always passed");
            }
        }
    }
}
