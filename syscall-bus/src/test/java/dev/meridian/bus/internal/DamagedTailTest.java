package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.JournalDiagnostics;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal whose last file was cut short or whose last record a dying writer left unfinished: on
 * real files with real damage, everything before the damage is read, one warning names the journal,
 * the index and the cause, and a new sandbox appends after the last whole record.
 */
class DamagedTailTest {

    private static final long MARKER = 0x5eed_f00d_0000_0000L;
    /** Where argument 0 sits in a CALL record: version, type, sandbox, wall, received, pid, tid, abi, nr. */
    private static final int ARG0_OFFSET = 1 + 1 + 8 + 8 + 8 + 4 * 4;

    @TempDir
    Path journal;

    @Test
    void aFileTruncatedInsideARecordIsRepairedAndNewRecordsFollowTheLastWholeOne() throws Exception {
        List<Long> sequences = writeSandbox(1, 10);
        Path file = queueFile();
        long cut = recordOf(file, MARKER + 7) + 20;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(cut); // as a crash of the host or a full disk leaves it: the file ends inside call 7
        }

        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try (JournalReader reader = bus.reader(journal)) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), markers(reader), "every call before the damage");
            String warning = onlyWarning(reader);
            assertTrue(warning.startsWith("journal " + journal + ": skipped record 0x"
                    + Long.toHexString(sequences.get(7)) + ": the journal file " + file.getFileName()
                    + " ends inside this record (at byte " + cut + "; "), warning);
            assertTrue(warning.contains("repaired: the 15 records before it"), warning);
        }
        // The record's header sits 4 bytes before its payload; the original is kept under its position.
        assertEquals(List.of(journal.resolve(file.getFileName() + ".damage-" + (cut - 20 - 4))), damageCopies(),
                "the damaged original is kept");

        writeSandbox(2, 3, bus);
        try (JournalReader reader = bus.reader(journal)) {
            List<JournalEntry> entries = new ArrayList<>();
            reader.entries(JournalQuery.ALL, entries::add);
            assertEquals(List.of("1:0", "1:1", "1:2", "1:3", "1:4", "1:5", "1:6", "2:0", "2:1", "2:2"),
                    entries.stream().map(entry -> entry.sandboxId() + ":" + (entry.arg(0) - MARKER)).toList());
            assertTrue(entries.stream().allMatch(JournalEntry::completed));
            List<SandboxRecord> sandboxes = reader.sandboxes();
            assertEquals(List.of(1L, 2L), sandboxes.stream().map(SandboxRecord::sandboxId).toList());
            assertEquals(ExitStatus.exited(0), sandboxes.get(1).exit(), "the new sandbox's end is read");
            onlyWarning(reader);
        }
        bus.deactivate();

        // Another process (a new bus) still reports the damage, from the note the repair left.
        try (JournalReader reader = Fixtures.busWithShim().reader(journal)) {
            assertEquals(10, markers(reader).size());
            assertTrue(onlyWarning(reader).contains("ends inside this record"));
        }
    }

    @Test
    void aRecordLeftUnfinishedByAWriterThatDiedIsReportedAndOverwrittenByTheNextWriter() throws Exception {
        Process writer = new ProcessBuilder(Fixtures.javaCommand(CrashingWriter.class.getName(), journal.toString(), "6",
                Long.toHexString(MARKER))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String unfinishedIndex = new String(writer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertTrue(writer.waitFor(60, TimeUnit.SECONDS));
        assertEquals(9, writer.exitValue(), "the writer halted mid-record");

        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try (JournalReader reader = bus.reader(journal)) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), markers(reader), "every call before the damage");
            String warning = onlyWarning(reader);
            assertTrue(warning.startsWith("journal " + journal + ": skipped record 0x" + unfinishedIndex
                    + ": this record was left unfinished at byte "), warning);
            assertTrue(warning.endsWith("the process writing it died; the next record written takes its place"),
                    warning);
        }

        // The dead writer's lock is freed and its record overwritten: a new sandbox appends at once.
        long begin = System.nanoTime();
        writeSandbox(2, 3, bus);
        assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(5),
                "appending waited for the dead writer's lock: " + (System.nanoTime() - begin) / 1_000_000 + " ms");
        try (JournalReader reader = bus.reader(journal)) {
            List<JournalEntry> entries = new ArrayList<>();
            reader.entries(JournalQuery.ALL, entries::add);
            assertEquals(List.of("1:0", "1:1", "1:2", "1:3", "1:4", "1:5", "2:0", "2:1", "2:2"),
                    entries.stream().map(entry -> entry.sandboxId() + ":" + (entry.arg(0) - MARKER)).toList());
            assertEquals(Long.parseLong(unfinishedIndex, 16), firstIndexOf(bus, 2),
                    "the new sandbox's start took the unfinished record's index");
            onlyWarning(reader);
        }
    }

    @Test
    void aHeaderLeftMarkedNotCompleteIsReportedAndOverwrittenByTheNextWriter() throws Exception {
        List<Long> sequences = writeSandbox(1, 4);
        Path file = queueFile();
        long end = endOfData(file);
        // What a writer that died between its header and its bytes leaves: NOT_COMPLETE, unknown length.
        ByteBuffer unfinished = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(JournalTail.NOT_COMPLETE).put(RecordFormat.VERSION).put(RecordFormat.CALL).putLong(1L).flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(unfinished, end);
        }

        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try (JournalReader reader = bus.reader(journal)) {
            assertEquals(List.of(0L, 1L, 2L, 3L), markers(reader));
            // The last call's completion and the sandbox's end follow the last call: 2 more records.
            assertEquals("journal " + journal + ": skipped record 0x" + Long.toHexString(sequences.getLast() + 3)
                    + ": this record was left unfinished at byte " + end + " of " + file.getFileName()
                    + ": the process writing it died; the next record written takes its place", onlyWarning(reader));
        }
        writeSandbox(2, 2, bus);
        try (JournalReader reader = bus.reader(journal)) {
            List<JournalEntry> entries = new ArrayList<>();
            reader.entries(JournalQuery.ALL, entries::add);
            assertEquals(List.of("1:0", "1:1", "1:2", "1:3", "2:0", "2:1"),
                    entries.stream().map(entry -> entry.sandboxId() + ":" + (entry.arg(0) - MARKER)).toList());
            onlyWarning(reader);
        }
    }

    /** Where the next excerpt's header would go: the first zero header, stepping by Chronicle's lengths. */
    private static long endOfData(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int position = 0;
        while (bytes.getInt(position) != 0) {
            position += Integer.BYTES + (bytes.getInt(position) & JournalTail.LENGTH_MASK);
            position += -position & 3;
        }
        return position;
    }

    private long firstIndexOf(ChronicleSyscallBus bus, long sandboxId) throws Exception {
        // The start record precedes the sandbox's first call by one index.
        try (JournalReader reader = bus.reader(journal)) {
            List<JournalEntry> entries = new ArrayList<>();
            reader.entries(new JournalQuery(sandboxId, null, null, null, null), entries::add);
            return entries.getFirst().sequence() - 1;
        }
    }

    private static List<Long> markers(JournalReader reader) {
        List<Long> markers = new ArrayList<>();
        reader.entries(JournalQuery.ALL, entry -> {
            assertTrue(entry.completed(), () -> "call " + (entry.arg(0) - MARKER) + " read without its completion");
            markers.add(entry.arg(0) - MARKER);
        });
        return markers;
    }

    private static String onlyWarning(JournalReader reader) {
        List<String> warnings = ((JournalDiagnostics) reader).warnings();
        assertEquals(1, warnings.size(), warnings::toString);
        assertEquals(1, ((JournalDiagnostics) reader).skippedRecords());
        return warnings.getFirst();
    }

    /** Journals {@code calls} calls of a sandbox through a bus of its own, closed after. */
    private List<Long> writeSandbox(long sandboxId, int calls) throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try {
            return writeSandbox(sandboxId, calls, bus);
        } finally {
            bus.deactivate();
        }
    }

    /** The indexes of the calls, in order. */
    private List<Long> writeSandbox(long sandboxId, int calls, ChronicleSyscallBus bus) throws Exception {
        StringMemory memory = new StringMemory("/");
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, sandboxId, spec(journal, "x"), new TestPolicy())) {
            for (int i = 0; i < calls; i++) {
                call(gateway, event, memory, 1, NR_READ, MARKER + i);
            }
            gateway.onExit(ExitStatus.exited(0), calls);
        }
        return Fixtures.entries(bus, journal, new JournalQuery(sandboxId, null, null, null, null)).stream()
                .map(JournalEntry::sequence).toList();
    }

    private List<Path> damageCopies() throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(path -> path.getFileName().toString().matches(".*\\.cq4\\.damage-\\d+")).toList();
        }
    }

    /** File position of the CALL record whose argument 0 is {@code arg0}. */
    private static long recordOf(Path file, long arg0) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (int position = 0; position + Long.BYTES <= bytes.limit(); position++) {
            if (bytes.getLong(position) == arg0) {
                return position - ARG0_OFFSET;
            }
        }
        throw new AssertionError("no call with argument 0x" + Long.toHexString(arg0));
    }

    private Path queueFile() throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }
}
