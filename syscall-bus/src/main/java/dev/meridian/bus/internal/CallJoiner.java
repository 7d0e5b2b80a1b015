package dev.meridian.bus.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.bus.internal.JournalRecord.Call;
import dev.meridian.bus.internal.JournalRecord.Completion;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxPolicy;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Joins each CALL record with its COMPLETION (matched by the call's sequence) and delivers the
 * calls matching a query in journal order. A call is delivered once its completion is read, its
 * sandbox's exit is read, or {@link #finish} says nothing more will come; a call held back only
 * because an earlier one is still open waits for it. Not thread-safe.
 */
final class CallJoiner {

    /**
     * Finds the rule names of a sandbox whose start record the joiner did not read (a follower that
     * joined the journal after it): those of the policy in force at a journal index, or null.
     */
    interface Namer {
        List<String> ruleNamesAt(long sandboxId, long index);
    }

    /**
     * Calls held back at most. Each sandbox has one supervisor thread, so open calls are few; a
     * sandbox whose supervisor died without an exit record would otherwise hold everything after
     * its last call. Past the bound the oldest call is delivered without a completion.
     */
    static final int MAX_HELD = 1 << 16;

    private final JournalQuery query;
    private final Consumer<JournalEntry> sink;
    private final Namer namer;
    private final Map<Long, List<String>> ruleNamesBySandbox = new HashMap<>();
    private final ArrayDeque<HeldCall> held = new ArrayDeque<>();
    private final Map<Long, HeldCall> openBySequence = new HashMap<>();

    /** A joiner that reads every sandbox's start record (it walks the journal from its start). */
    CallJoiner(JournalQuery query, Consumer<JournalEntry> sink) {
        this(query, sink, (sandboxId, index) -> null);
    }

    CallJoiner(JournalQuery query, Consumer<JournalEntry> sink, Namer namer) {
        this.query = query;
        this.sink = sink;
        this.namer = namer;
    }

    void accept(JournalRecord record) {
        switch (record) {
            case SandboxStart start -> ruleNamesBySandbox.put(start.sandboxId(), start.ruleNames());
            case SandboxPolicy policy -> ruleNamesBySandbox.put(policy.sandboxId(), policy.ruleNames());
            case Call call -> hold(call);
            case Completion completion -> complete(completion);
            case SandboxExit exit -> closeSandbox(exit.sandboxId());
        }
        deliverReady();
    }

    /** Delivers every call still held: the journal has nothing more to say about them. */
    void finish() {
        openBySequence.clear();
        held.forEach(HeldCall::close);
        deliverReady();
    }

    private void hold(Call call) {
        if (!query.matches(call.sandboxId(), call.pid(), call.number(), call.wallClockMillis())) {
            return;
        }
        HeldCall entry = new HeldCall(call);
        held.addLast(entry);
        openBySequence.put(call.sequence(), entry);
        if (held.size() > MAX_HELD) {
            HeldCall oldest = held.peekFirst();
            openBySequence.remove(oldest.call.sequence());
            oldest.close();
        }
    }

    private void complete(Completion completion) {
        HeldCall entry = openBySequence.remove(completion.callSequence());
        if (entry != null) {
            entry.completion = completion;
            // Named now: a later SANDBOX_POLICY record must not rename what this policy decided.
            entry.ruleNames = ruleNamesBySandbox.computeIfAbsent(completion.sandboxId(), sandboxId -> {
                // Its start was not read: the policy in force at the call; every later switch is read in order.
                List<String> names = namer.ruleNamesAt(sandboxId, entry.call.sequence());
                return names != null ? names : List.of();
            });
            entry.close();
        }
    }

    private void closeSandbox(long sandboxId) {
        for (HeldCall entry : held) {
            if (entry.call.sandboxId() == sandboxId && !entry.closed) {
                openBySequence.remove(entry.call.sequence());
                entry.close();
            }
        }
    }

    private void deliverReady() {
        while (!held.isEmpty() && held.peekFirst().closed) {
            HeldCall entry = held.removeFirst();
            sink.accept(entry.toEntry());
        }
    }

    /** The name a reader sees for {@code ruleId}: the policy's, the bus's, or {@code #id} if unnamed. */
    static String ruleName(List<String> policyRules, int ruleId) {
        if (ruleId == BusRules.NONE) {
            return null;
        }
        if (ruleId < BusRules.NONE) {
            String busRule = BusRules.name(ruleId);
            return busRule != null ? busRule : "bus/#" + ruleId;
        }
        return policyRules != null && ruleId < policyRules.size() ? policyRules.get(ruleId) : "#" + ruleId;
    }

    private static final class HeldCall {
        final Call call;
        Completion completion;
        List<String> ruleNames;
        boolean closed;

        HeldCall(Call call) {
            this.call = call;
        }

        void close() {
            closed = true;
        }

        JournalEntry toEntry() {
            Completion c = completion;
            if (c == null) {
                return new JournalEntry(call.sandboxId(), call.sequence(), call.wallClockMillis(), call.pid(),
                        call.tid(), call.abi(), call.number(), call.args(), call.captures(), call.truncated(),
                        false, null, 0, null, false, false, 0, 0);
            }
            return new JournalEntry(call.sandboxId(), call.sequence(), call.wallClockMillis(), call.pid(), call.tid(),
                    call.abi(), call.number(), call.args(), call.captures(), call.truncated(), true, c.action(),
                    c.errno(), ruleName(ruleNames, c.ruleId()), c.interrupted(), c.resultKnown(), c.returnValue(),
                    c.latencyNanos());
        }
    }
}
