package dev.meridian.bus.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.internal.JournalRecord.Call;
import dev.meridian.bus.internal.JournalRecord.Completion;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxPolicy;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import dev.meridian.bus.internal.RecordFormat.MalformedRecordException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.Test;

class RecordFormatTest {

    private static final long SANDBOX = 0x0123456789abcdefL;

    @Test
    void sandboxStartRoundTrips() throws Exception {
        byte[] record = encode(out -> RecordFormat.writeStart(out, SANDBOX, 1234L, "trace",
                List.of("trace/allow-all", "règle/ü"), List.of("/bin/echo", "hello world", "")));

        SandboxStart start = assertInstanceOf(SandboxStart.class, decode(record, 7));

        assertEquals(new SandboxStart(SANDBOX, 1234L, "trace", List.of("trace/allow-all", "règle/ü"),
                List.of("/bin/echo", "hello world", "")), start);
    }

    @Test
    void policyReplacementRoundTrips() throws Exception {
        byte[] record = encode(out -> RecordFormat.writePolicy(out, SANDBOX, 5678L, "default+app.yaml",
                List.of("app/allow", "default/files/0")));

        assertEquals(new SandboxPolicy(SANDBOX, 5678L, "default+app.yaml", List.of("app/allow", "default/files/0")),
                assertInstanceOf(SandboxPolicy.class, decode(record, 8)));
    }

    @Test
    void callRoundTripsWithItsCaptures() throws Exception {
        SyscallEvent event = new SyscallEvent().sandboxId(SANDBOX);
        event.reset(99, 4242, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_OPENAT, 0x401000);
        event.tid(4243);
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            event.arg(i, -1L - i);
        }
        capture(event, 1, "/etc/hosts", false);
        capture(event, 4, "cut-sho", true);

        Call call = assertInstanceOf(Call.class, decode(encoded(RecordFormat::writeCall, event), 77));

        assertEquals(SANDBOX, call.sandboxId());
        assertEquals(77, call.sequence(), "a call's sequence is its own journal index");
        assertEquals(0, call.wallClockMillis(), "the journal ring stamps it when it copies the record");
        assertEquals(event.receivedNanos(), call.receivedNanos());
        assertEquals(4242, call.pid());
        assertEquals(4243, call.tid());
        assertEquals(Fixtures.AUDIT_ARCH_X86_64, call.abi());
        assertEquals(Fixtures.NR_OPENAT, call.number());
        assertArrayEquals(new long[] {-1, -2, -3, -4, -5, -6}, call.args());
        assertArrayEquals("/etc/hosts".getBytes(StandardCharsets.UTF_8), call.captures()[1]);
        assertArrayEquals("cut-sho".getBytes(StandardCharsets.UTF_8), call.captures()[4]);
        assertNull(call.captures()[0]);
        assertArrayEquals(new boolean[] {false, false, false, false, true, false}, call.truncated());
    }

    @Test
    void completionRoundTrips() throws Exception {
        SyscallEvent event = new SyscallEvent().sandboxId(SANDBOX);
        event.reset(1, 10, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_UNLINK, 0);
        event.verdict(VerdictAction.DENY, Fixtures.EACCES, 1, true);
        event.interrupted(true);
        event.result(-Fixtures.EACCES);
        event.completed();

        Completion completion = assertInstanceOf(Completion.class,
                decode(completionOf(event, 0x5131_0000_0042L), 78));

        assertEquals(new Completion(SANDBOX, 0x5131_0000_0042L, VerdictAction.DENY, Fixtures.EACCES, 1, true, true,
                true, -Fixtures.EACCES, event.latencyNanos()), completion);
    }

    @Test
    void completionWithoutVerdictReadsBackWithoutAction() throws Exception {
        SyscallEvent event = new SyscallEvent().sandboxId(SANDBOX);
        event.reset(1, 10, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_READ, 0);

        Completion completion = assertInstanceOf(Completion.class,
                decode(encoded(RecordFormat::writeCompletion, event), 1));

        assertNull(completion.action());
        assertFalse(completion.resultKnown());
        assertEquals(BusRules.NONE, completion.ruleId());
    }

    @Test
    void sandboxExitRoundTrips() throws Exception {
        byte[] record = encode(out -> RecordFormat.writeExit(out, SANDBOX, 5678L, ExitStatus.killed(9), 12, 11));

        assertEquals(new SandboxExit(SANDBOX, 5678L, ExitStatus.killed(9), 12, 11), decode(record, 3));
    }

    @Test
    void malformedRecordsAreRejectedWithTheirDefect() {
        byte[] exit = encode(out -> RecordFormat.writeExit(out, SANDBOX, 1, ExitStatus.exited(0), 0, 0));

        assertDefect("empty record", new byte[0]);
        assertDefect("truncated record (20 bytes)", java.util.Arrays.copyOf(exit, 20));
        assertDefect("4 unexpected bytes after the record", java.util.Arrays.copyOf(exit, exit.length + 4));
        byte[] futureVersion = exit.clone();
        futureVersion[0] = 2;
        assertDefect("unsupported record version 2", futureVersion);
        byte[] unknownType = exit.clone();
        unknownType[1] = 42;
        assertDefect("unknown record type 42", unknownType);
    }

    @Test
    void impossibleLengthsAndActionsAreRejected() {
        byte[] start = encode(out -> RecordFormat.writeStart(out, SANDBOX, 1, "p", List.of(), List.of("x")));
        start[18] = (byte) 0xff; // profile length -> huge
        assertDefect("bad length", start);

        SyscallEvent event = new SyscallEvent().sandboxId(SANDBOX);
        event.reset(1, 10, Fixtures.AUDIT_ARCH_X86_64, Fixtures.NR_READ, 0);
        event.verdict(VerdictAction.ALLOW, 0, 0, false);
        byte[] completion = encoded(RecordFormat::writeCompletion, event);
        completion[18] = 17; // action ordinal
        assertDefect("unknown verdict action 17", completion);
    }

    @Test
    void ruleNamesAreProbedUntilThePolicyHasNoMore() {
        assertEquals(List.of("test/allow-all", "test/no-unlink"), RecordFormat.ruleNames(new Fixtures.TestPolicy()));
        Policy throwing = new Fixtures.TestPolicy() {
            @Override
            public String ruleName(int ruleId) {
                if (ruleId > 0) {
                    throw new IndexOutOfBoundsException(ruleId);
                }
                return "only";
            }
        };
        assertEquals(List.of("only"), RecordFormat.ruleNames(throwing));
    }

    @Test
    void ruleIdsResolveToPolicyBusOrNumberedNames() {
        List<String> rules = List.of("a", "b");
        assertEquals("b", CallJoiner.ruleName(rules, 1));
        assertEquals("#2", CallJoiner.ruleName(rules, 2));
        assertNull(CallJoiner.ruleName(rules, -1));
        assertEquals("bus/no-shim", CallJoiner.ruleName(rules, BusRules.NO_SHIM));
        assertEquals("bus/no-verdict", CallJoiner.ruleName(rules, BusRules.NO_VERDICT));
        assertEquals("bus/shim-failed", CallJoiner.ruleName(rules, BusRules.SHIM_FAILED));
        assertEquals("bus/#-99", CallJoiner.ruleName(rules, -99));
        assertEquals("#0", CallJoiner.ruleName(null, 0));
    }

    private static void capture(SyscallEvent event, int arg, String text, boolean truncated) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, event.captureData(), event.captureCursor(), bytes.length);
        event.commitCapture(arg, bytes.length, truncated);
    }

    private static void assertDefect(String expected, byte[] record) {
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> decode(record, 0));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    private static byte[] encode(Consumer<Bytes<?>> writer) {
        Bytes<?> out = Bytes.allocateElasticOnHeap();
        try {
            writer.accept(out);
            return out.toByteArray();
        } finally {
            out.releaseLast();
        }
    }

    /** What a ring writer ({@link RecordFormat#writeCall}, {@link RecordFormat#writeCompletion}) writes for {@code event}. */
    static byte[] encoded(RingWriter writer, SyscallEvent event) {
        byte[] out = new byte[RecordFormat.MAX_CALL_LENGTH];
        int length = writer.write(BytesStore.wrap(out), 0, event);
        return Arrays.copyOf(out, length);
    }

    /** {@code event}'s COMPLETION as the journal holds it: referring to its CALL at {@code callIndex}. */
    static byte[] completionOf(SyscallEvent event, long callIndex) {
        byte[] record = encoded(RecordFormat::writeCompletion, event);
        ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putLong(RecordFormat.COMPLETION_CALL_AT, callIndex);
        return record;
    }

    interface RingWriter {
        int write(BytesStore<?, ?> out, long at, SyscallEvent event);
    }

    private static JournalRecord decode(byte[] record, long index) throws MalformedRecordException {
        return RecordFormat.decode(record, record.length, index);
    }
}
