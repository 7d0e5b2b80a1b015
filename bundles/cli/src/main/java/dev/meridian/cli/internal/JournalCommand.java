package dev.meridian.cli.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.SyscallBus;
import dev.meridian.bus.JournalDiagnostics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code meridian journal}: what runs recorded, as trace lines, JSON lines or CSV; {@code meridian
 * journal stats}: what the calls add up to. Records the bus had to skip (a damaged journal) are
 * named on stderr, one warning each, after the output.
 */
final class JournalCommand {

    static final String HELP = """
            Usage: meridian journal [stats] [OPTIONS]

            Prints the calls recorded in a journal, oldest first, one strace-like line each.
            With stats: per system call the calls, their share, denials and latency percentiles
            (p50, p90, p99, max), denials by rule, and totals.

            Options:
              --journal DIR     journal directory (default: $XDG_STATE_HOME/meridian/journal,
                                or ~/.local/state/meridian/journal)
              --sandboxes       list the sandboxes instead of their calls
              --sandbox ID      only this sandbox (its id, or a unique prefix of it)
              --syscall NAME    only this system call, e.g. openat
              --pid N           only this process
              --since TIME      only calls at or after TIME: 2026-11-28T09:30:00Z, 2026-11-28 (UTC),
                                or a time ago: 90s, 15m, 2h, 7d
              --until TIME      only calls before TIME (same forms)
              --format FORMAT   text (default), json (one object per line; stats: one document)
                                or csv (RFC 4180, a header row, the arguments as columns arg0-arg5,
                                the trace line last; not for --sandboxes or stats)
              --json            the same as --format json
              --top N           stats: the N most called system calls (default 20, 0 for all)
              --help            show this help

            A damaged journal (a record that cannot be read, a file cut short by a crash) is read
            around the damage; each damaged record is named on stderr with its index and cause.
            """;

    private static final Pattern AGO = Pattern.compile("(\\d{1,9})([smhdw])");
    private static final int DEFAULT_TOP = 20;

    private final SyscallBus bus;
    private final Supplier<List<NorthShim>> shims;
    private final EntryFormat format;

    JournalCommand(SyscallBus bus, Supplier<List<NorthShim>> shims) {
        this.bus = bus;
        this.shims = shims;
        this.format = new EntryFormat(bus);
    }

    int run(List<String> args) throws UsageException, CommandException {
        CommandLine line = CommandLine.parse(args, Set.of("--json", "--sandboxes", "--help"),
                Set.of("--journal", "--sandbox", "--syscall", "--pid", "--since", "--until", "--format", "--top"),
                false);
        if (line.has("--help")) {
            System.out.print(HELP);
            return 0;
        }
        boolean stats = !line.operands().isEmpty() && line.operands().getFirst().equals("stats");
        if (line.operands().size() > (stats ? 1 : 0)) {
            throw new UsageException("journal: unexpected argument: " + line.operands().get(stats ? 1 : 0));
        }
        String output = outputFormat(line, stats);
        int top = stats ? parseTop(line.value("--top")) : DEFAULT_TOP;
        if (!stats && line.value("--top") != null) {
            throw new UsageException("journal: --top is for journal stats");
        }
        if (stats && line.has("--sandboxes")) {
            throw new UsageException("journal stats: --sandboxes lists sandboxes; use one or the other");
        }
        String syscall = line.value("--syscall");
        if (syscall != null && shims.get().stream().noneMatch(shim -> shim.syscallNumber(syscall) >= 0)) {
            throw new UsageException("journal: unknown system call: " + syscall);
        }
        Integer pid = parsePid(line.value("--pid"));
        Long since = parseTime("--since", line.value("--since"));
        Long until = parseTime("--until", line.value("--until"));
        Path directory = line.value("--journal") != null ? Path.of(line.value("--journal")) : Locations.defaultJournal();
        if (!Files.isDirectory(directory)) {
            throw new CommandException("no journal at " + directory + ": not a directory", 1);
        }
        PrintStream out = System.out;
        try (JournalReader reader = bus.reader(directory)) {
            Long sandbox = line.value("--sandbox") == null ? null : resolveSandbox(reader, line.value("--sandbox"));
            if (line.has("--sandboxes")) {
                for (SandboxRecord record : reader.sandboxes()) {
                    if (sandbox == null || sandbox == record.sandboxId()) {
                        out.println(output.equals("json") ? sandboxJson(record) : sandboxLine(record));
                    }
                }
            } else {
                JournalQuery query = new JournalQuery(sandbox, pid, null, since, until);
                JournalStats tally = stats ? new JournalStats() : null;
                if (output.equals("csv")) {
                    out.print(EntryFormat.CSV_HEADER + CRLF);
                }
                reader.entries(query, entry -> {
                    String name = format.syscallName(entry);
                    if (syscall != null && !syscall.equals(name)) {
                        return;
                    }
                    if (tally != null) {
                        tally.add(entry, name);
                        return;
                    }
                    switch (output) {
                        case "json" -> out.println(format.json(entry));
                        case "csv" -> out.print(format.csv(entry) + CRLF);
                        default -> out.println((sandbox == null ? SandboxIds.format(entry.sandboxId()) + " " : "")
                                + format.traceLine(entry));
                    }
                });
                if (tally != null) {
                    out.print(output.equals("json") ? tally.json(directory.toString(), top) + "\n"
                            : tally.text(directory.toString(), top));
                }
            }
            reportSkipped(reader);
        } catch (JournalException e) {
            throw new CommandException(e.getMessage(), 1);
        }
        out.flush();
        return out.checkError() ? 1 : 0;
    }

    private static final String CRLF = "\r\n";

    /** One warning on stderr per record the reader skipped (each names the journal, the index and the cause). */
    private static void reportSkipped(JournalReader reader) {
        if (reader instanceof JournalDiagnostics diagnostics && diagnostics.skippedRecords() > 0) {
            List<String> warnings = diagnostics.warnings();
            warnings.forEach(warning -> System.err.println("meridian: warning: " + warning));
            long more = diagnostics.skippedRecords() - warnings.size();
            if (more > 0) {
                System.err.println("meridian: warning: and " + more + " more skipped records");
            }
        }
    }

    private static String outputFormat(CommandLine line, boolean stats) throws UsageException {
        String format = line.value("--format");
        if (line.has("--json")) {
            if (format != null && !format.equals("json")) {
                throw new UsageException("journal: --json and --format " + format + " contradict each other");
            }
            format = "json";
        }
        if (format == null) {
            return "text";
        }
        if (!Set.of("text", "json", "csv").contains(format)) {
            throw new UsageException("journal: --format must be text, json or csv, not '" + format + "'");
        }
        if (format.equals("csv") && (stats || line.has("--sandboxes"))) {
            throw new UsageException("journal" + (stats ? " stats" : "") + ": --format csv is for the calls; "
                    + "use text or json");
        }
        return format;
    }

    private static int parseTop(String text) throws UsageException {
        if (text == null) {
            return DEFAULT_TOP;
        }
        try {
            int top = Integer.parseInt(text);
            if (top >= 0) {
                return top;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("journal stats: --top needs a count (0 for all), not '" + text + "'");
    }

    /** An instant, a UTC date or a time ago, as epoch milliseconds. */
    static Long parseTime(String option, String text) throws UsageException {
        if (text == null) {
            return null;
        }
        Matcher ago = AGO.matcher(text);
        if (ago.matches()) {
            long amount = Long.parseLong(ago.group(1));
            Duration back = switch (ago.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofDays(7 * amount);
            };
            return System.currentTimeMillis() - back.toMillis();
        }
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            } catch (DateTimeParseException notADate) {
                throw new UsageException("journal: " + option + " needs a time (2026-11-28T09:30:00Z, 2026-11-28, "
                        + "or a time ago such as 15m, 2h, 7d), not '" + text + "'");
            }
        }
    }

    private static Integer parsePid(String text) throws UsageException {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw new UsageException("journal: --pid needs a process id, not '" + text + "'");
        }
    }

    private static long resolveSandbox(JournalReader reader, String prefix) throws UsageException, CommandException {
        if (!prefix.matches("[0-9a-fA-F]{1,16}")) {
            throw new UsageException("journal: not a sandbox id: " + prefix);
        }
        List<Long> matches = reader.sandboxes().stream()
                .map(SandboxRecord::sandboxId)
                .filter(id -> SandboxIds.format(id).startsWith(prefix.toLowerCase()))
                .distinct()
                .toList();
        if (matches.isEmpty()) {
            throw new CommandException("no sandbox " + prefix + " in this journal", 1);
        }
        if (matches.size() > 1) {
            throw new UsageException("journal: sandbox id prefix " + prefix + " is ambiguous");
        }
        return matches.getFirst();
    }

    private static String sandboxLine(SandboxRecord record) {
        return SandboxIds.format(record.sandboxId()) + "  " + Instant.ofEpochMilli(record.startedMillis())
                + "  " + exitText(record.exit()) + "  calls=" + record.calls()
                + "  answered=" + record.answeredCalls() + "  denied=" + record.denials()
                + "  " + String.join(" ", record.command());
    }

    private static String exitText(ExitStatus exit) {
        if (exit == null) {
            return "no-end";
        }
        return exit.signaled() ? "signal=" + exit.signal() : "exit=" + exit.code();
    }

    private static String sandboxJson(SandboxRecord record) {
        ExitStatus exit = record.exit();
        return new Json()
                .field("sandbox", SandboxIds.format(record.sandboxId()))
                .field("started", Instant.ofEpochMilli(record.startedMillis()).toString())
                .field("command", record.command())
                .field("profile", record.profile())
                .nullableField("exit", exit == null ? null : (long) exit.shellStatus())
                .nullableField("signal", exit == null || !exit.signaled() ? null : (long) exit.signal())
                .field("calls", record.calls())
                .nullableField("answered", record.answeredCalls() < 0 ? null : record.answeredCalls())
                .field("denied", record.denials())
                .end();
    }
}
