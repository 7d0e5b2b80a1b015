package dev.meridian.launcher.client;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The tables of {@code meridian ps} and {@code meridian bundles} (and the layout of {@code meridian top}'s). */
final class Listing {
    private final PrintStream out;

    Listing(PrintStream out) {
        this.out = out;
    }

    /** GET /v1/sandboxes: the sandbox objects of {@code {"sandboxes":[...]}}. */
    static List<Map<String, Object>> sandboxes(ControlClient client, boolean all)
            throws IOException, ApiException, Json.ParseException {
        return objects(client.call("GET", "/v1/sandboxes" + (all ? "?all=true" : ""), null), "sandboxes");
    }

    @SuppressWarnings("unchecked") // parsed objects have string keys
    private static List<Map<String, Object>> objects(Map<String, Object> answer, String key)
            throws Json.ParseException {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object element : Json.array(answer, key)) {
            if (!(element instanceof Map<?, ?> map)) {
                throw new Json.ParseException("\"" + key + "\" should hold objects");
            }
            objects.add((Map<String, Object>) map);
        }
        return objects;
    }

    int ps(ControlClient client, boolean all, boolean json)
            throws IOException, ApiException, Json.ParseException {
        List<Map<String, Object>> sandboxes = sandboxes(client, all);
        if (json) {
            out.println(Json.write(sandboxes));
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATE", "PID", "WALL", "CPU", "CALLS", "DENIED", "COMMAND"});
        for (Map<String, Object> sandbox : sandboxes) {
            Map<String, Object> exit = Json.objectOrNull(sandbox, "exit");
            String state = Json.string(sandbox, "state");
            if (exit != null) {
                state += " (" + Json.integer(exit, "status") + ")";
            }
            long pid = Json.integerOr(sandbox, "pid", 0);
            List<String> command = new ArrayList<>();
            for (Object word : Json.array(sandbox, "command")) {
                command.add(String.valueOf(word));
            }
            rows.add(new String[] {shortId(Json.string(sandbox, "id")), state, pid == 0 ? "-" : Long.toString(pid),
                    duration(Json.integerOr(sandbox, "wallMillis", 0)), duration(Json.integerOr(sandbox, "cpuMillis", 0)),
                    Long.toString(Json.integerOr(sandbox, "syscalls", 0)),
                    Long.toString(Json.integerOr(sandbox, "denials", 0)), String.join(" ", command)});
        }
        print(rows);
        return 0;
    }

    void bundles(ControlClient client) throws IOException, ApiException, Json.ParseException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATE", "VERSION", "NAME", "SOURCE"});
        for (Map<String, Object> bundle : objects(client.call("GET", "/v1/bundles", null), "bundles")) {
            rows.add(new String[] {Long.toString(Json.integer(bundle, "id")), Json.string(bundle, "state"),
                    Json.string(bundle, "version"), Json.string(bundle, "symbolicName"),
                    Json.bool(bundle, "deployed") ? "deployed" : "installation"});
        }
        print(rows);
    }

    /** Twelve hex digits, as most ids differ long before; any unique prefix is accepted back. */
    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** 0.01s, 12.34s, 3m05s, 2h07m. */
    static String duration(long millis) {
        if (millis < 60_000) {
            long hundredths = millis / 10;
            return hundredths / 100 + "." + twoDigits(hundredths % 100) + "s";
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return seconds / 60 + "m" + twoDigits(seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + twoDigits(seconds / 60 % 60) + "m";
    }

    private static String twoDigits(long n) {
        return n < 10 ? "0" + n : Long.toString(n);
    }

    private void print(List<String[]> rows) {
        out.print(table(rows));
    }

    /** Columns padded to their widest cell, the last one unpadded; a line each. */
    static String table(List<String[]> rows) {
        int columns = rows.getFirst().length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                text.append(row[i]);
                if (i < columns - 1) {
                    text.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            text.append('\n');
        }
        return text.toString();
    }
}
