package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;

import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A writer that dies mid-record, run in a JVM of its own: journals {@code CALLS} calls of sandbox 1
 * through the bus (arg0 = MARKER + i), waits until they are in the queue, prints the index the next record gets, then opens a record,
 * writes half of it and halts the JVM while the record is open: its header stays incomplete and
 * the queue's write lock stays held by a dead process, as when a host process is killed mid-write.
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path journal = Path.of(args[0]);
        int calls = Integer.parseInt(args[1]);
        long marker = Long.parseUnsignedLong(args[2], 16);
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        StringMemory memory = new StringMemory("/");
        SyscallEvent event = new SyscallEvent();
        SyscallGateway gateway = bus.open(journal, 1, spec(journal, "x"), new TestPolicy());
        for (int i = 0; i < calls; i++) {
            call(gateway, event, memory, 1, NR_READ, marker + i);
        }
        Fixtures.flush(gateway); // the calls reach the queue through the sandbox's ring
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal).rollCycle(RollCycles.FAST_DAILY)
                .indexSpacing(1).indexCount(1 << 16).build();
        ExcerptAppender appender = queue.createAppender();
        System.out.println(Long.toHexString(queue.lastIndex() + 1));
        System.out.flush();
        DocumentContext document = appender.writingDocument();
        document.wire().bytes().writeByte(RecordFormat.VERSION).writeByte(RecordFormat.CALL).writeLong(1);
        Runtime.getRuntime().halt(9);
    }
}
