package dev.meridian.control.internal;

import dev.meridian.api.Isolation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code isolation} object of a create request, with the checks and wording of {@code meridian run}'s isolation
 * options (bundles/cli IsolationOptions), minus descriptors, which cannot cross the API.
 */
final class IsolationJson {

    static final List<String> FIELDS = List.of("rootfs", "keep", "mounts", "net", "allowConnect", "allowBind",
            "hostname", "limits", "cgroup");
    private static final String WHERE = "isolation.";

    private static final Map<String, Isolation.Limit> LIMITS = Map.of(
            "cpu", Isolation.Limit.CPU_SECONDS,
            "as", Isolation.Limit.ADDRESS_SPACE,
            "nproc", Isolation.Limit.PROCESSES,
            "fsize", Isolation.Limit.FILE_SIZE,
            "nofile", Isolation.Limit.OPEN_FILES);
    private static final List<String> LIMIT_NAMES = List.of("cpu", "as", "nproc", "fsize", "nofile");
    private static final Map<String, Isolation.Mount.Kind> MOUNT_KINDS = Map.of(
            "ro", Isolation.Mount.Kind.READ_ONLY,
            "rw", Isolation.Mount.Kind.READ_WRITE,
            "tmpfs", Isolation.Mount.Kind.TMPFS);

    private IsolationJson() {
    }

    static Isolation parse(JsonObject json) {
        if (json == null) {
            return Isolation.DEFAULT;
        }
        StrictJson.onlyKnown(json, WHERE, FIELDS);
        String rootfsText = StrictJson.string(json, WHERE, "rootfs");
        Path rootfs = rootfsText == null ? null : absolutePath(WHERE + "rootfs", rootfsText);
        boolean keep = Boolean.TRUE.equals(StrictJson.bool(json, WHERE, "keep"));
        if (keep && rootfs == null) {
            throw ApiException.badRequest("isolation.keep keeps the writable layer of a rootfs; there is none");
        }
        List<Isolation.Mount> mounts = mounts(StrictJson.array(json, WHERE, "mounts"));
        Isolation.Network network = Isolation.Network.HOST;
        String net = StrictJson.string(json, WHERE, "net");
        if (net != null) {
            try {
                network = Isolation.Network.valueOf(net.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("isolation.net takes none, loopback or host, not '" + net + "'");
            }
        }
        Set<Integer> connect = ports("allowConnect", StrictJson.string(json, WHERE, "allowConnect"));
        Set<Integer> bind = ports("allowBind", StrictJson.string(json, WHERE, "allowBind"));
        String hostname = StrictJson.string(json, WHERE, "hostname");
        if (hostname != null && (hostname.isEmpty() || hostname.length() > 64 || !hostname.matches("[A-Za-z0-9.-]+"))) {
            throw ApiException.badRequest("isolation.hostname takes 1 to 64 letters, digits, '.' and '-': " + hostname);
        }
        Map<Isolation.Limit, Long> limits = limits(StrictJson.object(json, WHERE, "limits"));
        String cgroup = StrictJson.string(json, WHERE, "cgroup");
        return new Isolation(rootfs, keep, mounts, network, connect, bind, hostname, limits,
                cgroup == null ? null : cgroup(cgroup), Set.of());
    }

    private static List<Isolation.Mount> mounts(JsonArray array) {
        List<Isolation.Mount> mounts = new ArrayList<>();
        if (array == null) {
            return mounts;
        }
        for (int i = 0; i < array.size(); i++) {
            String name = WHERE + "mounts[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject mount) || mount.size() != 1) {
                throw ApiException.badRequest("\"" + name + "\" must be one of {\"ro\": PATH}, {\"rw\": PATH} or "
                        + "{\"tmpfs\": PATH}");
            }
            String kindName = mount.fieldNames().iterator().next();
            Isolation.Mount.Kind kind = MOUNT_KINDS.get(kindName);
            if (kind == null) {
                throw ApiException.badRequest("unknown field \"" + name + "." + kindName + "\" (known: ro, rw, tmpfs)");
            }
            String path = StrictJson.string(mount, name + ".", kindName);
            if (path == null) {
                throw StrictJson.wrongType(name + "." + kindName, "a string", null);
            }
            mounts.add(new Isolation.Mount(kind, absolutePath(name + "." + kindName, path).normalize()));
        }
        return mounts;
    }

    private static Map<Isolation.Limit, Long> limits(JsonObject json) {
        Map<Isolation.Limit, Long> limits = new EnumMap<>(Isolation.Limit.class);
        if (json == null) {
            return limits;
        }
        for (Map.Entry<String, Object> entry : json) {
            Isolation.Limit kind = LIMITS.get(entry.getKey());
            if (kind == null) {
                throw ApiException.badRequest("unknown field \"isolation.limits." + entry.getKey() + "\" (known: "
                        + String.join(", ", LIMIT_NAMES) + ")");
            }
            limits.put(kind, amount("isolation.limits." + entry.getKey(), entry.getValue()));
        }
        return limits;
    }

    /** {@code memory=BYTES,pids=N,cpu=PERCENT}, as {@code --cgroup} takes it. */
    static Isolation.CgroupLimits cgroup(String text) {
        long memory = 0;
        long pids = 0;
        long cpu = 0;
        for (String part : text.split(",", -1)) {
            int equals = part.indexOf('=');
            String name = equals < 0 ? part : part.substring(0, equals);
            String value = equals < 0 ? "" : part.substring(equals + 1);
            switch (name) {
                case "memory" -> memory = amount("isolation.cgroup memory", value);
                case "pids" -> pids = amount("isolation.cgroup pids", value);
                case "cpu" -> cpu = amount("isolation.cgroup cpu", value);
                default -> throw ApiException.badRequest("isolation.cgroup takes memory=BYTES,pids=N,cpu=PERCENT, not '"
                        + part + "'");
            }
        }
        if (cpu > Integer.MAX_VALUE) {
            throw ApiException.badRequest("isolation.cgroup cpu is a percentage of one CPU: " + cpu);
        }
        return new Isolation.CgroupLimits(memory, pids, (int) cpu);
    }

    /** A comma list of ports and ranges, e.g. {@code 80,443,8000-8010}; null is no restriction. */
    static Set<Integer> ports(String field, String text) {
        Set<Integer> ports = new LinkedHashSet<>();
        if (text == null) {
            return ports;
        }
        for (String part : text.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = port(field, dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : port(field, part.substring(dash + 1));
            if (to < from) {
                throw ApiException.badRequest("isolation." + field + ": empty port range " + part);
            }
            for (int port = from; port <= to; port++) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static int port(String field, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiException.badRequest("isolation." + field + " takes ports 0 to 65535, not '" + text + "'");
    }

    /** A non-negative whole number, or a string of one with an optional K, M or G (powers of 1024). */
    static long amount(String what, Object value) {
        if (value instanceof Number) {
            long number = StrictJson.integer(what, value);
            if (number < 0) {
                throw ApiException.badRequest(what + " takes a non-negative number, not " + number);
            }
            return number;
        }
        if (!(value instanceof String text)) {
            throw StrictJson.wrongType(what, "a number or a string such as \"1G\"", value);
        }
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
            long number = Long.parseLong(digits);
            if (number >= 0 && number <= Long.MAX_VALUE / unit) {
                return number * unit;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiException.badRequest(what + " takes a non-negative number (K, M, G allowed), not '" + text + "'");
    }

    static Path absolutePath(String name, String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest(name + " is not a valid path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw ApiException.badRequest(name + " needs an absolute path: " + text);
        }
        return path;
    }
}
