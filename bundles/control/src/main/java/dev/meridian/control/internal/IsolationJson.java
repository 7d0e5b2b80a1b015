package dev.meridian.control.internal;

import static java.util.Objects.requireNonNullElse;

import dev.meridian.api.Isolation;
import dev.meridian.api.IsolationValues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code isolation} object of a create request. Values are parsed by {@link IsolationValues}, as {@code meridian
 * run}'s options are, so both refuse the same values with the same words; descriptors cannot cross the API.
 */
final class IsolationJson {

    static final List<String> FIELDS = List.of("rootfs", "keep", "mounts", "net", "allowConnect", "allowBind",
            "hostname", "limits", "cgroup");
    private static final String WHERE = "isolation.";

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
        Isolation.Network network = requireNonNullElse(value(json, "net", IsolationValues::network),
                Isolation.Network.HOST);
        Set<Integer> connect = requireNonNullElse(value(json, "allowConnect", IsolationValues::ports), Set.of());
        Set<Integer> bind = requireNonNullElse(value(json, "allowBind", IsolationValues::ports), Set.of());
        String hostname = value(json, "hostname", IsolationValues::hostname);
        Map<Isolation.Limit, Long> limits = limits(StrictJson.object(json, WHERE, "limits"));
        Isolation.CgroupLimits cgroup = value(json, "cgroup", IsolationValues::cgroup);
        return new Isolation(rootfs, keep, mounts, network, connect, bind, hostname, limits, cgroup, Set.of());
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

    /** Each limit a number, or a string of one with K, M or G; names as {@code --limit} takes them. */
    private static Map<Isolation.Limit, Long> limits(JsonObject json) {
        Map<Isolation.Limit, Long> limits = new EnumMap<>(Isolation.Limit.class);
        if (json == null) {
            return limits;
        }
        for (Map.Entry<String, Object> entry : json) {
            String name = entry.getKey();
            String field = WHERE + "limits." + name;
            String text = switch (entry.getValue()) {
                case String string -> string;
                case Number number -> Long.toString(StrictJson.integer(field, number));
                case null, default -> throw StrictJson.wrongType(field, "a number or a string such as \"1G\"",
                        entry.getValue());
            };
            try {
                Map.Entry<Isolation.Limit, Long> limit = IsolationValues.limit(name, text);
                limits.put(limit.getKey(), limit.getValue());
            } catch (IllegalArgumentException e) {
                // The message begins with the limit's name, so it reads as the field's.
                throw badValue(field, WHERE + "limits." + e.getMessage());
            }
        }
        return limits;
    }

    /** The string {@code field} parsed by {@code parser}, or null when absent; a refusal is a 400 naming the field. */
    private static <T> T value(JsonObject json, String field, Function<String, T> parser) {
        String text = StrictJson.string(json, WHERE, field);
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw badValue(WHERE + field, WHERE + field + " " + e.getMessage());
        }
    }

    /**
     * A 400 about one field's value: the message is the field's path followed by what is wrong, and {@code "field"}
     * names the path, so that a client can say it in its own terms (the thin client names the run option).
     */
    static ApiException badValue(String field, String message) {
        return ApiException.badRequest(message).with("field", field);
    }

    static Path absolutePath(String name, String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest(name + " is not a valid path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw badValue(name, name + " needs an absolute path: " + text);
        }
        return path;
    }
}
