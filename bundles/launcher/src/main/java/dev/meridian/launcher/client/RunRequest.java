package dev.meridian.launcher.client;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code meridian run}'s command line as a create request of the control API. The options, their checks and their
 * messages are those of the embedded run (bundles/cli RunCommand and IsolationOptions), so a mistake is reported
 * the same whichever way the run goes; what the daemon cannot do ({@code --fd}) is refused here.
 */
final class RunRequest {
    /** Options only the client knows; an embedded run gets the command line without them. */
    static final String STATE = "--state";
    static final String EMBEDDED = "--embedded";
    static final Set<String> CLIENT_ONLY = Set.of(STATE, EMBEDDED);

    static final Set<String> FLAGS = Set.of("--trace", "--help", "--keep", EMBEDDED);
    static final Set<String> OPTIONS = Set.of("--trace-file", "--journal", "--rootfs", "--net", "--allow-connect",
            "--allow-bind", "--hostname", "--cgroup", STATE);
    static final Set<String> REPEATABLE = Set.of("--profile", "--policy", "--ro", "--rw", "--tmpfs", "--limit",
            "--fd");

    private static final Set<String> LIMITS = Set.of("cpu", "as", "nproc", "fsize", "nofile");

    private final CommandLine line;

    private RunRequest(CommandLine line) {
        this.line = line;
    }

    /** Parses the arguments after {@code run}; a malformed command line is a usage error (exit 2). */
    static RunRequest parse(List<String> args) throws ClientException {
        return new RunRequest(CommandLine.parse(args, FLAGS, OPTIONS, REPEATABLE, true));
    }

    CommandLine line() {
        return line;
    }

    /** {@code --help}: the embedded command prints the one help text of run. */
    boolean help() {
        return line.has("--help");
    }

    boolean embedded() {
        return line.has(EMBEDDED);
    }

    String state() {
        return line.value(STATE);
    }

    boolean trace() {
        return line.has("--trace");
    }

    String traceFile() {
        return line.value("--trace-file");
    }

    /**
     * The create request: the client's environment and working directory, policies in order, isolation,
     * {@code "start": false} (the client attaches first, so no output is lost).
     *
     * @param terminalSize rows and columns of the client's terminal for a tty run, or null for pipes
     */
    Map<String, Object> body(Map<String, String> environment, Path workingDirectory, int[] terminalSize)
            throws ClientException {
        if (line.operands().isEmpty()) {
            throw ClientException.usage("run: no program given (see meridian run --help)");
        }
        if (line.has("--trace") && line.value("--trace-file") != null) {
            throw ClientException.usage("run: --trace and --trace-file exclude each other");
        }
        if (!line.values("--fd").isEmpty()) {
            throw ClientException.usage("run: --fd passes this process's descriptors, which a daemon's sandbox "
                    + "cannot get; run with --embedded (or MERIDIAN_EMBEDDED=1) to pass them");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", line.operands());
        body.put("env", environment);
        body.put("cwd", workingDirectory.toString());
        List<Object> policies = new ArrayList<>();
        for (CommandLine.Option option : line.all(Set.of("--profile", "--policy"))) {
            policies.add(option.name().equals("--profile")
                    ? Map.of("profile", option.value())
                    : Map.of("file", workingDirectory.resolve(option.value()).normalize().toString()));
        }
        if (!policies.isEmpty()) {
            body.put("policies", policies);
        }
        Map<String, Object> isolation = isolation(workingDirectory);
        if (!isolation.isEmpty()) {
            body.put("isolation", isolation);
        }
        if (terminalSize != null) {
            body.put("stdio", "tty");
            // A terminal without a size (0 0, as some pseudo-terminals start) gets the daemon's default.
            if (terminalSize[0] > 0 && terminalSize[1] > 0) {
                body.put("tty", Map.of("rows", terminalSize[0], "columns", terminalSize[1]));
            }
        } else {
            body.put("stdio", "pipe");
        }
        if (line.value("--journal") != null) {
            body.put("journal", workingDirectory.resolve(line.value("--journal")).normalize().toString());
        }
        body.put("start", false);
        return body;
    }

    private Map<String, Object> isolation(Path workingDirectory) throws ClientException {
        Map<String, Object> isolation = new LinkedHashMap<>();
        String rootfs = line.value("--rootfs");
        if (line.has("--keep") && rootfs == null) {
            throw ClientException.usage("run: --keep keeps the writable layer of a --rootfs; there is none");
        }
        if (rootfs != null) {
            isolation.put("rootfs", workingDirectory.resolve(rootfs).normalize().toString());
        }
        if (line.has("--keep")) {
            isolation.put("keep", true);
        }
        List<Object> mounts = new ArrayList<>();
        for (CommandLine.Option option : line.all(Set.of("--ro", "--rw", "--tmpfs"))) {
            Path path = Path.of(option.value());
            if (!path.isAbsolute()) {
                throw ClientException.usage("run: " + option.name() + " needs an absolute path: " + option.value());
            }
            mounts.add(Map.of(option.name().substring(2), path.normalize().toString()));
        }
        if (!mounts.isEmpty()) {
            isolation.put("mounts", mounts);
        }
        String net = line.value("--net");
        if (net != null) {
            String mode = net.toLowerCase(Locale.ROOT);
            if (!Set.of("none", "loopback", "host").contains(mode)) {
                throw ClientException.usage("run: --net takes none, loopback or host, not '" + net + "'");
            }
            isolation.put("net", mode);
        }
        putPorts(isolation, "allowConnect", "--allow-connect");
        putPorts(isolation, "allowBind", "--allow-bind");
        String hostname = line.value("--hostname");
        if (hostname != null) {
            if (hostname.isEmpty() || hostname.length() > 64 || !hostname.matches("[A-Za-z0-9.-]+")) {
                throw ClientException.usage("run: --hostname takes 1 to 64 letters, digits, '.' and '-': "
                        + hostname);
            }
            isolation.put("hostname", hostname);
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        for (String limit : line.values("--limit")) {
            int equals = limit.indexOf('=');
            String name = equals < 0 ? null : limit.substring(0, equals);
            if (name == null || !LIMITS.contains(name)) {
                throw ClientException.usage("run: --limit takes NAME=VALUE with NAME one of cpu, as, nproc, fsize, "
                        + "nofile: " + limit);
            }
            String value = limit.substring(equals + 1);
            amount("--limit " + name, value);
            if (limits.put(name, value) != null) {
                throw ClientException.usage("run: --limit " + name + " given twice");
            }
        }
        if (!limits.isEmpty()) {
            isolation.put("limits", limits);
        }
        String cgroup = line.value("--cgroup");
        if (cgroup != null) {
            checkCgroup(cgroup);
            isolation.put("cgroup", cgroup);
        }
        return isolation;
    }

    private void putPorts(Map<String, Object> isolation, String field, String option) throws ClientException {
        String text = line.value(option);
        if (text == null) {
            return;
        }
        for (String part : text.split(",", -1)) {
            int dash = part.indexOf('-');
            int from = port(option, dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : port(option, part.substring(dash + 1));
            if (to < from) {
                throw ClientException.usage("run: " + option + ": empty port range " + part);
            }
        }
        isolation.put(field, text);
    }

    private static int port(String option, String text) throws ClientException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ClientException.usage("run: " + option + " takes ports 0 to 65535, not '" + text + "'");
    }

    private static void checkCgroup(String text) throws ClientException {
        for (String part : text.split(",", -1)) {
            int equals = part.indexOf('=');
            String name = equals < 0 ? part : part.substring(0, equals);
            String value = equals < 0 ? "" : part.substring(equals + 1);
            if (!Set.of("memory", "pids", "cpu").contains(name)) {
                throw ClientException.usage("run: --cgroup takes memory=BYTES,pids=N,cpu=PERCENT, not '" + part
                        + "'");
            }
            long amount = amount("--cgroup " + name, value);
            if (name.equals("cpu") && amount > Integer.MAX_VALUE) {
                throw ClientException.usage("run: --cgroup cpu is a percentage of one CPU: " + amount);
            }
        }
    }

    /** A non-negative number with an optional K, M or G (powers of 1024). */
    private static long amount(String what, String text) throws ClientException {
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
            // below
        }
        throw ClientException.usage("run: " + what + " takes a non-negative number (K, M, G allowed), not '" + text
                + "'");
    }
}
