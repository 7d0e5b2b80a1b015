package dev.meridian.platform.linux.internal;

import dev.meridian.api.Isolation;
import dev.meridian.api.SandboxException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * A sandbox's {@link Isolation}, checked against the host before anything starts, and encoded as
 * the helper's isolation section (type {@value #SECTION_ISOLATION}; meridian-exec-isolation.c
 * documents the layout).
 */
final class IsolationPlan {

    static final int SECTION_ISOLATION = 5;

    private static final int NEW_NETWORK = 1;
    private static final int LOOPBACK_UP = 2;
    private static final int MAX_HOSTNAME_BYTES = 64;
    private static final Path NR_OPEN = Path.of("/proc/sys/fs/nr_open");

    /** RLIMIT_* numbers on Linux x86-64. */
    private static final Map<Isolation.Limit, Integer> RESOURCES = Map.of(
            Isolation.Limit.CPU_SECONDS, 0,
            Isolation.Limit.FILE_SIZE, 1,
            Isolation.Limit.PROCESSES, 6,
            Isolation.Limit.OPEN_FILES, 7,
            Isolation.Limit.ADDRESS_SPACE, 9);

    private final Isolation isolation;
    private final Path lowerDirectory;

    private IsolationPlan(Isolation isolation, Path lowerDirectory) {
        this.isolation = isolation;
        this.lowerDirectory = lowerDirectory;
    }

    /**
     * Checks every option against this host and makes a tar rootfs ready (extracted once, see
     * {@link RootfsArchive}).
     *
     * @param runtimeBase where runtime directories (and extracted archives) are kept
     * @throws SandboxException naming the first option that cannot be applied
     */
    static IsolationPlan check(Isolation isolation, Path runtimeBase) throws SandboxException {
        Path lower = isolation.rootfs() == null ? null : lowerDirectory(isolation.rootfs(), runtimeBase);
        for (Isolation.Mount mount : isolation.mounts()) {
            checkMount(mount, lower != null);
        }
        checkHostname(isolation.hostname());
        checkLimits(isolation);
        if (isolation.cgroup() != null) {
            Cgroups.check(isolation.cgroup());
        }
        for (int fd : isolation.passedDescriptors()) {
            if (!Files.exists(Path.of("/proc/self/fd/" + fd), LinkOption.NOFOLLOW_LINKS)) {
                throw new SandboxException("descriptor " + fd + " cannot be passed: it is not open");
            }
        }
        return new IsolationPlan(isolation, lower);
    }

    Isolation isolation() {
        return isolation;
    }

    /** The rootfs directory the overlay uses as its lower layer, or null for the host's root. */
    Path lowerDirectory() {
        return lowerDirectory;
    }

    /** How the guest's paths map to host files, for checks before launch. */
    GuestView view() {
        return lowerDirectory == null ? GuestView.HOST : GuestView.rootedAt(lowerDirectory);
    }

    /** Where the helper starts: the working directory may exist only inside a rootfs. */
    Path helperDirectory(Path workingDirectory) {
        return lowerDirectory == null ? workingDirectory : Path.of("/");
    }

    private static Path lowerDirectory(Path rootfs, Path runtimeBase) throws SandboxException {
        if (Files.isDirectory(rootfs)) {
            if (rootfs.toAbsolutePath().normalize().getNameCount() == 0) {
                throw new SandboxException("rootfs / is the host's root: leave --rootfs out to use it");
            }
            return rootfs.toAbsolutePath().normalize();
        }
        if (Files.isRegularFile(rootfs)) {
            return RootfsArchive.extract(rootfs, runtimeBase);
        }
        throw new SandboxException(Files.exists(rootfs)
                ? "rootfs " + rootfs + " is neither a directory nor a tar archive"
                : "rootfs " + rootfs + " does not exist");
    }

    private static void checkMount(Isolation.Mount mount, boolean inRootfs) throws SandboxException {
        Path path = mount.path().normalize();
        if (path.getNameCount() == 0) {
            throw new SandboxException("cannot mount over /: use a rootfs for a different root");
        }
        if (mount.kind() != Isolation.Mount.Kind.TMPFS) {
            if (!Files.exists(path)) {
                throw new SandboxException("cannot bind " + path + ": it does not exist on the host");
            }
        } else if (!inRootfs && !Files.isDirectory(path)) {
            throw new SandboxException("cannot mount a tmpfs on " + path + ": no such directory on the host "
                    + "(mount points are created only inside a rootfs)");
        }
    }

    private static void checkHostname(String hostname) throws SandboxException {
        if (hostname == null) {
            return;
        }
        int bytes = hostname.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_HOSTNAME_BYTES || hostname.indexOf('\0') >= 0) {
            throw new SandboxException("host name must have 1 to " + MAX_HOSTNAME_BYTES
                    + " bytes and no NUL: \"" + hostname.replace('\0', '?') + "\"");
        }
    }

    private static void checkLimits(Isolation isolation) throws SandboxException {
        for (Map.Entry<Isolation.Limit, Long> limit : isolation.limits().entrySet()) {
            if (limit.getValue() < 0) {
                throw new SandboxException("limit " + limit.getKey() + " must not be negative: " + limit.getValue());
            }
        }
        Long openFiles = isolation.limits().get(Isolation.Limit.OPEN_FILES);
        if (openFiles == null) {
            return;
        }
        // The guest creates the seccomp listener under the limit, at the lowest free number.
        int listener = 3;
        while (isolation.passedDescriptors().contains(listener)) {
            listener++;
        }
        if (openFiles <= listener) {
            throw new SandboxException("limit OPEN_FILES " + openFiles + " is too low: the guest needs descriptor "
                    + listener + " before its program starts (at least " + (listener + 1) + ")");
        }
        try {
            // One read: sysctl files answer a read at a later offset with end of file.
            long kernelMaximum;
            try (var in = Files.newInputStream(NR_OPEN)) {
                kernelMaximum = Long.parseLong(new String(in.readNBytes(32), StandardCharsets.US_ASCII).strip());
            }
            if (openFiles > kernelMaximum) {
                throw new SandboxException("limit OPEN_FILES " + openFiles + " is above the kernel's maximum "
                        + kernelMaximum + " (" + NR_OPEN + ")");
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // No maximum to compare with: the helper reports the kernel's refusal.
        }
    }

    /**
     * @param workingDirectory where the guest starts, in its own view
     * @param sandboxDirectory the directory holding the overlay's layers, or null without rootfs
     * @param cgroup the cgroup the helper joins, or null
     */
    byte[] section(Path workingDirectory, Path sandboxDirectory, Path cgroup) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int flags = switch (isolation.network()) {
            case NONE -> NEW_NETWORK;
            case LOOPBACK -> NEW_NETWORK | LOOPBACK_UP;
            case HOST -> 0;
        };
        putInt(out, flags);
        putString(out, isolation.hostname());
        putString(out, workingDirectory.toString());
        putString(out, lowerDirectory == null ? null : lowerDirectory.toString());
        putString(out, sandboxDirectory == null ? null : sandboxDirectory.toString());
        putInt(out, isolation.mounts().size());
        for (Isolation.Mount mount : isolation.mounts()) {
            putInt(out, switch (mount.kind()) {
                case READ_ONLY -> 1;
                case READ_WRITE -> 2;
                case TMPFS -> 3;
            });
            putString(out, mount.path().normalize().toString());
        }
        putInt(out, isolation.limits().size());
        isolation.limits().forEach((limit, value) -> {
            putInt(out, RESOURCES.get(limit));
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
        });
        putString(out, cgroup == null ? null : cgroup.toString());
        putInt(out, isolation.passedDescriptors().size());
        new TreeSet<>(isolation.passedDescriptors()).forEach(fd -> putInt(out, fd));
        return out.toByteArray();
    }

    private static void putInt(ByteArrayOutputStream out, int value) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    private static void putString(ByteArrayOutputStream out, String value) {
        byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        putInt(out, bytes.length);
        out.writeBytes(bytes);
    }
}
