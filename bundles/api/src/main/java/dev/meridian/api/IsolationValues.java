package dev.meridian.api;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The text forms of {@link Isolation}'s values, as {@code meridian run}'s options and the control API's
 * {@code isolation} fields both take them: one parser, so both accept and refuse the same values with the same words.
 *
 * <p>A refused value is an {@link IllegalArgumentException} whose message says what is wrong and names the bad part,
 * but not where the value came from: the caller puts its option or field in front, separated by a space, e.g.
 * {@code "--allow-connect " + message} or {@code "isolation.allowConnect " + message}.
 */
public final class IsolationValues {

    private static final Map<String, Isolation.Limit> LIMITS = Map.of(
            "cpu", Isolation.Limit.CPU_SECONDS,
            "as", Isolation.Limit.ADDRESS_SPACE,
            "nproc", Isolation.Limit.PROCESSES,
            "fsize", Isolation.Limit.FILE_SIZE,
            "nofile", Isolation.Limit.OPEN_FILES);
    private static final String LIMIT_NAMES = "cpu, as, nproc, fsize, nofile";

    private IsolationValues() {
    }

    /** {@code none}, {@code loopback} or {@code host}, in any case. */
    public static Isolation.Network network(String text) {
        try {
            return Isolation.Network.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("takes none, loopback or host, not '" + text + "'");
        }
    }

    /** A comma list of TCP ports and ranges, e.g. {@code 80,443,8000-8010}. */
    public static Set<Integer> ports(String text) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = port(dash < 0 ? part : part.substring(0, dash), part);
            int to = dash < 0 ? from : port(part.substring(dash + 1), part);
            if (to < from) {
                throw new IllegalArgumentException("takes ranges from low to high, not '" + part + "'");
            }
            for (int port = from; port <= to; port++) {
                ports.add(port);
            }
        }
        return Collections.unmodifiableSet(ports);
    }

    /** One end of {@code part}; a refusal names that end, or the whole part when the end is missing. */
    private static int port(String text, String part) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // refused below, with the range
        }
        throw new IllegalArgumentException("takes ports 0 to 65535, not '" + (text.isEmpty() ? part : text) + "'");
    }

    /** A non-negative whole number with an optional K, M or G (powers of 1024), e.g. {@code 512M}. */
    public static long amount(String text) {
        long unit = 1;
        String digits = text;
        if (!text.isEmpty()) {
            unit = switch (Character.toUpperCase(text.charAt(text.length() - 1))) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                default -> 1;
            };
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
            // refused below, with the form
        }
        throw new IllegalArgumentException("takes a non-negative number (K, M, G allowed), not '" + text + "'");
    }

    /** A host name: 1 to 64 letters, digits, dots and dashes. */
    public static String hostname(String text) {
        if (text.isEmpty() || text.length() > 64 || !text.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("takes 1 to 64 letters, digits, '.' and '-', not '" + text + "'");
        }
        return text;
    }

    /**
     * The resource limit {@code name} ({@code cpu}, {@code as}, {@code nproc}, {@code fsize} or {@code nofile}) set to
     * {@code value}, an {@link #amount}. A refusal's message begins with {@code name}, so that it reads after the
     * option or field that holds the limits ({@code "--limit " + message}).
     */
    public static Map.Entry<Isolation.Limit, Long> limit(String name, String value) {
        Isolation.Limit limit = LIMITS.get(name);
        if (limit == null) {
            throw new IllegalArgumentException(name + " is not a limit (known: " + LIMIT_NAMES + ")");
        }
        return new AbstractMap.SimpleImmutableEntry<>(limit, namedAmount(name, value));
    }

    /** An {@link #amount} that is one named part of a value; a refusal names the part. */
    private static long namedAmount(String name, String text) {
        try {
            return amount(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " " + e.getMessage(), e);
        }
    }

    /** cgroup v2 limits as {@code memory=BYTES,pids=N,cpu=PERCENT}, any of them, in any order. */
    public static Isolation.CgroupLimits cgroup(String text) {
        long memory = 0;
        long pids = 0;
        long cpu = 0;
        for (String part : text.split(",", -1)) {
            int equals = part.indexOf('=');
            String name = equals < 0 ? part : part.substring(0, equals);
            String value = equals < 0 ? "" : part.substring(equals + 1);
            switch (name) {
                case "memory" -> memory = namedAmount(name, value);
                case "pids" -> pids = namedAmount(name, value);
                case "cpu" -> cpu = namedAmount(name, value);
                default -> throw new IllegalArgumentException(
                        "takes memory=BYTES,pids=N,cpu=PERCENT, not '" + part + "'");
            }
        }
        if (cpu > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cpu is a percentage of one CPU: " + cpu);
        }
        return new Isolation.CgroupLimits(memory, pids, (int) cpu);
    }
}
