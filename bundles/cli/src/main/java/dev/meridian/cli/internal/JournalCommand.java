package dev.meridian.cli.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.SyscallBus;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** {@code meridian journal}: what runs recorded, as trace lines or JSON lines. */
final class JournalCommand {

    static final String HELP = """
            Usage: meridian journal [OPTIONS]

            Prints the calls recorded in a journal, oldest first, one strace-like line each.

            Options:
              --journal DIR     journal directory (default: $XDG_STATE_HOME/meridian/journal,
                                or ~/.local/state/meridian/journal)
              --sandboxes       list the sandboxes instead of their calls
              --sandbox ID      only this sandbox (its id, or a unique prefix of it)
              --syscall NAME    only this system call, e.g. openat
              --pid N           only this process
              --json            one JSON object per line
              --help            show this help
            """;

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
                Set.of("--journal", "--sandbox", "--syscall", "--pid"), false);
        if (line.has("--help")) {
            System.out.print(HELP);
            return 0;
        }
        if (!line.operands().isEmpty()) {
            throw new UsageException("journal: unexpected argument: " + line.operands().getFirst());
        }
        String syscall = line.value("--syscall");
        if (syscall != null && shims.get().stream().noneMatch(shim -> shim.syscallNumber(syscall) >= 0)) {
            throw new UsageException("journal: unknown system call: " + syscall);
        }
        Integer pid = parsePid(line.value("--pid"));
        Path directory = line.value("--journal") != null ? Path.of(line.value("--journal")) : Locations.defaultJournal();
        if (!Files.isDirectory(directory)) {
            throw new CommandException("no journal at " + directory + ": not a directory", 1);
        }
        boolean json = line.has("--json");
        PrintStream out = System.out;
        try (JournalReader reader = bus.reader(directory)) {
            Long sandbox = line.value("--sandbox") == null ? null : resolveSandbox(reader, line.value("--sandbox"));
            if (line.has("--sandboxes")) {
                for (SandboxRecord record : reader.sandboxes()) {
                    if (sandbox == null || sandbox == record.sandboxId()) {
                        out.println(json ? sandboxJson(record) : sandboxLine(record));
                    }
                }
            } else {
                JournalQuery query = new JournalQuery(sandbox, pid, null, null, null);
                reader.entries(query, entry -> {
                    if (syscall == null || syscall.equals(format.syscallName(entry))) {
                        out.println(json ? format.json(entry)
                                : (sandbox == null ? SandboxIds.format(entry.sandboxId()) + " " : "")
                                        + format.traceLine(entry));
                    }
                });
            }
        } catch (JournalException e) {
            throw new CommandException(e.getMessage(), 1);
        }
        out.flush();
        return out.checkError() ? 1 : 0;
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
