package dev.meridian.it;

import static dev.meridian.it.JournalQueries.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meridian journal stats}, the CSV export and a journal whose end was damaged, on journals of
 * real sandboxes: stats agree with the calls listed, CSV parses back to the JSON lines, and a damaged
 * tail is read up to the damage with one warning, after which a new run appends.
 */
class JournalAnalyticsIT {

    /** Chronicle's excerpt header: bit 31 not complete, bit 30 metadata, the rest the length. */
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3fff_ffff;
    private static final Pattern WARNING = Pattern.compile(
            "meridian: warning: journal (\\S+): skipped record 0x([0-9a-f]+): (.*)");

    @TempDir
    static Path workspace;

    static Path knownFile;

    @BeforeAll
    static void prepare() {
        knownFile = Commands.writeFile(workspace.resolve("known.txt"), "known, \"quoted\" contents\n");
    }

    @Test
    void statsAddUpTheCallsListedAndTheirLatencies() {
        Path journal = MeridianHome.freshJournal();
        Commands.Outcome run = Commands.sandboxedInto(journal, List.of("--profile", "strict"),
                List.of("/bin/sh", "-c", "cat " + knownFile + "; cat /etc/shadow"), new byte[0],
                Commands.DEFAULT_TIMEOUT).outcome();
        assertEquals(1, run.exitCode(), run::describe); // the shadow file is denied
        List<Map<String, Object>> calls = JournalQueries.calls(journal);
        assertFalse(calls.isEmpty());

        Commands.Outcome statsRun = Commands.meridian(List.of("journal", "stats", "--journal", journal.toString(),
                "--json", "--top", "0"));
        assertEquals(0, statsRun.exitCode(), statsRun::describe);
        Map<String, Object> stats = Json.parseObject(statsRun.out().strip());
        assertEquals(1L, stats.get("sandboxes"), stats::toString);
        assertEquals((long) calls.size(), stats.get("calls"), stats::toString);
        long denied = calls.stream().filter(call -> "deny".equals(call.get("verdict"))
                || "kill".equals(call.get("verdict"))).count();
        assertTrue(denied > 0, "strict denied nothing of a cat of /etc/shadow");
        assertEquals(denied, stats.get("denied"), stats::toString);

        Map<String, List<Map<String, Object>>> bySyscall = new HashMap<>();
        calls.forEach(call -> bySyscall.computeIfAbsent((String) call.get("syscall"), key -> new ArrayList<>())
                .add(call));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> syscalls = (List<Map<String, Object>>) stats.get("syscalls");
        assertEquals(bySyscall.size(), syscalls.size(), stats::toString);
        long previous = Long.MAX_VALUE;
        for (Map<String, Object> row : syscalls) {
            List<Map<String, Object>> own = bySyscall.get((String) row.get("syscall"));
            assertEquals((long) own.size(), row.get("calls"), row::toString);
            assertTrue(number(row, "calls") <= previous, "not sorted by calls: " + syscalls);
            previous = number(row, "calls");
            assertEquals(own.stream().filter(call -> "deny".equals(call.get("verdict"))
                    || "kill".equals(call.get("verdict"))).count(), row.get("denied"), row::toString);
            @SuppressWarnings("unchecked")
            Map<String, Object> latency = (Map<String, Object>) row.get("latency_ns");
            List<Long> latencies = own.stream().filter(call -> call.get("verdict") != null)
                    .map(call -> number(call, "latency_ns")).sorted().toList();
            assertEquals((long) latencies.size(), latency.get("completed"), row::toString);
            assertEquals(latencies.getLast(), latency.get("max"), "max is exact: " + row);
            for (String p : List.of("p50", "p90", "p99")) {
                int percent = Integer.parseInt(p.substring(1));
                long exact = latencies.get((int) Math.ceil(percent / 100.0 * latencies.size()) - 1);
                long reported = number(latency, p);
                assertTrue(reported >= exact && reported <= exact + exact / 256,
                        row.get("syscall") + " " + p + ": exact " + exact + ", reported " + reported);
            }
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> denials = (List<Map<String, Object>>) stats.get("denials");
        assertEquals(denied, denials.stream().mapToLong(row -> number(row, "count")).sum(), denials::toString);
        assertTrue(denials.stream().anyMatch(row -> row.get("rule").equals("strict/secrets")), denials::toString);

        Commands.Outcome table = Commands.meridian(List.of("journal", "stats", "--journal", journal.toString(),
                "--syscall", "openat"));
        assertEquals(0, table.exitCode(), table::describe);
        List<String> lines = Commands.lines(table.out());
        assertTrue(lines.getFirst().startsWith("journal " + journal + ": 1 sandbox, "
                + bySyscall.get("openat").size() + " calls"), table::describe);
        assertTrue(lines.stream().anyMatch(line -> line.matches("openat\\s+\\d+\\s+100\\.0%.*")), table::describe);
        assertTrue(lines.stream().anyMatch(line -> line.matches("strict/secrets\\s+openat\\s+\\d+")), table::describe);
    }

    @Test
    void csvParsesBackToTheSameRowsAsTheJsonLines() {
        Commands.Sandboxed run = Commands.sandboxed(List.of("/bin/cat", knownFile.toString()));
        assertEquals(0, run.outcome().exitCode(), run.outcome()::describe);
        List<Map<String, Object>> json = JournalQueries.calls(run.journal());
        Commands.Outcome csv = Commands.meridian(List.of("journal", "--journal", run.journal().toString(),
                "--format", "csv"));
        assertEquals(0, csv.exitCode(), csv::describe);

        List<List<String>> rows = Rfc4180.parse(csv.out());
        List<String> header = rows.getFirst();
        assertEquals(List.of("sandbox", "seq", "time", "pid", "tid", "syscall", "nr", "arg0", "arg1", "arg2", "arg3",
                "arg4", "arg5", "verdict", "errno", "rule", "interrupted", "result", "latency_ns", "text"), header);
        assertEquals(json.size(), rows.size() - 1, "one row per JSON line");
        boolean quoted = false;
        for (int i = 0; i < json.size(); i++) {
            Map<String, Object> expected = json.get(i);
            Map<String, String> row = new HashMap<>();
            for (int column = 0; column < header.size(); column++) {
                row.put(header.get(column), rows.get(i + 1).get(column));
            }
            for (String field : List.of("sandbox", "seq", "time", "pid", "tid", "syscall", "nr", "verdict", "errno",
                    "rule", "interrupted", "result", "latency_ns", "text")) {
                Object value = expected.get(field);
                assertEquals(value == null ? "" : value.toString(), row.get(field), field + " of row " + i);
            }
            List<?> args = (List<?>) expected.get("args");
            for (int arg = 0; arg < 6; arg++) {
                assertEquals(args.get(arg), row.get("arg" + arg), "arg" + arg + " of row " + i);
            }
            quoted |= row.get("text").contains("\"") && row.get("text").contains(",");
        }
        assertTrue(quoted, "no row needed quoting: the export's quoting went untested");
    }

    @Test
    void aJournalFileTruncatedInsideARecordIsReadUpToTheDamageAndANewRunAppends() throws IOException {
        Commands.Sandboxed first = Commands.sandboxed(List.of("/bin/cat", knownFile.toString()));
        assertEquals(0, first.outcome().exitCode(), first.outcome()::describe);
        Path journal = first.journal();
        List<Map<String, Object>> before = JournalQueries.calls(journal);
        Path file = queueFile(journal);
        List<Long> records = dataRecords(file);
        long damaged = records.get(records.size() - 10);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(damaged + 4 + 20); // the header and 20 bytes of the record are left
        }

        Commands.Outcome listing = Commands.meridian(List.of("journal", "--journal", journal.toString(), "--json"));
        assertEquals(0, listing.exitCode(), listing::describe);
        Matcher warning = onlyWarning(listing);
        assertEquals(journal.toString(), warning.group(1));
        assertTrue(warning.group(3).startsWith("the journal file " + file.getFileName() + " ends inside this record"),
                listing::describe);
        long index = Long.parseLong(warning.group(2), 16);
        List<Object> expected = before.stream().filter(call -> number(call, "seq") < index)
                .map(call -> call.get("seq")).toList();
        assertFalse(expected.isEmpty());
        assertEquals(expected, Commands.lines(listing.out()).stream().map(line -> Json.parseObject(line).get("seq"))
                .toList(), "every call before the damage, nothing after it");

        Commands.Outcome second = Commands.sandboxedInto(journal, List.of(), List.of("/bin/echo", "again"),
                new byte[0], Commands.DEFAULT_TIMEOUT).outcome();
        assertEquals(0, second.exitCode(), second::describe);
        assertEquals("again\n", second.out(), second::describe);
        Commands.Outcome sandboxes = Commands.meridian(List.of("journal", "--journal", journal.toString(),
                "--sandboxes", "--json"));
        assertEquals(0, sandboxes.exitCode(), sandboxes::describe);
        List<String> lines = Commands.lines(sandboxes.out());
        assertEquals(2, lines.size(), sandboxes::describe);
        assertEquals(0L, Json.parseObject(lines.get(1)).get("exit"), sandboxes::describe);
        onlyWarning(sandboxes);
        assertEquals(expected.size() + number(Json.parseObject(lines.get(1)), "calls"),
                JournalQueries.calls(journal).size(), "the calls before the damage are all still there");
    }

    @Test
    void aRecordLeftUnfinishedByAWriterThatDiedIsReportedAndANewRunAppends() throws IOException {
        Commands.Sandboxed first = Commands.sandboxed(List.of("/bin/cat", knownFile.toString()));
        assertEquals(0, first.outcome().exitCode(), first.outcome()::describe);
        Path journal = first.journal();
        List<Map<String, Object>> before = JournalQueries.calls(journal);
        Path file = queueFile(journal);
        long end = endOfData(file);
        // A header marked not complete (unknown length) and the first bytes of a record after it.
        ByteBuffer unfinished = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(NOT_COMPLETE)
                .put((byte) 1).put((byte) 2).putLong(0x1234).flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(unfinished, end);
        }

        Commands.Outcome listing = Commands.meridian(List.of("journal", "--journal", journal.toString(), "--json"));
        assertEquals(0, listing.exitCode(), listing::describe);
        Matcher warning = onlyWarning(listing);
        assertEquals("this record was left unfinished at byte " + end + " of " + file.getFileName()
                + ": the process writing it died; the next record written takes its place", warning.group(3));
        assertEquals(before.size(), Commands.lines(listing.out()).size(), "every call is still read");

        Commands.Outcome second = Commands.sandboxedInto(journal, List.of(), List.of("/bin/echo", "again"),
                new byte[0], Commands.DEFAULT_TIMEOUT).outcome();
        assertEquals(0, second.exitCode(), second::describe);
        List<Map<String, Object>> sandboxes = JournalQueries.sandboxes(journal);
        assertEquals(2, sandboxes.size(), sandboxes::toString);
        assertEquals(0L, sandboxes.get(1).get("exit"), sandboxes::toString);
    }

    @Test
    void badOptionsAreNamed() {
        Path journal = MeridianHome.freshJournal();
        for (List<String> bad : List.of(List.of("--format", "xml"), List.of("--format", "csv", "--sandboxes"),
                List.of("stats", "--format", "csv"), List.of("stats", "--top", "-1"), List.of("--since", "soon"),
                List.of("--json", "--format", "text"), List.of("--top", "3"))) {
            List<String> arguments = new ArrayList<>(List.of("journal", "--journal", journal.toString()));
            arguments.addAll(bad);
            Commands.Outcome outcome = Commands.meridian(arguments);
            assertEquals(2, outcome.exitCode(), outcome::describe);
            assertEquals(1, Commands.lines(outcome.err()).size(), outcome::describe);
            assertTrue(outcome.err().startsWith("meridian: journal"), outcome::describe);
        }
    }

    private static Matcher onlyWarning(Commands.Outcome outcome) {
        List<String> lines = Commands.lines(outcome.err());
        assertEquals(1, lines.size(), () -> "expected one warning\n" + outcome.describe());
        Matcher warning = WARNING.matcher(lines.getFirst());
        assertTrue(warning.matches(), outcome::describe);
        return warning;
    }

    private static Path queueFile(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** Where each record (data excerpt) of the file starts, stepping by Chronicle's excerpt lengths. */
    private static List<Long> dataRecords(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> records = new ArrayList<>();
        int position = 0;
        for (int header; (header = bytes.getInt(position)) != 0; ) {
            if ((header & META_DATA) == 0) {
                records.add((long) position);
            }
            position += Integer.BYTES + (header & LENGTH_MASK);
            position += -position & 3;
        }
        return records;
    }

    private static long endOfData(Path file) throws IOException {
        List<Long> records = dataRecords(file);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long position = records.getLast();
        int header;
        while ((header = bytes.getInt((int) position)) != 0) {
            position += Integer.BYTES + (header & LENGTH_MASK);
            position += -position & 3;
        }
        return position;
    }

    /** RFC 4180: fields separated by commas, records by CRLF; a quoted field may hold both, and "" is a quote. */
    static final class Rfc4180 {
        static List<List<String>> parse(String text) {
            List<List<String>> records = new ArrayList<>();
            List<String> record = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            int i = 0;
            boolean quoted = false;
            boolean fieldStarted = false;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                    i++;
                    continue;
                }
                if (c == '"' && !fieldStarted) {
                    quoted = true;
                    fieldStarted = true;
                } else if (c == ',') {
                    record.add(field.toString());
                    field.setLength(0);
                    fieldStarted = false;
                } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    record.add(field.toString());
                    records.add(record);
                    record = new ArrayList<>();
                    field.setLength(0);
                    fieldStarted = false;
                    i++;
                } else if (c == '"' || c == '\n' || c == '\r') {
                    throw new IllegalArgumentException("not RFC 4180: " + (c == '"' ? "a quote inside an unquoted "
                            + "field" : "a bare line break") + " at character " + i);
                } else {
                    field.append(c);
                    fieldStarted = true;
                }
                i++;
            }
            if (quoted || fieldStarted || !record.isEmpty()) {
                throw new IllegalArgumentException("not RFC 4180: the last record does not end in CRLF");
            }
            return records;
        }
    }
}
