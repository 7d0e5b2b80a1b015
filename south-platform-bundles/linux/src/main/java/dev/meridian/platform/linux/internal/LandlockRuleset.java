package dev.meridian.platform.linux.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.FileAccess;
import dev.meridian.api.FileRules;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.SandboxException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Landlock part of a {@link Confinement}: what the exec helper installs in the guest right
 * before its seccomp filter (section 4 of its config; meridian-exec.c's apply_landlock).
 *
 * <p>{@link FileAccess} kinds map to Landlock access rights as follows:
 * <ul>
 *   <li>READ: READ_FILE, READ_DIR</li>
 *   <li>WRITE: WRITE_FILE, TRUNCATE (ABI 3)</li>
 *   <li>EXECUTE: EXECUTE</li>
 *   <li>CREATE: MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM, REFER (ABI 2)</li>
 *   <li>DELETE: REMOVE_FILE, REMOVE_DIR, REFER (ABI 2)</li>
 * </ul>
 * IOCTL_DEV (ABI 5) is never handled: no access kind of a policy speaks of device ioctls, so a
 * device the guest may open for reading or writing it may also ioctl, as without Landlock.
 * (The descriptors a guest inherits, such as its terminal, were opened before the ruleset and
 * are never checked by Landlock; dangerous ioctls like TIOCSTI are the syscall filter's.)
 *
 * <p>Fail closed: {@link #lower} refuses a confinement the kernel's Landlock ABI cannot hold,
 * naming what is missing and the ABI found.
 *
 * @param handledFileAccess Landlock file-system rights denied unless a path rule allows them
 * @param handledNetworkAccess Landlock network rights denied unless a port rule allows them
 * @param scoped Landlock scopes (IPC with processes outside the domain)
 * @param pathRules allowed rights beneath each path, in the policy's order, one entry per path
 * @param portRules allowed rights per TCP port, by port
 */
record LandlockRuleset(long handledFileAccess, long handledNetworkAccess, long scoped,
        Map<String, Long> pathRules, Map<Integer, Long> portRules) {

    /** The rights Landlock accepts on a path rule for a file that is not a directory. */
    static final long FILE_ACCESS = LinuxSyscalls.LANDLOCK_ACCESS_FS_EXECUTE | LinuxSyscalls.LANDLOCK_ACCESS_FS_WRITE_FILE
            | LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_FILE | LinuxSyscalls.LANDLOCK_ACCESS_FS_TRUNCATE
            | LinuxSyscalls.LANDLOCK_ACCESS_FS_IOCTL_DEV;

    private static final long MAKE_ANYTHING = LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_CHAR
            | LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_DIR | LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_REG
            | LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_SOCK | LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_FIFO
            | LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_BLOCK | LinuxSyscalls.LANDLOCK_ACCESS_FS_MAKE_SYM;

    /** The Landlock rights of one access kind. */
    static long rightsOf(FileAccess access) {
        return switch (access) {
            case READ -> LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_FILE | LinuxSyscalls.LANDLOCK_ACCESS_FS_READ_DIR;
            case WRITE -> LinuxSyscalls.LANDLOCK_ACCESS_FS_WRITE_FILE | LinuxSyscalls.LANDLOCK_ACCESS_FS_TRUNCATE;
            case EXECUTE -> LinuxSyscalls.LANDLOCK_ACCESS_FS_EXECUTE;
            case CREATE -> MAKE_ANYTHING | LinuxSyscalls.LANDLOCK_ACCESS_FS_REFER;
            case DELETE -> LinuxSyscalls.LANDLOCK_ACCESS_FS_REMOVE_FILE | LinuxSyscalls.LANDLOCK_ACCESS_FS_REMOVE_DIR
                    | LinuxSyscalls.LANDLOCK_ACCESS_FS_REFER;
        };
    }

    static long rightsOf(Set<FileAccess> accesses) {
        long rights = 0;
        for (FileAccess access : accesses) {
            rights |= rightsOf(access);
        }
        return rights;
    }

    /**
     * The ruleset for {@code confinement}, or null when it asks nothing of Landlock.
     *
     * @param abi the kernel's Landlock ABI ({@link LinuxSyscalls#landlockAbi}), 0 for none
     * @throws SandboxException when the ABI cannot hold a part of the confinement
     */
    static LandlockRuleset lower(Confinement confinement, int abi) throws SandboxException {
        long handledFiles = 0;
        Map<String, Long> pathRules = new LinkedHashMap<>();
        FileRules files = confinement.files();
        if (files != null && !files.handled().isEmpty()) {
            handledFiles = rightsOf(files.handled());
            require(abi, 1, "file rules");
            if ((handledFiles & LinuxSyscalls.LANDLOCK_ACCESS_FS_REFER) != 0) {
                require(abi, 2, "renames and links across directories (REFER, part of create and delete rules)");
            }
            if ((handledFiles & LinuxSyscalls.LANDLOCK_ACCESS_FS_TRUNCATE) != 0) {
                require(abi, 3, "truncation (TRUNCATE, part of write rules)");
            }
            for (FileRules.Grant grant : files.grants()) {
                // A kind the rules do not handle is not restricted: nothing to allow.
                long allowed = rightsOf(grant.access()) & handledFiles;
                if (allowed != 0) {
                    pathRules.merge(grant.path(), allowed, (a, b) -> a | b);
                }
            }
        }
        long handledNetwork = 0;
        Map<Integer, Long> portRules = new TreeMap<>();
        NetworkRules network = confinement.network();
        if (network != null) {
            require(abi, 4, "TCP port rules");
            for (NetworkRules.Direction direction : network.handled()) {
                handledNetwork |= portRight(direction);
            }
            for (NetworkRules.Grant grant : network.grants()) {
                long right = portRight(grant.direction()) & handledNetwork;
                if (right != 0) {
                    portRules.merge(grant.port(), right, (a, b) -> a | b);
                }
            }
        }
        long scoped = 0;
        if (confinement.scopeSignals()) {
            require(abi, 6, "signal scoping");
            scoped |= LinuxSyscalls.LANDLOCK_SCOPE_SIGNAL;
        }
        if (confinement.scopeAbstractUnixSockets()) {
            require(abi, 6, "abstract UNIX socket scoping");
            scoped |= LinuxSyscalls.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
        }
        if (handledFiles == 0 && handledNetwork == 0 && scoped == 0) {
            return null;
        }
        return new LandlockRuleset(handledFiles, handledNetwork, scoped, pathRules, portRules);
    }

    private static long portRight(NetworkRules.Direction direction) {
        return direction == NetworkRules.Direction.BIND
                ? LinuxSyscalls.LANDLOCK_ACCESS_NET_BIND_TCP : LinuxSyscalls.LANDLOCK_ACCESS_NET_CONNECT_TCP;
    }

    private static void require(int abi, int needed, String what) throws SandboxException {
        if (abi < needed) {
            throw new SandboxException("the confinement needs Landlock ABI " + needed + " for " + what
                    + ", but this kernel has " + (abi == 0 ? "no Landlock" : "ABI " + abi));
        }
    }

    /**
     * The config section's payload (little-endian): u64 handled fs, u64 handled net, u64 scoped,
     * u32 path rule count, then per rule u64 allowed, u32 path length, path bytes; u32 port rule
     * count, then per rule u64 allowed, u64 port.
     */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(littleEndian(28).putLong(handledFileAccess).putLong(handledNetworkAccess).putLong(scoped)
                .putInt(pathRules.size()).array());
        pathRules.forEach((path, allowed) -> {
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            bytes.writeBytes(littleEndian(12).putLong(allowed).putInt(name.length).array());
            bytes.writeBytes(name);
        });
        bytes.writeBytes(littleEndian(4).putInt(portRules.size()).array());
        portRules.forEach((port, allowed) -> bytes.writeBytes(littleEndian(16).putLong(allowed).putLong(port).array()));
        return bytes.toByteArray();
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
