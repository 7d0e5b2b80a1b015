package dev.meridian.cli.internal;

import dev.meridian.api.FileAccess;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learn mode: turns the calls one traced run journaled into the smallest policy that lets the
 * program run again — the system calls it made, the files it opened, executed, created and
 * removed, the socket families it used and the TCP ports it connected to and bound. Everything
 * else is denied: a variant that opens another file or connects to another port fails.
 *
 * <p>Known limits, written into the policy's header when they apply: paths opened relative to
 * a directory descriptor cannot be resolved from the journal; directories a program lists are
 * granted whole (read access to a directory covers what is beneath it).
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
    private final SortedMap<String, EnumSet<FileAccess>> files = new TreeMap<>();
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
            case "truncate" -> grant(entry, new PathArgument(0, -1), false, FileAccess.WRITE);
            case "mkdir", "mknod" -> grant(entry, new PathArgument(0, -1), true, FileAccess.CREATE);
            case "mkdirat", "mknodat" -> grant(entry, new PathArgument(1, 0), true, FileAccess.CREATE);
            case "symlink" -> grant(entry, new PathArgument(1, -1), true, FileAccess.CREATE);
            case "symlinkat" -> grant(entry, new PathArgument(2, 1), true, FileAccess.CREATE);
            case "link" -> grant(entry, new PathArgument(1, -1), true, FileAccess.CREATE);
            case "linkat" -> grant(entry, new PathArgument(3, 2), true, FileAccess.CREATE);
            case "unlink", "rmdir" -> grant(entry, new PathArgument(0, -1), true, FileAccess.DELETE);
            case "unlinkat" -> grant(entry, new PathArgument(1, 0), true, FileAccess.DELETE);
            case "rename" -> {
                grant(entry, new PathArgument(0, -1), true, FileAccess.DELETE);
                grant(entry, new PathArgument(1, -1), true, FileAccess.CREATE);
            }
            case "renameat", "renameat2" -> {
                grant(entry, new PathArgument(1, 0), true, FileAccess.DELETE);
                grant(entry, new PathArgument(3, 2), true, FileAccess.CREATE);
            }
            case "socket" -> families.add(FAMILY_NAMES.getOrDefault((int) entry.arg(0),
                    Integer.toString((int) entry.arg(0))));
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
        EnumSet<FileAccess> access = EnumSet.noneOf(FileAccess.class);
        int mode = flags & O_ACCMODE;
        if (mode != O_WRONLY) {
            access.add(FileAccess.READ);
        }
        if (mode == O_WRONLY || mode == O_RDWR || (flags & O_TRUNC) != 0) {
            access.add(FileAccess.WRITE);
        }
        if ((flags & O_CREAT) != 0 && path.getParent() != null) {
            add(path.getParent(), EnumSet.of(FileAccess.CREATE));
        }
        if ((flags & O_DIRECTORY) != 0 || Files.isDirectory(path)) {
            access.retainAll(EnumSet.of(FileAccess.READ));
        }
        if (!access.isEmpty() && Files.exists(path)) {
            add(path, access);
        }
    }

    private void execute(JournalEntry entry, PathArgument argument) {
        Path program = resolve(entry, argument);
        if (program == null || !Files.isRegularFile(program)) {
            return;
        }
        add(program, EnumSet.of(FileAccess.READ, FileAccess.EXECUTE));
        // The kernel opens an ELF program's interpreter itself, unseen by the supervisor.
        Path interpreter = elfInterpreter(program);
        if (interpreter != null && Files.isRegularFile(interpreter)) {
            add(interpreter, EnumSet.of(FileAccess.READ, FileAccess.EXECUTE));
        }
    }

    /** Grants {@code access} on the path itself or, with {@code onParent}, on its directory. */
    private void grant(JournalEntry entry, PathArgument argument, boolean onParent, FileAccess access) {
        Path path = resolve(entry, argument);
        if (path == null) {
            return;
        }
        Path target = onParent ? path.getParent() : path;
        if (target != null && Files.exists(target)) {
            add(target, EnumSet.of(access));
        }
    }

    private void add(Path path, Set<FileAccess> access) {
        files.computeIfAbsent(path.toString(), key -> EnumSet.noneOf(FileAccess.class)).addAll(access);
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

    /** The learned policy as YAML in the policy language. */
    String toYaml(String name, String origin, String base) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("# Learned by `meridian policy learn` from ").append(origin).append('\n');
        if (unresolved > 0) {
            yaml.append("# ").append(unresolved).append(" file accesses could not be resolved from the journal (paths")
                    .append(" relative to directory descriptors, or cut at the capture bound): grant them by hand\n");
        }
        yaml.append("meridian-policy: 1\n");
        yaml.append("name: ").append(quote(name)).append('\n');
        if (base != null) {
            yaml.append("extends: [").append(quote(base)).append("]\n");
        }
        yaml.append("syscalls:\n  default: deny\n  errno: EPERM\n  rules:\n");
        yaml.append("    - id: ").append(quote(name + "/syscalls")).append('\n');
        yaml.append("      action: allow\n");
        yaml.append("      names: ").append(list(syscalls)).append('\n');
        yaml.append("files:\n  allow:\n");
        Map<Set<FileAccess>, List<String>> byAccess = new TreeMap<>(
                (a, b) -> accessNames(a).toString().compareTo(accessNames(b).toString()));
        files.forEach((path, access) -> byAccess.computeIfAbsent(access, key -> new ArrayList<>()).add(path));
        int group = 0;
        for (Map.Entry<Set<FileAccess>, List<String>> entry : byAccess.entrySet()) {
            yaml.append("    - id: ").append(quote(name + "/files/" + group++)).append('\n');
            yaml.append("      access: ").append(list(accessNames(entry.getKey()))).append('\n');
            yaml.append("      paths:\n");
            for (String path : entry.getValue()) {
                yaml.append("        - ").append(quote(path)).append('\n');
            }
        }
        yaml.append("network:\n  tcp:\n");
        yaml.append("    connect: ").append(list(connectPorts)).append('\n');
        yaml.append("    bind: ").append(list(bindPorts)).append('\n');
        yaml.append("  families: ").append(list(families)).append('\n');
        return yaml.toString();
    }

    private static List<String> accessNames(Set<FileAccess> access) {
        List<String> names = new ArrayList<>();
        for (FileAccess kind : access) {
            names.add(kind == FileAccess.EXECUTE ? "exec" : kind.name().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static String list(Iterable<?> items) {
        StringBuilder text = new StringBuilder("[");
        for (Object item : items) {
            text.append(text.length() == 1 ? "" : ", ").append(item instanceof String s ? quote(s) : item);
        }
        return text.append(']').toString();
    }

    /** A YAML double-quoted scalar when the plain form could be misread; plain otherwise. */
    static String quote(String text) {
        if (text.matches("[A-Za-z0-9_./+-]+") && !text.matches("[0-9.+-]+|true|false|null|yes|no|on|off")) {
            return text;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\x%02x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
