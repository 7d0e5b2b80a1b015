package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.AUDIT_ARCH_I386;
import static dev.meridian.bus.internal.Fixtures.AUDIT_ARCH_X86_64;
import static dev.meridian.bus.internal.Fixtures.NR_OPENAT;
import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.NR_UNLINK;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.entries;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.JournalDiagnostics;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import dev.meridian.bus.internal.Fixtures.TestShim;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleSyscallBusTest {

    private static final long SANDBOX = 0x00c0ffee00000001L;
    private static final GuestMemory MEMORY = new StringMemory("/etc/hosts");

    @TempDir
    Path journal;

    @Test
    void aReplacedPolicyJudgesTheNextCallsAndTheJournalNamesItsRules() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "/bin/rm", "x"), new TestPolicy())) {
            call(gateway, event, MEMORY, 100, NR_UNLINK, 0);
            assertEquals(VerdictAction.DENY, event.action());
            gateway.replacePolicy(new TestPolicy() {
                @Override
                public String name() {
                    return "relaxed";
                }

                @Override
                public void decide(SyscallEvent call) {
                    call.verdict(VerdictAction.ALLOW, 0, 0, false);
                }

                @Override
                public String ruleName(int ruleId) {
                    return ruleId == 0 ? "relaxed/allow-unlink" : null;
                }
            });
            call(gateway, event, MEMORY, 100, NR_UNLINK, 0);
            assertEquals(VerdictAction.ALLOW, event.action());
            gateway.onExit(ExitStatus.exited(0), 2);
        }
        List<JournalEntry> unlinks = entries(bus, journal, JournalQuery.ALL);
        assertEquals(2, unlinks.size());
        assertEquals("test/no-unlink", unlinks.get(0).rule(), "decided before the reload: the old policy's name");
        assertEquals("relaxed/allow-unlink", unlinks.get(1).rule());
    }

    @Test
    void aSandboxReadsBackAsItRan() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "/bin/cat", "/etc/hosts"),
                new TestPolicy())) {
            call(gateway, event, MEMORY, 100, NR_OPENAT, -100);
            assertEquals(VerdictAction.ALLOW, event.action());
            assertEquals(0, gateway.denials());
            call(gateway, event, MEMORY, 100, NR_UNLINK, 0);
            assertEquals(VerdictAction.DENY, event.action());
            assertEquals(1, gateway.denials(), "the gateway counts denials as the journal does");
            gateway.onExit(ExitStatus.exited(3), 2);
            assertEquals(1, gateway.denials());
        }

        try (JournalReader reader = bus.reader(journal)) {
            SandboxRecord sandbox = reader.sandboxes().getFirst();
            assertEquals(SANDBOX, sandbox.sandboxId());
            assertEquals(List.of("/bin/cat", "/etc/hosts"), sandbox.command());
            assertEquals("test-profile", sandbox.profile());
            assertEquals(ExitStatus.exited(3), sandbox.exit());
            assertEquals(2, sandbox.calls());
            assertEquals(2, sandbox.answeredCalls());
            assertEquals(1, sandbox.denials());
            assertTrue(Math.abs(System.currentTimeMillis() - sandbox.startedMillis()) < 60_000);
            assertEquals(0, ((JournalDiagnostics) reader).skippedRecords());
        }

        List<JournalEntry> entries = entries(bus, journal, JournalQuery.ALL);
        assertEquals(2, entries.size());
        JournalEntry open = entries.get(0);
        assertEquals(SANDBOX, open.sandboxId());
        assertEquals(100, open.pid());
        assertEquals(AUDIT_ARCH_X86_64, open.abi());
        assertEquals(NR_OPENAT, open.number());
        assertEquals(-100, open.arg(0));
        assertArrayEquals("/etc/hosts".getBytes(StandardCharsets.UTF_8), open.capture(1));
        assertFalse(open.truncated()[1]);
        assertNull(open.capture(0));
        assertTrue(open.completed());
        assertEquals(VerdictAction.ALLOW, open.action());
        assertEquals("test/allow-all", open.rule());
        assertTrue(open.resultKnown());
        assertTrue(open.latencyNanos() > 0);

        JournalEntry unlink = entries.get(1);
        assertEquals(VerdictAction.DENY, unlink.action());
        assertEquals(Fixtures.EACCES, unlink.errno());
        assertEquals("test/no-unlink", unlink.rule());
        assertEquals(-Fixtures.EACCES, unlink.returnValue());
        assertTrue(unlink.sequence() > open.sequence());
    }

    @Test
    void aCallNeverCompletedReadsBackUncompleted() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            event.reset(0, 1, AUDIT_ARCH_X86_64, NR_READ, 0);
            gateway.onCall(event, MEMORY); // the guest died before the answer
            gateway.onExit(ExitStatus.killed(9), 1);
        }
        try (JournalReader reader = bus.reader(journal)) {
            SandboxRecord sandbox = reader.sandboxes().getFirst();
            assertEquals(ExitStatus.killed(9), sandbox.exit());
            assertEquals(2, sandbox.calls());
            assertEquals(1, sandbox.answeredCalls());
        }
        List<JournalEntry> entries = entries(bus, journal, JournalQuery.ALL);
        assertTrue(entries.get(0).completed());
        assertFalse(entries.get(1).completed());
        assertNull(entries.get(1).action());
    }

    @Test
    void aSandboxWithoutEndHasNoExit() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            call(gateway, new SyscallEvent(), MEMORY, 1, NR_READ, 0);
        }
        try (JournalReader reader = bus.reader(journal)) {
            SandboxRecord sandbox = reader.sandboxes().getFirst();
            assertNull(sandbox.exit());
            assertEquals(1, sandbox.calls());
            assertEquals(-1, sandbox.answeredCalls());
        }
    }

    @Test
    void entriesAreFilteredBySandboxPidSyscallAndTime() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        long before = System.currentTimeMillis();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway first = bus.open(journal, 1, spec(journal, "a"), new TestPolicy());
                SyscallGateway second = bus.open(journal, 2, spec(journal, "b"), new TestPolicy())) {
            call(first, event, MEMORY, 10, NR_READ, 1);
            call(second, event, MEMORY, 20, NR_READ, 2);
            call(first, event, MEMORY, 11, NR_OPENAT, 3);
            call(second, event, MEMORY, 20, NR_UNLINK, 4);
            first.onExit(ExitStatus.exited(0), 2);
            second.onExit(ExitStatus.exited(0), 2);
        }
        long after = System.currentTimeMillis() + 1;

        assertEquals(List.of(1L, 2L, 3L, 4L), firstArgs(bus, JournalQuery.ALL).stream().sorted().toList(),
                "every call; in order per sandbox (below), not across sandboxes: each reaches the journal through its ring");
        assertEquals(List.of(1L, 3L), firstArgs(bus, new JournalQuery(1L, null, null, null, null)));
        assertEquals(List.of(2L, 4L), firstArgs(bus, new JournalQuery(null, 20, null, null, null)));
        assertEquals(List.of(1L, 2L), firstArgs(bus, new JournalQuery(null, null, NR_READ, null, null)).stream()
                .sorted().toList(), "one read of each sandbox");
        assertEquals(List.of(4L), firstArgs(bus, new JournalQuery(2L, 20, NR_UNLINK, before, after)));
        assertEquals(List.of(), firstArgs(bus, new JournalQuery(null, null, null, after, null)));
        assertEquals(List.of(), firstArgs(bus, new JournalQuery(null, null, null, null, before)));
        assertEquals(List.of(), firstArgs(bus, new JournalQuery(3L, null, null, null, null)));
    }

    @Test
    void anUnboundShimIsLetGoOnlyOnceNoCallIsInIt() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Fixtures.TestShim blocking = new Fixtures.TestShim() {
            @Override
            public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.handle(call, memory, policy);
            }
        };
        ChronicleSyscallBus bus = new ChronicleSyscallBus();
        bus.bindShim(blocking);
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            SyscallEvent event = new SyscallEvent();
            Thread guest = Thread.ofPlatform().start(() -> Fixtures.call(gateway, event, MEMORY, 1, 39, 0));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            // The bundle of an unbound shim is refreshed as soon as unbind returns: not while a call runs its code.
            Thread unbinding = Thread.ofPlatform().start(() -> bus.unbindShim(blocking));
            unbinding.join(200);
            assertTrue(unbinding.isAlive(), "unbind returned while a call was in the shim");
            release.countDown();
            unbinding.join(10_000);
            guest.join(10_000);
            assertFalse(unbinding.isAlive());
            assertEquals(VerdictAction.ALLOW, event.action(), "the call in flight was answered by its shim");
        }
    }

    @Test
    void callsWithoutShimAreDeniedUnderTheBusRule() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        bus.shimWaitMillis(0);
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            event.reset(0, 1, AUDIT_ARCH_I386, 3, 0);
            gateway.onCall(event, MEMORY);
            assertEquals(VerdictAction.DENY, event.action());
            assertEquals(1, event.errno(), "EPERM");
            assertEquals(BusRules.NO_SHIM, event.ruleId());
            assertFalse(event.memoryDependent());
            gateway.onCompletion(event);
        }
        JournalEntry entry = entries(bus, journal, JournalQuery.ALL).getFirst();
        assertEquals(VerdictAction.DENY, entry.action());
        assertEquals(1, entry.errno());
        assertEquals("bus/no-shim", entry.rule());
    }

    @Test
    void aShimThatFailsOrDecidesNothingIsFailedClosed() throws Exception {
        ChronicleSyscallBus bus = new ChronicleSyscallBus();
        bus.bindShim(new TestShim() {
            @Override
            public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
                if (call.number() == NR_UNLINK) {
                    throw new IllegalStateException("shim bug");
                }
            }
        });
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            call(gateway, event, MEMORY, 1, NR_UNLINK, 0);
        }
        List<JournalEntry> entries = entries(bus, journal, JournalQuery.ALL);
        assertEquals("bus/no-verdict", entries.get(0).rule());
        assertEquals("bus/shim-failed", entries.get(1).rule());
        for (JournalEntry entry : entries) {
            assertEquals(VerdictAction.DENY, entry.action());
            assertEquals(1, entry.errno());
        }
    }

    @Test
    void aCallArrivingDuringAShimSwapWaitsForTheNewShim() throws Exception {
        ChronicleSyscallBus bus = new ChronicleSyscallBus();
        NorthShim old = new TestShim();
        bus.bindShim(old);
        bus.shimWaitMillis(10_000);
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            bus.unbindShim(old);
            assertNull(bus.shimFor(AUDIT_ARCH_X86_64));
            NorthShim replacement = new TestShim();
            Thread.ofPlatform().start(() -> {
                sleep(50);
                bus.bindShim(replacement);
            });
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            assertEquals(VerdictAction.ALLOW, event.action(), "the call waited for the replacement");
            assertSame(replacement, bus.shimFor(AUDIT_ARCH_X86_64));
        }
    }

    @Test
    void theNewestShimForAnAbiWins() {
        ChronicleSyscallBus bus = new ChronicleSyscallBus();
        NorthShim first = new TestShim();
        NorthShim second = new TestShim();
        bus.bindShim(first);
        bus.bindShim(second);
        assertSame(second, bus.shimFor(AUDIT_ARCH_X86_64));
        bus.unbindShim(second);
        assertSame(first, bus.shimFor(AUDIT_ARCH_X86_64));
        assertNull(bus.shimFor(AUDIT_ARCH_I386));
    }

    @Test
    void followDeliversLiveCallsUntilTheSandboxEnds() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        int calls = 2_000;
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch followed = new CountDownLatch(1);
        Thread supervisor;
        List<JournalEntry> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Another sandbox writes to the same journal meanwhile; follow must not show its calls.
        try (SyscallGateway other = bus.open(journal, 2, spec(journal, "other"), new TestPolicy());
                SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy());
                JournalReader reader = bus.reader(journal)) {
            supervisor = Thread.ofPlatform().start(() -> {
                SyscallEvent event = new SyscallEvent();
                started.countDown();
                await(followed);
                for (int i = 0; i < calls; i++) {
                    call(gateway, event, MEMORY, 7, NR_READ, i);
                    if (i % 500 == 0) {
                        sleep(5);
                    }
                }
                gateway.onExit(ExitStatus.exited(0), calls);
            });
            call(other, new SyscallEvent(), MEMORY, 8, NR_READ, -1);
            started.await();
            try (JournalReader.Follow follow = reader.follow(SANDBOX, seen::add)) {
                followed.countDown();
                assertTrue(follow.awaitEnd(30_000), "the follower read the sandbox's end");
            }
            supervisor.join();
        }
        assertEquals(calls, seen.size());
        for (int i = 0; i < calls; i++) {
            JournalEntry entry = seen.get(i);
            assertEquals(SANDBOX, entry.sandboxId());
            assertEquals(i, entry.arg(0), "in journal order");
            assertTrue(entry.completed());
            assertEquals("test/allow-all", entry.rule(), "the follower read the sandbox's start record");
        }
    }

    @Test
    void followDeliversUncompletedCallsAtTheEnd() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy());
                JournalReader reader = bus.reader(journal)) {
            List<JournalEntry> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (JournalReader.Follow follow = reader.follow(SANDBOX, seen::add)) {
                event.reset(0, 1, AUDIT_ARCH_X86_64, NR_READ, 0);
                gateway.onCall(event, MEMORY);
                assertFalse(follow.awaitEnd(100), "no end yet");
                assertEquals(List.of(), seen, "a call is held until its completion or the end");
                gateway.onExit(ExitStatus.killed(9), 0);
                assertTrue(follow.awaitEnd(10_000));
            }
            assertEquals(1, seen.size());
            assertFalse(seen.getFirst().completed());
        }
    }

    @Test
    void followReplaysASandboxThatAlreadyEnded() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            call(gateway, event, MEMORY, 1, NR_READ, 5);
            gateway.onExit(ExitStatus.exited(0), 1);
        }
        List<JournalEntry> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (JournalReader reader = bus.reader(journal);
                JournalReader.Follow follow = reader.follow(SANDBOX, seen::add)) {
            assertTrue(follow.awaitEnd(10_000));
        }
        assertEquals(List.of(5L), seen.stream().map(entry -> entry.arg(0)).toList());
        assertEquals("test/allow-all", seen.getFirst().rule());
    }

    @Test
    void aClosedFollowStopsWithoutEnd() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy()).close(); // started, never ended
        try (JournalReader reader = bus.reader(journal)) {
            JournalReader.Follow follow = reader.follow(SANDBOX, entry -> { });
            follow.close();
            assertFalse(follow.awaitEnd(1_000));
        }
    }

    @Test
    void concurrentSandboxesShareOneJournal() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        int calls = 20_000;
        long[] ids = {11, 22};
        Thread[] supervisors = new Thread[ids.length];
        for (int s = 0; s < ids.length; s++) {
            SyscallGateway gateway = bus.open(journal, ids[s], spec(journal, "sandbox" + s), new TestPolicy());
            int pid = 100 + s;
            supervisors[s] = Thread.ofPlatform().start(() -> {
                try (gateway) {
                    SyscallEvent event = new SyscallEvent();
                    for (int i = 0; i < calls; i++) {
                        call(gateway, event, MEMORY, pid, i % 2 == 0 ? NR_READ : NR_OPENAT, i);
                    }
                    gateway.onExit(ExitStatus.exited(0), calls);
                }
            });
        }
        for (Thread supervisor : supervisors) {
            supervisor.join();
        }

        try (JournalReader reader = bus.reader(journal)) {
            List<SandboxRecord> sandboxes = reader.sandboxes();
            assertEquals(2, sandboxes.size());
            for (SandboxRecord sandbox : sandboxes) {
                assertEquals(calls, sandbox.calls());
                assertEquals(ExitStatus.exited(0), sandbox.exit());
            }
        }
        List<JournalEntry> all = entries(bus, journal, JournalQuery.ALL);
        assertEquals(2 * calls, all.size());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i).sequence() > all.get(i - 1).sequence(), "journal order");
        }
        for (long id : ids) {
            List<JournalEntry> mine = all.stream().filter(e -> e.sandboxId() == id).toList();
            assertEquals(calls, mine.size());
            for (int i = 0; i < calls; i++) {
                assertEquals(i, mine.get(i).arg(0));
                assertTrue(mine.get(i).completed());
            }
        }
    }

    @Test
    void aQueueNobodyUsesStaysOpenForTheNextSandboxUntilTheBusStops() throws Exception {
        JournalRegistry registry = new JournalRegistry();
        Journal first = registry.openForWriting(journal);
        first.release();
        assertEquals(0, registry.openCount());
        Journal again = registry.openForWriting(journal);
        assertSame(first, again, "reopening a queue costs milliseconds of every sandbox start");
        again.release();
        registry.closeIdle();
        assertTrue(first.queue().isClosed());
        Journal fresh = registry.openForWriting(journal);
        assertNotSame(first, fresh);
        fresh.release();
        registry.closeIdle();
    }

    @Test
    void gatewaysAndReadersOfADirectoryShareOneQueueClosedWithTheLast() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallGateway first = bus.open(journal, 1, spec(journal, "a"), new TestPolicy());
        SyscallGateway second = bus.open(journal.resolve("."), 2, spec(journal, "b"), new TestPolicy());
        JournalReader reader = bus.reader(journal);
        assertEquals(1, bus.openJournals());
        first.close();
        reader.close();
        assertEquals(1, bus.openJournals());
        second.close();
        second.close();
        assertEquals(0, bus.openJournals());
    }

    @Test
    void aGatewayRefusesCallsAfterTheSandboxExited() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        try (SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy())) {
            gateway.onExit(ExitStatus.exited(0), 0);
            SyscallEvent event = new SyscallEvent();
            event.reset(0, 1, AUDIT_ARCH_X86_64, NR_READ, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> gateway.onCall(event, MEMORY));
            assertEquals("sandbox 00c0ffee00000001: gateway already saw the sandbox exit", e.getMessage());
        }
    }

    @Test
    void aGatewayMayBeHandedToAnotherThread() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallGateway gateway = bus.open(journal, SANDBOX, spec(journal, "x"), new TestPolicy());
        CountDownLatch handedOver = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> {
            call(gateway, new SyscallEvent(), MEMORY, 1, NR_READ, 1);
            handedOver.countDown();
            await(done); // still alive while the main thread takes over
        });
        try {
            handedOver.await();
            call(gateway, new SyscallEvent(), MEMORY, 1, NR_READ, 2);
            gateway.onExit(ExitStatus.exited(0), 2);
            gateway.close();
        } finally {
            done.countDown();
            first.join();
        }
        assertEquals(List.of(1L, 2L), firstArgs(bus, JournalQuery.ALL));
    }

    private List<Long> firstArgs(ChronicleSyscallBus bus, JournalQuery query) throws Exception {
        return entries(bus, journal, query).stream()
                .map(entry -> entry.arg(0)).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
