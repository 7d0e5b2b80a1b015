package dev.meridian.cli.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.policy.PolicyWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Learn mode's observer: reads the calls one traced run journaled and collects what the program
 * used — the system calls it made, the files it read, wrote, created, removed and executed, the
 * socket families and the TCP ports it connected to and bound — for {@link PolicyWriter} to turn
 * into the smallest policy that lets it run again.
 *
 * <p>Known limits: paths opened relative to a directory descriptor cannot be resolved from the
 * journal ({@link #unresolved()} counts them); directories a program lists are granted whole
 * (read access to a directory covers what is beneath it); only files that exist after the run
 * are granted, since a traced call's result is not known (it was let through).
 */
final class PolicyLearner {

    private static final int AT_FDCWD = -100;
    private static final int O_ACCMODE = 0x3;
    private static final int O_WRONLY = 0x1;
    private static final int O_RDWR = 0x2;
    private static final int O_CREAT = 0x40;
    private static final int O_TRUNC = 0x200;
    private static final int O_DIRECTORY = 0x10000;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final Map<Integer, String> FAMILY_NAMES = Map.of(AF_UNIX, "unix", AF_INET, "inet", AF_INET6, "inet6",
            16, "netlink", 17, "packet");

    /** Path arguments of the calls that touch files: name -> {path index, dirfd index or -1}. */
    private record PathArgument(int path, int directory) {
    }

    private final NorthShim shim;
    private final Path workingDirectory;
    private final SortedSet<String> syscalls = new TreeSet<>();
    private final SortedSet<String> read = new TreeSet<>();
    private final SortedSet<String> written = new TreeSet<>();
    private final SortedSet<String> created = new TreeSet<>();
    private final SortedSet<String> deleted = new TreeSet<>();
    private final SortedSet<String> executed = new TreeSet<>();
    private final SortedSet<String> families = new TreeSet<>();
    private final SortedSet<Integer> connectPorts = new TreeSet<>();
    private final SortedSet<Integer> bindPorts = new TreeSet<>();
    private int unresolved;

    PolicyLearner(NorthShim shim, Path workingDirectory) {
        this.shim = shim;
        this.workingDirectory = workingDirectory;
    }

    void accept(JournalEntry entry) {
        String name = shim.syscallName(entry.number());
        if (name == null) {
            return;
        }
        syscalls.add(name);
        switch (name) {
            case "open" -> open(entry, new PathArgument(0, -1), (int) entry.arg(1));
            case "openat" -> open(entry, new PathArgument(1, 0), (int) entry.arg(2));
            case "openat2" -> open(entry, new PathArgument(1, 0), 0);
            case "creat" -> open(entry, new PathArgument(0, -1), O_CREAT | O_WRONLY | O_TRUNC);
            case "execve" -> execute(entry, new PathArgument(0, -1));
            case "execveat" -> execute(entry, new PathArgument(1, 0));
            case "truncate" -> note(entry, new PathArgument(0, -1), written);
            case "mkdir", "mknod" -> note(entry, new PathArgument(0, -1), created);
            case "mkdirat", "mknodat" -> note(entry, new PathArgument(1, 0), created);
            case "symlink" -> note(entry, new PathArgument(1, -1), created);
            case "symlinkat" -> note(entry, new PathArgument(2, 1), created);
            case "link" -> note(entry, new PathArgument(1, -1), created);
            case "linkat" -> note(entry, new PathArgument(3, 2), created);
            case "unlink", "rmdir" -> note(entry, new PathArgument(0, -1), deleted);
            case "unlinkat" -> note(entry, new PathArgument(1, 0), deleted);
            case "rename" -> {
                note(entry, new PathArgument(0, -1), deleted);
                note(entry, new PathArgument(1, -1), created);
            }
            case "renameat", "renameat2" -> {
                note(entry, new PathArgument(1, 0), deleted);
                note(entry, new PathArgument(3, 2), created);
            }
            case "socket" -> {
                String family = FAMILY_NAMES.get((int) entry.arg(0));
                if (family != null) {
                    families.add(family);
                } else {
                    unresolved++;
                }
            }
            case "connect" -> port(entry).ifPresent(connectPorts::add);
            case "bind" -> port(entry).ifPresent(bindPorts::add);
            default -> {
            }
        }
    }

    private void open(JournalEntry entry, PathArgument argument, int flags) {
        Path path = resolve(entry, argument);
        if (path == null) {
            return;
        }
        int mode = flags & O_ACCMODE;
        if ((flags & O_CREAT) != 0 && !Files.exists(path.getParent() == null ? path : path.getParent())) {
            return;
        }
        if ((flags & O_CREAT) != 0) {
            created.add(path.toString());
        }
        if (!Files.exists(path)) {
            return;
        }
        if (mode != O_WRONLY) {
            read.add(path.toString());
        }
        boolean directory = (flags & O_DIRECTORY) != 0 || Files.isDirectory(path);
        if (!directory && (mode == O_WRONLY || mode == O_RDWR || (flags & O_TRUNC) != 0)) {
            written.add(path.toString());
        }
    }

    private void execute(JournalEntry entry, PathArgument argument) {
        Path program = resolve(entry, argument);
        if (program == null || !Files.isRegularFile(program)) {
            return;
        }
        executed.add(program.toString());
        // The kernel opens an ELF program's interpreter itself, unseen by the supervisor.
        Path interpreter = elfInterpreter(program);
        if (interpreter != null && Files.isRegularFile(interpreter)) {
            executed.add(interpreter.toString());
        }
    }

    /** Notes the path in {@code into} when it (or, for what is made or removed, its directory) exists. */
    private void note(JournalEntry entry, PathArgument argument, SortedSet<String> into) {
        Path path = resolve(entry, argument);
        if (path != null && path.getParent() != null && Files.exists(into == written ? path : path.getParent())) {
            into.add(path.toString());
        }
    }

    private Path resolve(JournalEntry entry, PathArgument argument) {
        byte[] captured = entry.capture(argument.path());
        if (captured == null || entry.truncated()[argument.path()]) {
            unresolved++;
            return null;
        }
        String text = new String(captured, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return null;
        }
        Path path = Path.of(text);
        if (!path.isAbsolute()) {
            if (argument.directory() >= 0 && (int) entry.arg(argument.directory()) != AT_FDCWD) {
                unresolved++;
                return null;
            }
            path = workingDirectory.resolve(path);
        }
        return path.normalize();
    }

    private static Optional<Integer> port(JournalEntry entry) {
        byte[] address = entry.capture(1);
        if (address == null || address.length < 4) {
            return Optional.empty();
        }
        int family = ByteBuffer.wrap(address).order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xFFFF;
        if (family != AF_INET && family != AF_INET6) {
            return Optional.empty();
        }
        return Optional.of(ByteBuffer.wrap(address).order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xFFFF);
    }

    /** The PT_INTERP path of a 64-bit little-endian ELF file, or null. */
    static Path elfInterpreter(Path program) {
        try (InputStream in = Files.newInputStream(program)) {
            byte[] header = in.readNBytes(64 * 1024);
            ByteBuffer elf = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            if (header.length < 64 || elf.getInt(0) != 0x464C457F || header[4] != 2 || header[5] != 1) {
                return null;
            }
            long tableOffset = elf.getLong(32);
            int entrySize = elf.getShort(54) & 0xFFFF;
            int entries = elf.getShort(56) & 0xFFFF;
            for (int i = 0; i < entries; i++) {
                long at = tableOffset + (long) i * entrySize;
                if (at + 56 > header.length) {
                    return null;
                }
                if (elf.getInt((int) at) == 3) { // PT_INTERP
                    long offset = elf.getLong((int) at + 8);
                    long size = elf.getLong((int) at + 32);
                    if (offset + size > header.length || size < 2) {
                        return null;
                    }
                    return Path.of(new String(header, (int) offset, (int) size - 1, StandardCharsets.UTF_8));
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What the run used. */
    PolicyWriter.Observed observed() {
        return new PolicyWriter.Observed(syscalls, read, written, created, deleted, executed, connectPorts, bindPorts,
                families);
    }

    /** File accesses and socket families the journal could not tell precisely enough to grant. */
    int unresolved() {
        return unresolved;
    }
}
