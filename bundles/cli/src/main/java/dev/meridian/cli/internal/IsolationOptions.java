package dev.meridian.cli.internal;

import dev.meridian.api.Isolation;
import dev.meridian.api.IsolationValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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
        Isolation.Network network = line.value("--net") == null ? Isolation.Network.HOST
                : value("--net", line.value("--net"), IsolationValues::network);
        Set<Integer> connect = ports(line, "--allow-connect");
        Set<Integer> bind = ports(line, "--allow-bind");
        String hostname = line.value("--hostname") == null ? null
                : value("--hostname", line.value("--hostname"), IsolationValues::hostname);
        Map<Isolation.Limit, Long> limits = new EnumMap<>(Isolation.Limit.class);
        for (String limit : line.values("--limit")) {
            int equals = limit.indexOf('=');
            if (equals < 0) {
                throw new UsageException("run: --limit takes NAME=VALUE, not '" + limit + "'");
            }
            String name = limit.substring(0, equals);
            Map.Entry<Isolation.Limit, Long> parsed = value("--limit", limit.substring(equals + 1),
                    text -> IsolationValues.limit(name, text));
            if (limits.put(parsed.getKey(), parsed.getValue()) != null) {
                throw new UsageException("run: --limit " + name + " given twice");
            }
        }
        Isolation.CgroupLimits cgroup = line.value("--cgroup") == null ? null
                : value("--cgroup", line.value("--cgroup"), IsolationValues::cgroup);
        Set<Integer> descriptors = new LinkedHashSet<>();
        for (String fd : line.values("--fd")) {
            int number = (int) Math.min(Integer.MAX_VALUE, value("--fd", fd, IsolationValues::amount));
            if (number <= 2) {
                throw new UsageException("run: --fd " + fd + ": stdin, stdout and stderr are always passed");
            }
            descriptors.add(number);
        }
        return new Isolation(rootfs, line.has("--keep"), mounts, network, connect, bind, hostname, limits, cgroup,
                descriptors);
    }

    private static Set<Integer> ports(CommandLine line, String option) throws UsageException {
        String text = line.value(option);
        return text == null ? Set.of() : value(option, text, IsolationValues::ports);
    }

    /** {@code option}'s value parsed by {@code parser}; a refusal is a usage error naming the option. */
    private static <T> T value(String option, String text, Function<String, T> parser) throws UsageException {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("run: " + option + " " + e.getMessage());
        }
    }
}
