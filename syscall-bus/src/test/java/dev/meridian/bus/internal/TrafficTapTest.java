package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_OPENAT;
import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.NR_UNLINK;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.entries;
import static dev.meridian.bus.internal.Fixtures.flush;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap.Status;
import dev.meridian.api.TrafficTap.Subscription;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import dev.meridian.bus.internal.Fixtures.TestShim;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bus's traffic tap, against real gateways writing real journals. */
class TrafficTapTest {

    private static final GuestMemory MEMORY = new StringMemory("/etc/hosts");
    private static final long WAIT_MILLIS = 20_000;

    @TempDir
    Path journal;

    private final ChronicleSyscallBus bus = Fixtures.busWithShim();

    @AfterEach
    void stopTheBus() {
        bus.deactivate();
    }

    @Test
    void deliversStartsCallsJoinedWithTheirCompletionsAndExits() throws Exception {
        Recorder recorder = new Recorder();
        try (Subscription subscription = bus.subscribe(recorder)) {
            SyscallEvent event = new SyscallEvent();
            try (SyscallGateway gateway = bus.open(journal, 7, spec(journal, "/bin/cat", "/etc/hosts"),
                    new TestPolicy())) {
                call(gateway, event, MEMORY, 100, NR_OPENAT, -100);
                call(gateway, event, MEMORY, 100, NR_UNLINK, 0);
                call(gateway, event, MEMORY, 101, NR_READ, 3);
                gateway.onExit(ExitStatus.exited(3), 3);
            }
            recorder.awaitExits(1);

            assertEquals(List.of("start 0000000000000007 test-profile [/bin/cat, /etc/hosts]",
                    "call 0000000000000007 pid 100 nr 257 ALLOW test/allow-all = 0",
                    "call 0000000000000007 pid 100 nr 87 DENY 13 test/no-unlink = -13",
                    "call 0000000000000007 pid 101 nr 0 ALLOW test/allow-all = 0",
                    "exit 0000000000000007 ExitStatus[code=3, signal=0]"), recorder.lines());
            assertEquals(entries(bus, journal, JournalQuery.ALL).stream().map(JournalEntry::sequence).toList(),
                    recorder.calls().stream().map(Seen::sequence).toList(), "a call's sequence is its journal index");
            assertSame(recorder.calls().get(0).rule(), recorder.calls().get(2).rule(),
                    "one String instance per rule, for listeners keying on it");
            assertTrue(recorder.calls().stream().allMatch(c -> c.latencyNanos() > 0 && c.resultKnown()));
            assertTrue(Math.abs(System.currentTimeMillis() - recorder.calls().getFirst().wallClockMillis()) < 60_000);

            Status status = awaitCaughtUp(8);
            assertEquals(new Status(8, 0, 0, 0, status.journalBytes(), 1), status,
                    "start + 3 calls + 3 completions + exit, nothing lost or pending");
            assertTrue(status.journalBytes() > 0, "the journal's size on disk");
        }
    }

    @Test
    void onlyRecordsJournaledAfterTheSubscriptionAreDeliveredAndEarlierSandboxesKeepTheirRuleNames()
            throws Exception {
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, 8, spec(journal, "x"), new TestPolicy())) {
            call(gateway, event, MEMORY, 1, NR_UNLINK, 0);
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            flush(gateway);
            Recorder recorder = new Recorder();
            try (Subscription subscription = bus.subscribe(recorder)) {
                call(gateway, event, MEMORY, 2, NR_UNLINK, 0);
                gateway.onExit(ExitStatus.exited(0), 3);
                recorder.awaitExits(1);
                assertEquals(List.of("call 0000000000000008 pid 2 nr 87 DENY 13 test/no-unlink = -13",
                        "exit 0000000000000008 ExitStatus[code=0, signal=0]"), recorder.lines(),
                        "the sandbox started before the tap: its rules are named from its start record");
                assertEquals(0, awaitCaughtUp(3).lostRecords());
            }
        }
    }

    @Test
    void aCompletionWhoseCallWasJournaledBeforeTheSubscriptionIsDeliveredJoined() throws Exception {
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, 9, spec(journal, "x"), new TestPolicy())) {
            event.reset(0, 55, Fixtures.AUDIT_ARCH_X86_64, NR_UNLINK, 0);
            gateway.onCall(event, MEMORY);
            flush(gateway);
            long callIndex = entries(bus, journal, JournalQuery.ALL).getFirst().sequence();
            Recorder recorder = new Recorder();
            try (Subscription subscription = bus.subscribe(recorder)) {
                event.result(-Fixtures.EACCES);
                event.completed();
                gateway.onCompletion(event);
                recorder.awaitCalls(1);
                assertEquals(List.of("call 0000000000000009 pid 55 nr 87 DENY 13 test/no-unlink = -13"),
                        recorder.lines());
                assertEquals(callIndex, recorder.calls().getFirst().sequence());
                Status status = awaitCaughtUp(1);
                assertEquals(0, status.lostRecords(), "the call is read back from the journal");
            }
        }
    }

    @Test
    void aCallWhoseCompletionComesAfterTheJoinTableWrappedIsReadBackFromTheJournal() throws Exception {
        Recorder recorder = new Recorder();
        try (Subscription subscription = bus.subscribe(recorder);
                SyscallGateway slow = bus.open(journal, 10, spec(journal, "slow"), new TestPolicy());
                SyscallGateway busy = bus.open(journal, 11, spec(journal, "busy"), new TestPolicy())) {
            SyscallEvent pending = new SyscallEvent();
            pending.reset(0, 77, Fixtures.AUDIT_ARCH_X86_64, NR_OPENAT, 0);
            slow.onCall(pending, MEMORY);
            flush(slow);
            long pendingIndex = entries(bus, journal, new JournalQuery(10L, null, null, null, null)).getFirst().sequence();
            SyscallEvent event = new SyscallEvent();
            int busyCalls = TappedJournal.JOIN_SLOTS; // twice as many records as slots
            for (int i = 0; i < busyCalls; i++) {
                call(busy, event, MEMORY, 88, NR_READ, i);
            }
            pending.result(3);
            pending.completed();
            slow.onCompletion(pending);
            recorder.awaitCalls(busyCalls + 1);
            Seen last = recorder.calls().stream().filter(call -> call.pid() == 77).findFirst().orElseThrow();
            assertEquals(pendingIndex, last.sequence());
            assertEquals(77, last.pid());
            assertEquals(NR_OPENAT, last.number());
            assertEquals(0, awaitCaughtUp(2 + 2 * busyCalls + 2).lostRecords());
        }
    }

    @Test
    void busRulesAndUnnamedRulesAreNamedAndEachNameIsOneInstance() throws Exception {
        bus.bindShim(new TestShim() {
            @Override
            public String personality() {
                return "failing";
            }

            @Override
            public boolean handles(int abi) {
                return abi == Fixtures.AUDIT_ARCH_I386;
            }

            @Override
            public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
                throw new IllegalStateException("broken shim");
            }
        });
        Policy unnamed = new TestPolicy() {
            @Override
            public void decide(SyscallEvent call) {
                call.verdict(VerdictAction.DENY, Fixtures.EACCES, 7, false);
            }
        };
        Recorder recorder = new Recorder();
        try (Subscription subscription = bus.subscribe(recorder);
                SyscallGateway gateway = bus.open(journal, 12, spec(journal, "x"), unnamed)) {
            SyscallEvent event = new SyscallEvent();
            for (int i = 0; i < 2; i++) {
                call(gateway, event, MEMORY, 1, NR_READ, 0);
                event.reset(0, 1, Fixtures.AUDIT_ARCH_I386, 3, 0);
                gateway.onCall(event, MEMORY);
                event.completed();
                gateway.onCompletion(event);
            }
            recorder.awaitCalls(4);
            List<Seen> calls = recorder.calls();
            assertEquals(List.of("#7", "bus/shim-failed", "#7", "bus/shim-failed"),
                    calls.stream().map(Seen::rule).toList());
            assertSame(calls.get(0).rule(), calls.get(2).rule());
            assertSame(calls.get(1).rule(), calls.get(3).rule());
        }
    }

    @Test
    void aPolicyReplacementRenamesTheRulesOfTheCallsAfterIt() throws Exception {
        Recorder recorder = new Recorder();
        try (Subscription subscription = bus.subscribe(recorder);
                SyscallGateway gateway = bus.open(journal, 13, spec(journal, "x"), new TestPolicy())) {
            SyscallEvent event = new SyscallEvent();
            call(gateway, event, MEMORY, 1, NR_UNLINK, 0);
            gateway.replacePolicy(new TestPolicy() {
                @Override
                public String ruleName(int ruleId) {
                    return ruleId == 1 ? "reloaded/no-unlink" : super.ruleName(ruleId);
                }
            });
            call(gateway, event, MEMORY, 1, NR_UNLINK, 0);
            recorder.awaitCalls(2);
            assertEquals(List.of("test/no-unlink", "reloaded/no-unlink"),
                    recorder.calls().stream().map(Seen::rule).toList());
            assertEquals(0, awaitCaughtUp(1 + 4 + 1).lostRecords(), "the policy record counts as delivered");
        }
    }

    @Test
    void aSandboxStartedBeforeTheSubscriptionIsNamedByThePolicyInForceAtEachCall() throws Exception {
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, 14, spec(journal, "x"), new TestPolicy())) {
            gateway.replacePolicy(new TestPolicy() {
                @Override
                public String ruleName(int ruleId) {
                    return ruleId == 1 ? "reloaded/no-unlink" : super.ruleName(ruleId);
                }
            });
            call(gateway, event, MEMORY, 1, NR_UNLINK, 0); // journals the replacement first
            Recorder recorder = new Recorder();
            try (Subscription subscription = bus.subscribe(recorder)) {
                call(gateway, event, MEMORY, 1, NR_UNLINK, 0);
                recorder.awaitCalls(1);
                assertEquals("reloaded/no-unlink", recorder.calls().getFirst().rule());
            }
        }
    }

    @Test
    void severalJournalsAndInterleavedSandboxesAreAllDeliveredInJournalOrder() throws Exception {
        Path[] directories = {journal.resolve("a"), journal.resolve("b")};
        int sandboxesPerJournal = 2;
        int calls = 5_000;
        Recorder recorder = new Recorder();
        try (Subscription subscription = bus.subscribe(recorder)) {
            List<Thread> supervisors = new ArrayList<>();
            for (int j = 0; j < directories.length; j++) {
                for (int s = 0; s < sandboxesPerJournal; s++) {
                    long id = 100 + 10L * j + s;
                    SyscallGateway gateway = bus.open(directories[j], id, spec(directories[j], "s" + id),
                            new TestPolicy());
                    supervisors.add(Thread.ofPlatform().start(() -> {
                        try (gateway) {
                            SyscallEvent event = new SyscallEvent();
                            for (int i = 0; i < calls; i++) {
                                call(gateway, event, MEMORY, (int) id, i % 3 == 0 ? NR_UNLINK : NR_READ, i);
                            }
                            gateway.onExit(ExitStatus.exited(0), calls);
                        }
                    }));
                }
            }
            for (Thread supervisor : supervisors) {
                supervisor.join();
            }
            int sandboxes = directories.length * sandboxesPerJournal;
            recorder.awaitExits(sandboxes);
            List<Seen> seen = recorder.calls();
            assertEquals(sandboxes * calls, seen.size());
            for (Thread supervisor : supervisors) {
                assertFalse(supervisor.isAlive());
            }
            for (int j = 0; j < directories.length; j++) {
                for (int s = 0; s < sandboxesPerJournal; s++) {
                    long id = 100 + 10L * j + s;
                    List<Seen> mine = seen.stream().filter(c -> c.sandboxId() == id).toList();
                    assertEquals(calls, mine.size());
                    for (int i = 0; i < calls; i++) {
                        assertEquals(i % 3 == 0 ? "test/no-unlink" : "test/allow-all", mine.get(i).rule());
                        assertEquals(id, mine.get(i).pid());
                    }
                    for (int i = 1; i < calls; i++) {
                        assertTrue(mine.get(i).sequence() > mine.get(i - 1).sequence(), "journal order");
                    }
                }
            }
            Status status = awaitCaughtUp(sandboxes * (2L + 2L * calls));
            assertEquals(0, status.lostRecords());
            assertEquals(2, status.journals());
        }
    }

    /**
     * The promise: a subscriber that blocks holds up the tap alone. The guest path runs at
     * full speed, the journal keeps every record, and the tap delivers them all once unblocked.
     */
    @Test
    void aBlockedListenerNeverSlowsTheGuestNorLosesARecord() throws Exception {
        int calls = 50_000;
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        TrafficListener stuck = new TrafficListener() {
            @Override
            public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
                blocked.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void callCompleted(CompletedCall call) {
                delivered.incrementAndGet();
            }
        };
        try (Subscription subscription = bus.subscribe(stuck)) {
            SyscallGateway gateway = bus.open(journal, 15, spec(journal, "x"), new TestPolicy());
            assertTrue(blocked.await(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the tap read the start and blocked");
            Thread writer = Thread.ofPlatform().start(() -> {
                try (gateway) {
                    SyscallEvent event = new SyscallEvent();
                    for (int i = 0; i < calls; i++) {
                        call(gateway, event, MEMORY, 1, NR_READ, i);
                    }
                    gateway.onExit(ExitStatus.exited(0), calls);
                }
            });
            writer.join(WAIT_MILLIS);
            assertFalse(writer.isAlive(), "the guest path finished every call while the listener was blocked");
            assertEquals(0, delivered.get());
            assertEquals(calls, Fixtures.entries(bus, journal, JournalQuery.ALL).stream()
                    .filter(JournalEntry::completed).count(), "the journal holds every call");

            Thread.sleep(20);
            Status behind = bus.status();
            long journaled = 2L * calls + 2;
            assertTrue(behind.lagRecords() >= journaled - TappedJournal.BATCH && behind.lagRecords() <= journaled,
                    behind.toString());
            assertTrue(behind.lagSeconds() > 0, behind.toString());
            assertEquals(0, behind.lostRecords());

            unblock.countDown();
            Status caughtUp = awaitCaughtUp(journaled);
            assertEquals(calls, delivered.get());
            assertEquals(new Status(journaled, 0, 0, 0, caughtUp.journalBytes(), 1), caughtUp);
        }
    }

    @Test
    void damagedRecordsAreCountedLostAndTheRestDelivered() throws Exception {
        Recorder recorder = new Recorder();
        try (HeldTap held = holdTapWhileTenCallsAreJournaled(recorder)) {
            // call 3 gets an unknown type, call 6 a future version
            overwrite(held.file, held.recordOf(3) + RecordFormat.TYPE_AT, new byte[] {99});
            overwrite(held.file, held.recordOf(6), new byte[] {7});
        }
        recorder.awaitExits(1);
        assertEquals(List.of(0, 1, 2, 4, 5, 7, 8, 9), recorder.calls().stream().map(Seen::pid).toList());
        Status status = awaitCaughtUp(22);
        assertEquals(4, status.lostRecords(), "two damaged calls, and their completions with them");
    }

    @ParameterizedTest(name = "header {0}")
    @ValueSource(ints = {0, 0xffff_ffff, 0x00ff_ffff, 0x10})
    void excerptsWithADamagedChronicleHeaderAreSteppedOverAndCountedLost(int header) throws Exception {
        Recorder recorder = new Recorder();
        try (HeldTap held = holdTapWhileTenCallsAreJournaled(recorder)) {
            byte[] damaged = new byte[Integer.BYTES];
            ByteBuffer.wrap(damaged).order(ByteOrder.LITTLE_ENDIAN).putInt(0, header);
            overwrite(held.file, held.recordOf(3) - Integer.BYTES, damaged);
        }
        recorder.awaitExits(1);
        assertEquals(List.of(0, 1, 2, 4, 5, 6, 7, 8, 9), recorder.calls().stream().map(Seen::pid).toList(),
                "only the damaged call is lost (a wrong length may take its completion with it)");
        Status status = awaitCaughtUp(22);
        assertEquals(22, status.deliveredRecords() + status.lostRecords(), "every record is accounted for once");
        assertTrue(status.lostRecords() == 2 || status.lostRecords() == 3, status.toString());
    }

    @Test
    void aJournalWhoseCutShortTailIsRepairedAtOpenIsFollowedFromItsRepairedEnd() throws Exception {
        journalTenCallsElsewhere();
        Path file = queueFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(recordOf(file, HeldTap.MARKER + 7) + 20); // the file ends inside call 7
        }
        Recorder recorder = new Recorder();
        try (Subscription subscription = bus.subscribe(recorder)) {
            SyscallEvent event = new SyscallEvent();
            // The repair runs as the gateway opens the journal, before the tap is told of it.
            try (SyscallGateway gateway = bus.open(journal, 18, spec(journal, "x"), new TestPolicy())) {
                call(gateway, event, MEMORY, 1, NR_READ, 0);
                gateway.onExit(ExitStatus.exited(0), 1);
            }
            recorder.awaitExits(1);
            assertEquals(List.of("start 0000000000000012 test-profile [x]",
                    "call 0000000000000012 pid 1 nr 0 ALLOW test/allow-all = 0",
                    "exit 0000000000000012 ExitStatus[code=0, signal=0]"), recorder.lines(),
                    "only what was journaled after the tap started on the repaired journal");
            assertEquals(entries(bus, journal, new JournalQuery(18L, null, null, null, null)).getFirst().sequence(),
                    recorder.calls().getFirst().sequence(), "indexes of the repaired file");
            Status status = awaitCaughtUp(4);
            assertEquals(new Status(4, 0, 0, 0, status.journalBytes(), 1), status,
                    "the records the repair dropped were before the tap's start: not lost to it");
        }
        try (var files = Files.list(journal)) {
            assertTrue(files.anyMatch(path -> path.getFileName().toString().matches(".*\\.cq4\\.damage-\\d+")),
                    "the journal was repaired (the damaged original kept)");
        }
    }

    @Test
    void aJournalWhoseDamagedTailCannotBeRepairedIsRefusedBeforeTheTapFollowsIt() throws Exception {
        journalTenCallsElsewhere();
        Path file = queueFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(recordOf(file, HeldTap.MARKER + 7) + 20);
        }
        Recorder recorder = new Recorder();
        // A shared lock on the journal's lock file, as every other user of the journal holds (here one
        // of this JVM, as another bus instance would): the repair cannot have the journal to itself.
        try (Subscription subscription = bus.subscribe(recorder);
                FileChannel otherUser = FileChannel.open(journal.resolve(JournalRegistry.LOCK_FILE),
                        StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                var shared = otherUser.lock(0, Long.MAX_VALUE, true)) {
            JournalException refused = assertThrows(JournalException.class,
                    () -> bus.open(journal, 19, spec(journal, "x"), new TestPolicy()));
            assertTrue(refused.getMessage().startsWith("cannot write journal to " + journal + ": the journal file "),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains("ends inside this record"), refused.getMessage());
            assertEquals(0, bus.status().journals(), "the tap does not follow a journal no gateway writes");
        }
    }

    /** Journals ten calls (call i with argument 0 MARKER + i) through a bus of its own, stopped after. */
    private void journalTenCallsElsewhere() throws Exception {
        ChronicleSyscallBus other = Fixtures.busWithShim();
        try (SyscallGateway gateway = other.open(journal, 1, spec(journal, "x"), new TestPolicy())) {
            SyscallEvent event = new SyscallEvent();
            for (int i = 0; i < 10; i++) {
                call(gateway, event, MEMORY, i, NR_READ, HeldTap.MARKER + i);
            }
            gateway.onExit(ExitStatus.exited(0), 10);
        } finally {
            other.deactivate();
        }
    }

    /**
     * Subscribes {@code recorder} behind a listener that holds the tap at the sandbox's start, then
     * journals ten calls (call i with pid i) and the exit; closing the result lets the tap go on.
     * Meanwhile the test damages the journal file where the tap has not read yet.
     */
    private HeldTap holdTapWhileTenCallsAreJournaled(Recorder recorder) throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        Subscription subscription = bus.subscribe(new TrafficListener() {
            @Override
            public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
                blocked.countDown();
                awaitQuietly(unblock);
                recorder.sandboxStarted(sandboxId, wallClockMillis, policy, command);
            }

            @Override
            public void callCompleted(CompletedCall call) {
                recorder.callCompleted(call);
            }

            @Override
            public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
                recorder.sandboxExited(sandboxId, wallClockMillis, status);
            }
        });
        try (SyscallGateway gateway = bus.open(journal, 16, spec(journal, "x"), new TestPolicy())) {
            assertTrue(blocked.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
            SyscallEvent event = new SyscallEvent();
            for (int i = 0; i < 10; i++) {
                call(gateway, event, MEMORY, i, NR_READ, HeldTap.MARKER + i);
            }
            gateway.onExit(ExitStatus.exited(0), 10);
        }
        return new HeldTap(subscription, unblock, queueFile());
    }

    /** The tap held up before ten calls; {@link #close} lets it go on (the subscription stays). */
    private record HeldTap(Subscription subscription, CountDownLatch unblock, Path file) implements AutoCloseable {
        static final long MARKER = 0x5eed_f00d_0000_0000L;

        /** File position of call {@code i}'s record. */
        long recordOf(int i) throws IOException {
            return TrafficTapTest.recordOf(file, MARKER + i);
        }

        @Override
        public void close() {
            unblock.countDown();
        }
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        Recorder recorder = new Recorder();
        TrafficListener failing = call -> {
            throw new IllegalStateException("listener bug");
        };
        try (Subscription first = bus.subscribe(failing); Subscription second = bus.subscribe(recorder);
                SyscallGateway gateway = bus.open(journal, 17, spec(journal, "x"), new TestPolicy())) {
            SyscallEvent event = new SyscallEvent();
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            call(gateway, event, MEMORY, 2, NR_READ, 0);
            recorder.awaitCalls(2);
            assertEquals(0, awaitCaughtUp(5).lostRecords());
        }
    }

    @Test
    void theThreadRunsFromTheFirstSubscriptionToTheLastCloseAndCountsGoOn() throws Exception {
        assertNull(bus.tapThread());
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, 18, spec(journal, "x"), new TestPolicy())) {
            Subscription a = bus.subscribe(first);
            Subscription b = bus.subscribe(second);
            Thread thread = bus.tapThread();
            assertNotNull(thread);
            assertEquals(ChronicleTrafficTap.THREAD_NAME, thread.getName());
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            first.awaitCalls(1);
            second.awaitCalls(1);
            a.close();
            assertTrue(thread.isAlive(), "a subscription is left");
            call(gateway, event, MEMORY, 2, NR_READ, 0);
            second.awaitCalls(2);
            assertEquals(1, first.calls().size(), "a closed subscription gets nothing more");
            b.close();
            b.close();
            assertFalse(thread.isAlive(), "the last close stops the thread");
            assertNull(bus.tapThread());
            assertEquals(new Status(4, 0, 0, 0, 0, 0), bus.status());

            call(gateway, event, MEMORY, 3, NR_READ, 0); // journaled while nobody listens
            flush(gateway);
            Recorder third = new Recorder();
            try (Subscription c = bus.subscribe(third)) {
                call(gateway, event, MEMORY, 4, NR_READ, 0);
                third.awaitCalls(1);
                assertEquals(List.of(4), third.calls().stream().map(Seen::pid).toList());
                assertEquals(6, awaitCaughtUp(6).deliveredRecords(), "the count goes on across subscriptions");
            }
        }
    }

    @Test
    void aListenerMayCloseItsOwnSubscription() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Subscription[] own = new Subscription[1];
        own[0] = bus.subscribe(call -> {
            own[0].close();
            closed.countDown();
        });
        try (SyscallGateway gateway = bus.open(journal, 19, spec(journal, "x"), new TestPolicy())) {
            call(gateway, new SyscallEvent(), MEMORY, 1, NR_READ, 0);
            assertTrue(closed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
            awaitTrue(() -> bus.tapThread() == null, () -> "the thread ends after the listener returns");
        }
    }

    // ---- helpers ----

    private Status awaitCaughtUp(long delivered) throws InterruptedException {
        Status[] last = new Status[1];
        awaitTrue(() -> {
            last[0] = bus.status();
            return last[0].deliveredRecords() + last[0].lostRecords() >= delivered && last[0].lagRecords() == 0;
        }, () -> "expected " + delivered + " records consumed and no lag: " + last[0]);
        return last[0];
    }

    static void awaitTrue(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message.get());
            }
            Thread.sleep(5);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path queueFile() throws IOException {
        try (var files = Files.list(journal)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** File position of the CALL record whose argument 0 is {@code arg0} (see CorruptJournalTest). */
    private static long recordOf(Path file, long arg0) throws IOException {
        int arg0Offset = RecordFormat.CALL_NUMBER_AT + Integer.BYTES;
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (int position = 0; position + Long.BYTES <= bytes.limit(); position++) {
            if (bytes.getLong(position) == arg0) {
                return position - arg0Offset;
            }
        }
        throw new AssertionError("no call with argument 0x" + Long.toHexString(arg0));
    }

    private static void overwrite(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    /** A delivered call, copied out of the flyweight. */
    record Seen(long sandboxId, long sequence, long wallClockMillis, int pid, int number, VerdictAction action,
            int errno, String rule, boolean resultKnown, long returnValue, long latencyNanos) {
    }

    /** Keeps what the tap delivers, in order. */
    static class Recorder implements TrafficListener {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final List<Seen> calls = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger exits = new AtomicInteger();

        @Override
        public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
            lines.add("start " + dev.meridian.api.SandboxIds.format(sandboxId) + " " + policy + " " + command);
        }

        @Override
        public void callCompleted(CompletedCall call) {
            calls.add(new Seen(call.sandboxId(), call.sequence(), call.wallClockMillis(), call.pid(), call.number(),
                    call.action(), call.errno(), call.rule(), call.resultKnown(), call.returnValue(),
                    call.latencyNanos()));
            lines.add("call " + dev.meridian.api.SandboxIds.format(call.sandboxId()) + " pid " + call.pid() + " nr "
                    + call.number() + " " + call.action() + (call.action() == VerdictAction.DENY ? " " + call.errno() : "")
                    + " " + call.rule() + " = " + call.returnValue());
        }

        @Override
        public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
            lines.add("exit " + dev.meridian.api.SandboxIds.format(sandboxId) + " " + status);
            exits.incrementAndGet();
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        List<Seen> calls() {
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }

        void awaitCalls(int count) throws InterruptedException {
            awaitTrue(() -> calls.size() >= count, () -> "expected " + count + " calls, got " + calls.size());
        }

        void awaitExits(int count) throws InterruptedException {
            awaitTrue(() -> exits.get() >= count, () -> "expected " + count + " exits, got " + exits.get());
        }
    }
}
