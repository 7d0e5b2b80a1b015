package dev.meridian.bus.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.internal.JournalRecord.Call;
import dev.meridian.bus.internal.JournalRecord.Completion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JournalRing}: the supervisor's records reach the queue whole, in order and once, through
 * a ring that wraps and fills; a ring left by a process that died is appended by the next one.
 */
class JournalRingTest {

    /** The smallest ring: two of the largest records. */
    private static final int SMALL = 1 << 15;

    @TempDir
    Path journal;

    @Test
    void recordsOfEverySizeGoRoundASmallRingIntoTheQueueInOrderWithTheirCallsIndexes() throws Exception {
        int calls = 3000;
        try (SingleChronicleQueue queue = queue()) {
            JournalRing ring = JournalRing.create(journal, 42, SMALL);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try (ExcerptAppender appender = queue.createAppender()) {
                    while (!done.get() || ring.pending()) {
                        if (ring.drainTo(appender, 16, null, -1) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            ring.attachWriter(writer);
            SyscallEvent event = new SyscallEvent().sandboxId(42);
            long wallBefore = System.currentTimeMillis();
            for (int i = 0; i < calls; i++) {
                appendCall(ring, event, i);
            }
            ring.flush();
            long wallAfter = System.currentTimeMillis();
            done.set(true);
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertNull(failure.get());
            ring.close();
            assertFalse(Files.exists(ring.file()), "a ring copied to the end is deleted");

            List<JournalRecord> records = read(queue);
            assertEquals(2 * calls, records.size());
            for (int i = 0; i < calls; i++) {
                Call call = assertInstanceOf(Call.class, records.get(2 * i));
                assertEquals(i, call.args()[0], "in order");
                long wall = call.wallClockMillis();
                assertTrue(wall >= wallBefore - 1 && wall <= wallAfter + 1,
                        () -> "the copy stamps the call's wall clock: " + wall + " not in [" + wallBefore + ", " + wallAfter + "]");
                assertArrayEquals(captureOf(i), call.captures()[1], "capture of call " + i);
                Completion completion = assertInstanceOf(Completion.class, records.get(2 * i + 1));
                assertEquals(call.sequence(), completion.callSequence(), "the completion names its call's index");
                assertEquals(i, completion.returnValue());
            }
        }
    }

    @Test
    void aProducerWhoseRingIsFullCopiesRecordsItselfWhenTheWriterDoesNotCome() throws Exception {
        int calls = 2000; // ~40 times what the ring holds
        try (SingleChronicleQueue queue = queue(); ExcerptAppender own = queue.createAppender()) {
            JournalRing ring = JournalRing.create(journal, 45, SMALL);
            ring.assistWith(() -> own); // and no writer thread at all
            SyscallEvent event = new SyscallEvent().sandboxId(45);
            for (int i = 0; i < calls; i++) {
                appendCall(ring, event, i);
            }
            ring.flush();
            ring.close();

            List<JournalRecord> records = read(queue);
            assertEquals(2 * calls, records.size(), "the flush copied the rest");
            for (int i = 0; i < calls; i++) {
                Call call = assertInstanceOf(Call.class, records.get(2 * i));
                assertEquals(i, call.args()[0]);
                assertEquals(call.sequence(), assertInstanceOf(Completion.class, records.get(2 * i + 1)).callSequence());
            }
        }
    }

    @Test
    void aJournalThatCannotBeWrittenFailsTheNextCallAndKeepsTheRing() throws Exception {
        JournalRing ring = JournalRing.create(journal, 46, SMALL);
        SingleChronicleQueue queue = queue();
        ExcerptAppender appender = queue.createAppender();
        queue.close(); // from here on every copy fails
        ring.assistWith(() -> appender);
        SyscallEvent event = new SyscallEvent().sandboxId(46);
        event.reset(1, 7, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_READ, 0);
        ring.appendCall(event);

        IllegalStateException flush = assertThrows(IllegalStateException.class, ring::flush);
        assertTrue(flush.getMessage().startsWith("journal cannot be written ("), flush.getMessage());
        assertTrue(flush.getMessage().endsWith("the calls not copied yet stay in " + ring.file()), flush.getMessage());
        IllegalStateException next = assertThrows(IllegalStateException.class, () -> ring.appendCall(event));
        assertEquals(flush.getMessage(), next.getMessage(), "every later call fails the same way");
        ring.close();
        assertTrue(Files.exists(ring.file()), "the call that was not copied stays for a recovery");

        try (SingleChronicleQueue reopened = queue(); ExcerptAppender recovering = reopened.createAppender()) {
            assertEquals(List.of("sandbox 000000000000002e: 1 records its process left in flight were appended"),
                    JournalRing.recover(journal, recovering, null, -1));
            assertEquals(1, read(reopened).size());
        }
    }

    @Test
    void aRingLeftByADeadWriterIsAppendedOnceEvenIfItDiedBetweenACopyAndItsMark() throws Exception {
        try (SingleChronicleQueue queue = queue(); ExcerptAppender appender = queue.createAppender()) {
            JournalRing ring = JournalRing.create(journal, 43, SMALL);
            SyscallEvent event = new SyscallEvent().sandboxId(43);
            for (int i = 0; i < 5; i++) {
                event.reset(i, 7, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_READ, 0);
                event.arg(0, i);
                ring.appendCall(event);
                event.verdict(VerdictAction.ALLOW, 0, 0, false);
                event.completed();
                ring.appendCompletion(event);
            }
            assertEquals(4, ring.drainTo(appender, 4, null, -1), "calls 0 and 1 copied and marked");
            // The writer copied call 2 and died before marking it.
            byte[] copiedUnmarked = copyOfRecord(ring, 4);
            try (DocumentContext document = appender.writingDocument()) {
                document.wire().bytes().write(copiedUnmarked);
            }
            ring.close(); // unlocks the file, as a dead process's lock goes with it
            assertTrue(Files.exists(ring.file()), "a ring with records left is kept");

            byte[] last = copiedUnmarked;
            List<String> report = JournalRing.recover(journal, appender, last, appender.lastIndexAppended());

            assertEquals(List.of("sandbox 000000000000002b: 5 records its process left in flight were appended"
                    + " (one more was in the journal already)"),
                    report, "call 2's completion, calls 3 and 4 with theirs");
            assertFalse(Files.exists(ring.file()));
            List<JournalRecord> records = read(queue);
            assertEquals(10, records.size(), "every record once");
            for (int i = 0; i < 5; i++) {
                Call call = assertInstanceOf(Call.class, records.get(2 * i));
                assertEquals(i, call.args()[0]);
                assertEquals(call.sequence(), assertInstanceOf(Completion.class, records.get(2 * i + 1)).callSequence());
            }
        }
    }

    @Test
    void aFileInTheRingsDirectoryThatIsNoRingIsSetAsideAndNamed() throws Exception {
        Path rings = Files.createDirectories(journal.resolve(JournalRing.DIRECTORY));
        Files.write(rings.resolve("0000000000000001" + JournalRing.SUFFIX), new byte[100]);
        try (SingleChronicleQueue queue = queue(); ExcerptAppender appender = queue.createAppender()) {
            List<String> report = JournalRing.recover(journal, appender, null, -1);
            assertEquals(1, report.size());
            assertTrue(report.getFirst().contains("is truncated (100 bytes); set aside as 0000000000000001.ring.damaged"),
                    report.getFirst());
        }
        assertTrue(Files.exists(rings.resolve("0000000000000001.ring.damaged")));
    }

    /**
     * The whole path: a host process journals calls through the bus and is killed outright. The
     * next process that opens the journal finds every call, each once, with its completion. (The
     * child makes calls far faster than a guest can, so its writer lags: in trial runs some 25,000 of
     * its 40,000 records were still in the ring when it died.)
     */
    @Test
    void everyCallOfAProcessKilledMidRunIsInTheJournalOnceItIsOpenedAgain() throws Exception {
        int calls = 20_000;
        long wallBefore = System.currentTimeMillis();
        Process host = new ProcessBuilder(Fixtures.javaCommand(HaltingSandbox.class.getName(), journal.toString(),
                Integer.toString(calls))).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(host.waitFor(60, TimeUnit.SECONDS));
        assertEquals(9, host.exitValue(), "the host process halted");
        long wallAfter = System.currentTimeMillis();
        assertTrue(Files.exists(journal.resolve(JournalRing.DIRECTORY).resolve("0000000000000001" + JournalRing.SUFFIX)),
                "the dead process's ring");

        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try (JournalReader reader = bus.reader(journal)) {
            List<Long> args = new ArrayList<>();
            reader.entries(JournalQuery.ALL, entry -> {
                assertTrue(entry.completed(), () -> "call " + entry.arg(0) + " without its completion");
                assertTrue(entry.wallClockMillis() >= wallBefore && entry.wallClockMillis() <= wallAfter,
                        () -> "call " + entry.arg(0) + " stamped " + entry.wallClockMillis() + " by the recovery");
                args.add(entry.arg(0));
            });
            assertEquals(Stream.iterate(0L, i -> i + 1).limit(calls).toList(), args);
        } finally {
            bus.deactivate();
        }
        try (Stream<Path> left = Files.list(journal.resolve(JournalRing.DIRECTORY))) {
            assertEquals(List.of(), left.toList(), "the dead process's ring is gone once appended");
        }
    }

    /** The bus's own gateway, end to end: a sandbox's exit waits for its ring, and the ring goes. */
    @Test
    void aSandboxsRecordsAreAllInTheQueueWhenItExitsAndItsRingIsGoneWhenItCloses() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try {
            SyscallEvent event = new SyscallEvent();
            try (SyscallGateway gateway = bus.open(journal, 44, Fixtures.spec(journal, "x"),
                    new Fixtures.TestPolicy())) {
                for (int i = 0; i < 1000; i++) {
                    Fixtures.call(gateway, event, new Fixtures.StringMemory("/"), 1, Fixtures.NR_READ, i);
                }
                try (Stream<Path> rings = Files.list(journal.resolve(JournalRing.DIRECTORY))) {
                    assertEquals(1, rings.count(), "the running sandbox's ring");
                }
                gateway.onExit(ExitStatus.exited(0), 1000);
                List<JournalEntry> entries = Fixtures.entries(bus, journal, JournalQuery.ALL);
                assertEquals(1000, entries.size(), "all there by the exit, before the close");
            }
            try (Stream<Path> rings = Files.list(journal.resolve(JournalRing.DIRECTORY))) {
                assertEquals(0, rings.count());
            }
        } finally {
            bus.deactivate();
        }
    }

    private SingleChronicleQueue queue() {
        return SingleChronicleQueueBuilder.binary(journal).build();
    }

    private static List<JournalRecord> read(SingleChronicleQueue queue) throws Exception {
        List<JournalRecord> records = new ArrayList<>();
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (!document.isPresent()) {
                        return records;
                    }
                    byte[] bytes = document.wire().bytes().toByteArray();
                    records.add(RecordFormat.decode(bytes, bytes.length, document.index()));
                }
            }
        }
    }

    /** The bytes of the ring's {@code n}th record (0-based), read from its file. */
    private static byte[] copyOfRecord(JournalRing ring, int n) throws Exception {
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(ring.file())).order(ByteOrder.LITTLE_ENDIAN);
        int at = 256;
        for (int i = 0; i < n; i++) {
            at += RecordFormat.align8(8 + file.getInt(at));
        }
        return Arrays.copyOfRange(file.array(), at + 8, at + 8 + file.getInt(at));
    }

    /** 0 to 8000 bytes, different for each call. */
    /** Call {@code i}: an openat with {@link #captureOf} captured, allowed, returning {@code i}. */
    private static void appendCall(JournalRing ring, SyscallEvent event, int i) {
        event.reset(i, 7, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_OPENAT, 0);
        event.arg(0, i);
        capture(event, 1, captureOf(i));
        ring.appendCall(event);
        event.verdict(VerdictAction.ALLOW, 0, 0, false);
        event.result(i);
        event.completed();
        ring.appendCompletion(event);
    }

    private static byte[] captureOf(int i) {
        byte[] bytes = new byte[(i * 37) % 8001];
        Arrays.fill(bytes, (byte) i);
        return bytes;
    }

    private static void capture(SyscallEvent event, int arg, byte[] bytes) {
        System.arraycopy(bytes, 0, event.captureData(), event.captureCursor(), bytes.length);
        event.commitCapture(arg, bytes.length, false);
    }
}
