package dev.meridian.launcher.client;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code meridian run}'s command line as a create request of the control API. The options are those of the embedded
 * run (bundles/cli RunCommand and IsolationOptions); their values go to the daemon as the strings given, and the
 * daemon checks them with the embedded run's parser. A value it refuses comes back naming its field, which
 * {@link #refusal} turns into the option, so a mistake reads the same whichever way the run goes. What the daemon
 * cannot do ({@code --fd}) is refused here.
 */
final class RunRequest {
    /** Options only the client knows; an embedded run gets the command line without them. */
    static final String STATE = "--state";
    static final String EMBEDDED = "--embedded";
    /** Serves the run's metrics on a port of this machine: the run is embedded (docs/observability.md). */
    static final String METRICS_PORT = "--metrics-port";
    static final Set<String> CLIENT_ONLY = Set.of(STATE, EMBEDDED);

    static final Set<String> FLAGS = Set.of("--trace", "--help", "--keep", EMBEDDED);
    static final Set<String> OPTIONS = Set.of("--trace-file", "--journal", "--rootfs", "--net", "--allow-connect",
            "--allow-bind", "--hostname", "--cgroup", METRICS_PORT, STATE);
    static final Set<String> REPEATABLE = Set.of("--profile", "--policy", "--ro", "--rw", "--tmpfs", "--limit",
            "--fd");

    private static final String ISOLATION = "isolation.";
    /** The options whose value is one isolation field's, as given. */
    private static final Map<String, String> ISOLATION_FIELDS = new LinkedHashMap<>();

    static {
        ISOLATION_FIELDS.put("--net", "net");
        ISOLATION_FIELDS.put("--allow-connect", "allowConnect");
        ISOLATION_FIELDS.put("--allow-bind", "allowBind");
        ISOLATION_FIELDS.put("--hostname", "hostname");
        ISOLATION_FIELDS.put("--cgroup", "cgroup");
    }

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

    /** Asked to run here: {@code --embedded}, or {@code --metrics-port} (a daemon's runs are on its /metrics). */
    boolean embedded() {
        return line.has(EMBEDDED) || line.value(METRICS_PORT) != null;
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
            mounts.add(Map.of(option.name().substring(2), option.value()));
        }
        if (!mounts.isEmpty()) {
            isolation.put("mounts", mounts);
        }
        for (Map.Entry<String, String> option : ISOLATION_FIELDS.entrySet()) {
            if (line.value(option.getKey()) != null) {
                isolation.put(option.getValue(), line.value(option.getKey()));
            }
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        for (String limit : line.values("--limit")) {
            int equals = limit.indexOf('=');
            if (equals < 0) {
                throw ClientException.usage("run: --limit takes NAME=VALUE, not '" + limit + "'");
            }
            String name = limit.substring(0, equals);
            if (limits.put(name, limit.substring(equals + 1)) != null) {
                throw ClientException.usage("run: --limit " + name + " given twice");
            }
        }
        if (!limits.isEmpty()) {
            isolation.put("limits", limits);
        }
        return isolation;
    }

    /**
     * The daemon's refusal of a create request in the embedded run's words: a value refused in field
     * {@code isolation.allowConnect} is the {@code --allow-connect} option's ("run: --allow-connect takes ports ...").
     * Any other refusal is the daemon's message as it is.
     */
    static String refusal(ApiException e) {
        String field = e.field();
        String message = e.getMessage();
        if (field == null || !field.startsWith(ISOLATION) || !message.startsWith(field + " ")) {
            return message;
        }
        String option = optionOf(field.substring(ISOLATION.length()));
        return option == null ? message : "run: " + option + message.substring(field.length());
    }

    /** The option that gave isolation field {@code name} ({@code limits.cpu}, {@code mounts[2].ro}), or null. */
    private static String optionOf(String name) {
        if (name.startsWith("limits.")) {
            return "--limit " + name.substring("limits.".length());
        }
        if (name.startsWith("mounts[") && name.indexOf("].") > 0) {
            return "--" + name.substring(name.indexOf("].") + 2);
        }
        for (Map.Entry<String, String> option : ISOLATION_FIELDS.entrySet()) {
            if (option.getValue().equals(name)) {
                return option.getKey();
            }
        }
        return null;
    }
}
