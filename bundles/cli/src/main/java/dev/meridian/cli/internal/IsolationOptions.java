package dev.meridian.cli.internal;

import dev.meridian.api.Isolation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The isolation options of {@code meridian run}, parsed into an {@link Isolation}. */
final class IsolationOptions {

    static final String HELP = """
            Isolation:
              --rootfs DIR|TAR     the guest's / is DIR (or TAR, extracted once), read-only, with
                                   a writable layer that vanishes at exit
              --keep               keep the --rootfs writable layer (its path is printed)
              --ro PATH            bind the host PATH read-only at the same place (repeatable)
              --rw PATH            bind the host PATH writable at the same place (repeatable)
              --tmpfs PATH         an empty tmpfs at PATH, gone at exit (repeatable; --ro, --rw
                                   and --tmpfs apply in the order given)
              --net MODE           none (no interfaces), loopback (its own lo), host (default)
              --allow-connect PORTS  TCP ports the guest may connect to, e.g. 80,443,8000-8010
              --allow-bind PORTS   TCP ports the guest may bind (both narrow the policy's own rules)
              --hostname NAME      the guest's host name
              --limit NAME=VALUE   a resource limit (repeatable): cpu=SECONDS, as=BYTES,
                                   nproc=N, fsize=BYTES, nofile=N; BYTES may end in K, M or G
              --cgroup LIMITS      cgroup v2 limits: memory=BYTES,pids=N,cpu=PERCENT (of one CPU)
              --fd N               pass descriptor N (above 2) to the guest (repeatable); every
                                   other inherited descriptor is closed
            """;

    static final Set<String> FLAGS = Set.of("--keep");
    static final Set<String> OPTIONS = Set.of("--rootfs", "--net", "--allow-connect", "--allow-bind", "--hostname",
            "--cgroup");
    static final Set<String> REPEATABLE = Set.of("--ro", "--rw", "--tmpfs", "--limit", "--fd");

    private static final Map<String, Isolation.Limit> LIMITS = Map.of(
            "cpu", Isolation.Limit.CPU_SECONDS,
            "as", Isolation.Limit.ADDRESS_SPACE,
            "nproc", Isolation.Limit.PROCESSES,
            "fsize", Isolation.Limit.FILE_SIZE,
            "nofile", Isolation.Limit.OPEN_FILES);

    private IsolationOptions() {
    }

    static Isolation parse(CommandLine line) throws UsageException {
        Path rootfs = line.value("--rootfs") == null ? null : Path.of(line.value("--rootfs")).toAbsolutePath();
        if (line.has("--keep") && rootfs == null) {
            throw new UsageException("run: --keep keeps the writable layer of a --rootfs; there is none");
        }
        List<Isolation.Mount> mounts = new ArrayList<>();
        for (CommandLine.Option option : line.all(Set.of("--ro", "--rw", "--tmpfs"))) {
            Isolation.Mount.Kind kind = switch (option.name()) {
                case "--ro" -> Isolation.Mount.Kind.READ_ONLY;
                case "--rw" -> Isolation.Mount.Kind.READ_WRITE;
                default -> Isolation.Mount.Kind.TMPFS;
            };
            Path path = Path.of(option.value());
            if (!path.isAbsolute()) {
                throw new UsageException("run: " + option.name() + " needs an absolute path: " + option.value());
            }
            mounts.add(new Isolation.Mount(kind, path.normalize()));
        }
        Isolation.Network network = Isolation.Network.HOST;
        if (line.value("--net") != null) {
            try {
                network = Isolation.Network.valueOf(line.value("--net").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("run: --net takes none, loopback or host, not '" + line.value("--net") + "'");
            }
        }
        Set<Integer> connect = ports(line, "--allow-connect");
        Set<Integer> bind = ports(line, "--allow-bind");
        String hostname = line.value("--hostname");
        if (hostname != null && (hostname.isEmpty() || hostname.length() > 64 || !hostname.matches("[A-Za-z0-9.-]+"))) {
            throw new UsageException("run: --hostname takes 1 to 64 letters, digits, '.' and '-': " + hostname);
        }
        Map<Isolation.Limit, Long> limits = new EnumMap<>(Isolation.Limit.class);
        for (String limit : line.values("--limit")) {
            int equals = limit.indexOf('=');
            Isolation.Limit kind = equals < 0 ? null : LIMITS.get(limit.substring(0, equals));
            if (kind == null) {
                throw new UsageException("run: --limit takes NAME=VALUE with NAME one of cpu, as, nproc, fsize, nofile: "
                        + limit);
            }
            if (limits.put(kind, amount("--limit " + limit.substring(0, equals), limit.substring(equals + 1))) != null) {
                throw new UsageException("run: --limit " + limit.substring(0, equals) + " given twice");
            }
        }
        Isolation.CgroupLimits cgroup = line.value("--cgroup") == null ? null : cgroup(line.value("--cgroup"));
        Set<Integer> descriptors = new LinkedHashSet<>();
        for (String fd : line.values("--fd")) {
            int number = (int) Math.min(Integer.MAX_VALUE, amount("--fd", fd));
            if (number <= 2) {
                throw new UsageException("run: --fd " + fd + ": stdin, stdout and stderr are always passed");
            }
            descriptors.add(number);
        }
        return new Isolation(rootfs, line.has("--keep"), mounts, network, connect, bind, hostname, limits, cgroup,
                descriptors);
    }

    private static Isolation.CgroupLimits cgroup(String text) throws UsageException {
        long memory = 0;
        long pids = 0;
        long cpu = 0;
        for (String part : text.split(",", -1)) {
            int equals = part.indexOf('=');
            String name = equals < 0 ? part : part.substring(0, equals);
            String value = equals < 0 ? "" : part.substring(equals + 1);
            switch (name) {
                case "memory" -> memory = amount("--cgroup memory", value);
                case "pids" -> pids = amount("--cgroup pids", value);
                case "cpu" -> cpu = amount("--cgroup cpu", value);
                default -> throw new UsageException("run: --cgroup takes memory=BYTES,pids=N,cpu=PERCENT, not '"
                        + part + "'");
            }
        }
        if (cpu > Integer.MAX_VALUE) {
            throw new UsageException("run: --cgroup cpu is a percentage of one CPU: " + cpu);
        }
        return new Isolation.CgroupLimits(memory, pids, (int) cpu);
    }

    /** A comma list of ports and ranges, e.g. {@code 80,443,8000-8010}. */
    static Set<Integer> ports(CommandLine line, String option) throws UsageException {
        String text = line.value(option);
        Set<Integer> ports = new LinkedHashSet<>();
        if (text == null) {
            return ports;
        }
        for (String part : text.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = port(option, dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : port(option, part.substring(dash + 1));
            if (to < from) {
                throw new UsageException("run: " + option + ": empty port range " + part);
            }
            for (int port = from; port <= to; port++) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static int port(String option, String text) throws UsageException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("run: " + option + " takes ports 0 to 65535, not '" + text + "'");
    }

    /** A non-negative number with an optional K, M or G (powers of 1024). */
    static long amount(String what, String text) throws UsageException {
        long unit = 1;
        String digits = text;
        if (!text.isEmpty()) {
            switch (Character.toUpperCase(text.charAt(text.length() - 1))) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
            if (unit != 1) {
                digits = text.substring(0, text.length() - 1);
            }
        }
        try {
            long value = Long.parseLong(digits);
            if (value >= 0 && value <= Long.MAX_VALUE / unit) {
                return value * unit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("run: " + what + " takes a non-negative number (K, M, G allowed), not '" + text + "'");
    }
}
