package dev.meridian.bus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.internal.JournalRecord.Call;
import dev.meridian.bus.internal.JournalRecord.Completion;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallJoinerTest {

    private final List<JournalEntry> delivered = new ArrayList<>();
    private final CallJoiner joiner = new CallJoiner(JournalQuery.ALL, delivered::add);

    @Test
    void callsAreDeliveredInJournalOrderOnceCompleted() {
        joiner.accept(new SandboxStart(1, 0, "p", List.of("p/allow", "p/deny"), List.of("x")));
        joiner.accept(call(1, 10));
        joiner.accept(call(2, 11));
        joiner.accept(completion(2, 11, 1));
        assertEquals(List.of(), sequences(), "call 11 waits for call 10");
        joiner.accept(completion(1, 10, 0));
        assertEquals(List.of(10L, 11L), sequences());
        assertEquals("p/allow", delivered.get(0).rule());
        assertEquals("#1", delivered.get(1).rule(), "sandbox 2 has no start record, so its rules have no names");
    }

    @Test
    void aSandboxExitReleasesItsOpenCalls() {
        joiner.accept(call(1, 10));
        joiner.accept(call(2, 11));
        joiner.accept(completion(2, 11, 0));
        joiner.accept(new SandboxExit(1, 0, ExitStatus.killed(9), 1, 0));
        assertEquals(List.of(10L, 11L), sequences());
        assertFalse(delivered.get(0).completed());
        assertTrue(delivered.get(1).completed());
    }

    @Test
    void finishReleasesEverything() {
        joiner.accept(call(1, 10));
        joiner.accept(call(1, 11));
        joiner.finish();
        assertEquals(List.of(10L, 11L), sequences());
    }

    @Test
    void aCallNeverAnsweredStopsHoldingBackOthersPastTheBound() {
        joiner.accept(call(1, 0));
        for (long sequence = 1; sequence <= CallJoiner.MAX_HELD; sequence++) {
            joiner.accept(call(2, sequence));
            joiner.accept(completion(2, sequence, 0));
        }
        assertEquals(CallJoiner.MAX_HELD + 1, delivered.size());
        assertFalse(delivered.getFirst().completed());
        assertEquals(0, delivered.getFirst().sequence());
        joiner.accept(completion(1, 0, 0)); // too late: already delivered
        assertEquals(CallJoiner.MAX_HELD + 1, delivered.size());
    }

    @Test
    void callsOutsideTheQueryAreNotDelivered() {
        CallJoiner pidOnly = new CallJoiner(new JournalQuery(null, 7, null, null, null), delivered::add);
        pidOnly.accept(call(1, 10));
        pidOnly.accept(completion(1, 10, 0));
        assertEquals(List.of(), sequences());
    }

    private List<Long> sequences() {
        return delivered.stream().map(JournalEntry::sequence).toList();
    }

    private static Call call(long sandbox, long sequence) {
        return new Call(sandbox, sequence, 1000, 1, 4242, 4242, Fixtures.AUDIT_ARCH_X86_64, 0, new long[6],
                new byte[6][], new boolean[6]);
    }

    private static Completion completion(long sandbox, long callSequence, int ruleId) {
        return new Completion(sandbox, callSequence, VerdictAction.ALLOW, 0, ruleId, false, false, true, 0, 5);
    }
}
