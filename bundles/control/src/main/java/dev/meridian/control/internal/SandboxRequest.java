package dev.meridian.control.internal;

import dev.meridian.api.Isolation;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.Stdio;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A decoded {@code POST /v1/sandboxes}: the spec, whether to start it, and what the API itself does with the stdio.
 *
 * @param spec what to run
 * @param start whether to start it right away
 * @param discardOutput {@code "stdio": "null"}: the guest gets pipes, its input is closed at the start and its output
 *     read and dropped by the daemon (the platform needs no third mode for it)
 * @param terminalSize the terminal's size for {@code "stdio": "tty"}, or null for the platform's default
 */
record SandboxRequest(SandboxSpec spec, boolean start, boolean discardOutput, TerminalSize terminalSize) {

    static final List<String> FIELDS = List.of("command", "env", "cwd", "policies", "isolation", "stdio", "tty",
            "journal", "start");
    static final String DEFAULT_PROFILE = "default";

    /** A terminal's rows and columns. */
    record TerminalSize(int rows, int columns) {
    }

    /**
     * Decodes a create request.
     *
     * @param policyStore where stored policies are ({@code {"stored": NAME}} is NAME.yaml there)
     * @param defaultJournal the journal when the request names none
     */
    static SandboxRequest decode(JsonObject json, PolicyStore policyStore, Path defaultJournal) {
        StrictJson.onlyKnown(json, "", FIELDS);
        StrictJson.required(json, "", "command");
        List<String> command = StrictJson.strings(json, "", "command");
        if (command.isEmpty()) {
            throw ApiException.badRequest("\"command\" is empty: name the program to run");
        }
        if (command.getFirst().isEmpty()) {
            throw ApiException.badRequest("\"command[0]\" is empty: name the program to run");
        }
        for (int i = 0; i < command.size(); i++) {
            noNul("command[" + i + "]", command.get(i));
        }
        Map<String, String> env = StrictJson.stringMap(json, "", "env");
        if (env == null) {
            env = Map.of();
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (variable.getKey().isEmpty() || variable.getKey().indexOf('=') >= 0) {
                throw ApiException.badRequest("\"env\" has an invalid variable name: '" + variable.getKey() + "'");
            }
            noNul("env." + variable.getKey(), variable.getKey() + variable.getValue());
        }
        String cwdText = StrictJson.string(json, "", "cwd");
        Path cwd = cwdText == null ? Path.of("/") : IsolationJson.absolutePath("cwd", cwdText).normalize();
        List<PolicySource> policies = policies(StrictJson.array(json, "", "policies"), policyStore);
        Isolation isolation = IsolationJson.parse(StrictJson.object(json, "", "isolation"));
        String stdioText = StrictJson.string(json, "", "stdio");
        Stdio stdio;
        boolean discard = false;
        switch (stdioText == null ? "pipe" : stdioText) {
            case "pipe" -> stdio = Stdio.PIPE;
            case "tty" -> stdio = Stdio.TTY;
            case "null" -> {
                stdio = Stdio.PIPE;
                discard = true;
            }
            default -> throw ApiException.badRequest("\"stdio\" takes \"pipe\", \"tty\" or \"null\", not '"
                    + stdioText + "'");
        }
        TerminalSize size = terminalSize(StrictJson.object(json, "", "tty"));
        if (size != null && stdio != Stdio.TTY) {
            throw ApiException.badRequest("\"tty\" sets a terminal's size; it needs \"stdio\": \"tty\"");
        }
        String journalText = StrictJson.string(json, "", "journal");
        Path journal = journalText == null ? defaultJournal : IsolationJson.absolutePath("journal", journalText);
        Boolean start = StrictJson.bool(json, "", "start");
        SandboxSpec spec = new SandboxSpec(command, env, cwd, policies, isolation, journal, stdio);
        return new SandboxRequest(spec, start == null || start, discard, size);
    }

    private static List<PolicySource> policies(JsonArray array, PolicyStore policyStore) {
        if (array == null) {
            return List.of(PolicySource.profile(DEFAULT_PROFILE));
        }
        if (array.isEmpty()) {
            throw ApiException.badRequest("\"policies\" is empty: leave it out for the default profile, or name one");
        }
        List<PolicySource> sources = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String where = "policies[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject source) || source.size() != 1) {
                throw ApiException.badRequest("\"" + where + "\" must be one of {\"profile\": NAME}, {\"file\": PATH} "
                        + "or {\"stored\": NAME}");
            }
            String kind = source.fieldNames().iterator().next();
            StrictJson.onlyKnown(source, where + ".", List.of("profile", "file", "stored"));
            String value = StrictJson.string(source, where + ".", kind);
            if (value == null || value.isEmpty()) {
                throw ApiException.badRequest("\"" + where + "." + kind + "\" must be a non-empty string");
            }
            sources.add(switch (kind) {
                case "profile" -> PolicySource.profile(value);
                case "file" -> PolicySource.file(IsolationJson.absolutePath(where + ".file", value).normalize());
                default -> PolicySource.file(policyStore.existing(value));
            });
        }
        return sources;
    }

    private static TerminalSize terminalSize(JsonObject json) {
        if (json == null) {
            return null;
        }
        StrictJson.onlyKnown(json, "tty.", List.of("rows", "columns"));
        StrictJson.required(json, "tty.", "rows");
        StrictJson.required(json, "tty.", "columns");
        long rows = StrictJson.integer(json, "tty.", "rows");
        long columns = StrictJson.integer(json, "tty.", "columns");
        if (rows < 1 || rows > 0xFFFF || columns < 1 || columns > 0xFFFF) {
            throw ApiException.badRequest("\"tty\" rows and columns take 1 to 65535, not " + rows + "x" + columns);
        }
        return new TerminalSize((int) rows, (int) columns);
    }

    private static void noNul(String name, String text) {
        if (text.indexOf('\0') >= 0) {
            throw ApiException.badRequest("\"" + name + "\" contains a NUL character, which no program can receive");
        }
    }
}
