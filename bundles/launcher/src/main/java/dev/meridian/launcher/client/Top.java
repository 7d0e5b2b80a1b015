package dev.meridian.launcher.client;

import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code meridian top}: the daemon's call rates per sandbox and per system call, from two answers of
 * {@code GET /v1/traffic} an interval apart. Full screen (ANSI, the terminal's alternate screen) when stdin and stdout
 * are a terminal, else, or with {@code -b}, one plain block per interval.
 */
final class Top {
    static final String HELP = """
            Usage: meridian top [-b] [-n N] [--interval SECONDS] [--state DIR]

            A live view of the daemon's system call rates over the last interval: per sandbox
            (calls and denials per second, its busiest calls) and per system call. Full screen
            on a terminal, refreshed every interval until Ctrl-C; with -b, or when not on a
            terminal, plain text: one block per interval, for scripts.

              -b, --batch            plain text, no screen control
              -n, --iterations N     stop after N intervals (default: until interrupted)
              --interval SECONDS     time between refreshes: 0.1 to 3600 (default 1)

            Rates count the calls the supervisor answered (GET /v1/traffic); calls the kernel
            decides by itself under the policy (seccomp, Landlock) are not seen.
            """;

    private static final String ENTER_SCREEN = "\033[?1049h\033[?25l";
    private static final String LEAVE_SCREEN = "\033[?25h\033[?1049l";
    private static final String HOME = "\033[H";
    private static final String CLEAR_LINE_END = "\033[K";
    private static final String CLEAR_SCREEN_END = "\033[J";
    private static final int BUSIEST = 3;
    private static final int DEFAULT_ROWS = 24;
    private static final int DEFAULT_COLUMNS = 80;

    /**
     * @param batch plain text blocks
     * @param iterations how many intervals, 0 for no end
     * @param intervalNanos between two views
     */
    record Options(boolean batch, long iterations, long intervalNanos) {

        static Options parse(CommandLine line) throws ClientException {
            if (!line.operands().isEmpty()) {
                throw ClientException.usage("top: takes no operands (see meridian top --help)");
            }
            String iterations = value(line, "-n", "--iterations");
            long count = 0;
            if (iterations != null) {
                count = iterations.chars().allMatch(Character::isDigit) && !iterations.isEmpty()
                        && iterations.length() < 10 ? Long.parseLong(iterations) : 0;
                if (count < 1) {
                    throw ClientException.usage("top: -n takes a number of intervals (1 or more), not '" + iterations
                            + "'");
                }
            }
            String interval = line.value("--interval");
            double seconds = 1;
            if (interval != null) {
                try {
                    seconds = Double.parseDouble(interval);
                } catch (NumberFormatException e) {
                    seconds = Double.NaN;
                }
                if (!(seconds >= 0.1 && seconds <= 3600)) {
                    throw ClientException.usage("top: --interval takes seconds from 0.1 to 3600, not '" + interval
                            + "'");
                }
            }
            return new Options(line.has("-b") || line.has("--batch"), count, Math.round(seconds * 1e9));
        }

        private static String value(CommandLine line, String shortName, String longName) throws ClientException {
            String value = line.value(shortName);
            if (value != null && line.value(longName) != null) {
                throw ClientException.usage("top: " + shortName + " and " + longName + " are the same option; give one");
            }
            return value != null ? value : line.value(longName);
        }
    }

    /** One sandbox in one answer. */
    record Sandbox(String id, boolean running, String command, long calls, long denials, Map<String, Long> syscalls) {
    }

    /** One answer of GET /v1/traffic. */
    record Counts(long takenNanos, Map<String, Sandbox> sandboxes) {
    }

    /** What a sandbox did in the interval. */
    private record Interval(Sandbox sandbox, long calls, long denials, Map<String, Long> bySyscall) {
    }

    private final PrintStream out;

    Top(PrintStream out) {
        this.out = out;
    }

    int run(ControlClient client, Options options) throws IOException, ApiException, Json.ParseException {
        client.closingEachConnection();
        boolean screen = !options.batch() && Terminal.interactive();
        Thread restore = new Thread(() -> {
            out.print(LEAVE_SCREEN);
            out.flush();
        }, "meridian-top-restore");
        if (screen) {
            out.print(ENTER_SCREEN);
            Runtime.getRuntime().addShutdownHook(restore);
        }
        try {
            Counts previous = fetch(client);
            for (long shown = 0; options.iterations() == 0 || shown < options.iterations(); shown++) {
                try {
                    Thread.sleep(java.time.Duration.ofNanos(options.intervalNanos()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 130;
                }
                Counts now = fetch(client);
                if (screen) {
                    int[] size = {DEFAULT_ROWS, DEFAULT_COLUMNS};
                    try {
                        Terminal.size(size);
                    } catch (IOException e) {
                        // Keep 24 x 80.
                    }
                    out.print(HOME + fit(render(previous, now, options.intervalNanos()), size[0], size[1])
                            + CLEAR_SCREEN_END);
                } else {
                    out.print(render(previous, now, options.intervalNanos()) + "\n");
                }
                out.flush();
                previous = now;
            }
            return 0;
        } finally {
            if (screen) {
                restore.run();
                try {
                    Runtime.getRuntime().removeShutdownHook(restore);
                } catch (IllegalStateException exiting) {
                    // The hook runs or ran already.
                }
            }
        }
    }

    static Counts fetch(ControlClient client) throws IOException, ApiException, Json.ParseException {
        return parse(client.call("GET", "/v1/traffic", null));
    }

    static Counts parse(Map<String, Object> answer) throws Json.ParseException {
        Map<String, Sandbox> sandboxes = new LinkedHashMap<>();
        for (Object element : Json.array(answer, "sandboxes")) {
            if (!(element instanceof Map<?, ?>)) {
                throw new Json.ParseException("\"sandboxes\" should hold objects");
            }
            @SuppressWarnings("unchecked") // parsed objects have string keys
            Map<String, Object> sandbox = (Map<String, Object>) element;
            Map<String, Long> syscalls = new HashMap<>();
            for (Map.Entry<String, Object> count : Json.object(sandbox, "syscalls").entrySet()) {
                if (!(count.getValue() instanceof Long calls)) {
                    throw new Json.ParseException("\"syscalls\" should hold integers");
                }
                syscalls.put(count.getKey(), calls);
            }
            List<String> command = new ArrayList<>();
            if (sandbox.get("command") != null) {
                for (Object word : Json.array(sandbox, "command")) {
                    command.add(String.valueOf(word));
                }
            }
            String id = Json.string(sandbox, "id");
            sandboxes.put(id, new Sandbox(id, Json.bool(sandbox, "running"), String.join(" ", command),
                    Json.integer(sandbox, "calls"), Json.integer(sandbox, "denials"), syscalls));
        }
        return new Counts(Json.integer(answer, "takenNanos"), sandboxes);
    }

    /**
     * The view of what happened between {@code previous} and {@code now}: a summary line, the sandboxes that run or
     * made calls in the interval (busiest first), then the system calls made in it (most first) with their totals
     * over the sandboxes the daemon still counts.
     */
    static String render(Counts previous, Counts now, long intervalNanos) {
        double seconds = Math.max(1, now.takenNanos() - previous.takenNanos()) / 1e9;
        Map<String, Long> callsBySyscall = new HashMap<>();
        Map<String, Long> totalBySyscall = new HashMap<>();
        long calls = 0;
        long denials = 0;
        int running = 0;
        List<Interval> shown = new ArrayList<>();
        for (Sandbox sandbox : now.sandboxes().values()) {
            Sandbox before = previous.sandboxes().get(sandbox.id());
            Map<String, Long> bySyscall = new HashMap<>();
            sandbox.syscalls().forEach((name, count) -> {
                totalBySyscall.merge(name, count, Long::sum);
                long made = delta(count, before == null ? 0 : before.syscalls().getOrDefault(name, 0L));
                if (made > 0) {
                    bySyscall.put(name, made);
                    callsBySyscall.merge(name, made, Long::sum);
                }
            });
            Interval interval = new Interval(sandbox, delta(sandbox.calls(), before == null ? 0 : before.calls()),
                    delta(sandbox.denials(), before == null ? 0 : before.denials()), bySyscall);
            calls += interval.calls();
            denials += interval.denials();
            running += sandbox.running() ? 1 : 0;
            if (sandbox.running() || interval.calls() > 0) {
                shown.add(interval);
            }
        }
        shown.sort(Comparator.comparingLong(Interval::calls).reversed());
        List<String[]> sandboxRows = new ArrayList<>();
        sandboxRows.add(new String[] {"SANDBOX", "STATE", "CALLS/S", "DENIED/S", "CALLS", "BUSIEST", "COMMAND"});
        for (Interval interval : shown) {
            List<String> busiest = new ArrayList<>();
            for (Map.Entry<String, Long> entry : mostFirst(interval.bySyscall())) {
                if (busiest.size() == BUSIEST) {
                    break;
                }
                busiest.add(entry.getKey() + " " + rate(entry.getValue(), seconds));
            }
            Sandbox sandbox = interval.sandbox();
            sandboxRows.add(new String[] {Listing.shortId(sandbox.id()), sandbox.running() ? "running" : "ended",
                    rate(interval.calls(), seconds), rate(interval.denials(), seconds), Long.toString(sandbox.calls()),
                    busiest.isEmpty() ? "-" : String.join(", ", busiest), sandbox.command()});
        }
        List<String[]> syscallRows = new ArrayList<>();
        syscallRows.add(new String[] {"SYSCALL", "CALLS/S", "CALLS"});
        for (Map.Entry<String, Long> entry : mostFirst(callsBySyscall)) {
            syscallRows.add(new String[] {entry.getKey(), rate(entry.getValue(), seconds),
                    Long.toString(totalBySyscall.get(entry.getKey()))});
        }
        String summary = "meridian top  " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"))
                + "  every " + String.format(Locale.ROOT, "%.1f", intervalNanos / 1e9) + " s  sandboxes: " + running
                + " running  calls/s: " + rate(calls, seconds) + "  denied/s: " + rate(denials, seconds) + "\n";
        return summary + "\n" + Listing.table(sandboxRows) + "\n" + Listing.table(syscallRows);
    }

    /** The lines of {@code view} cut to the screen: {@code rows} lines of {@code columns} characters at most. */
    static String fit(String view, int rows, int columns) {
        StringBuilder screen = new StringBuilder();
        List<String> lines = view.lines().toList();
        for (int i = 0; i < Math.min(lines.size(), Math.max(1, rows - 1)); i++) {
            String line = lines.get(i);
            screen.append(line, 0, Math.min(line.length(), Math.max(1, columns))).append(CLEAR_LINE_END).append('\n');
        }
        return screen.toString();
    }

    private static List<Map.Entry<String, Long>> mostFirst(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return entries;
    }

    /** A count's increase; 0 when it went down (the sandbox was forgotten, the daemon's counters restarted). */
    private static long delta(long now, long before) {
        return Math.max(0, now - before);
    }

    private static String rate(long count, double seconds) {
        return String.format(Locale.ROOT, "%.1f", count / seconds);
    }
}
