package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_OPENAT;
import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.NR_UNLINK;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JournalReader#followAll}: every sandbox of a journal, live, from its end, with the real bus. */
class FollowAllTest {

    private static final long FIRST = 0x0a00000000000001L;
    private static final long SECOND = 0x0b00000000000002L;
    private static final GuestMemory MEMORY = new StringMemory("/etc/hosts");
    private static final long WAIT_MILLIS = 30_000;

    @TempDir
    Path journal;

    @Test
    void followsEverySandboxFromTheEndInJournalOrderWithTheirRuleNames() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        List<JournalEntry> seen = new CopyOnWriteArrayList<>();
        try (SyscallGateway first = bus.open(journal, FIRST, spec(journal, "first"), new TestPolicy());
                JournalReader reader = bus.reader(journal)) {
            for (int i = 0; i < 3; i++) {
                call(first, event, MEMORY, 10, NR_READ, -1); // before the follow: not delivered
            }
            Fixtures.flush(first);
            try (JournalReader.Follow follow = reader.followAll(JournalQuery.ALL, seen::add);
                    SyscallGateway second = bus.open(journal, SECOND, spec(journal, "second"), new TestPolicy())) {
                for (int i = 0; i < 100; i++) {
                    call(first, event, MEMORY, 10, NR_READ, i);
                    call(second, event, MEMORY, 20, NR_READ, i);
                }
                call(first, event, MEMORY, 10, NR_UNLINK, 100);
                call(second, event, MEMORY, 20, NR_UNLINK, 100);
                second.onExit(ExitStatus.exited(0), 101);
                await(() -> seen.size() == 202, "every call of both sandboxes", seen);
                assertFalse(follow.awaitEnd(50), "a follow of the whole journal outlives the sandboxes' ends");
            }
        }
        for (long sandbox : new long[] {FIRST, SECOND}) {
            List<JournalEntry> mine = seen.stream().filter(entry -> entry.sandboxId() == sandbox).toList();
            assertEquals(101, mine.size());
            for (int i = 0; i < 101; i++) {
                assertEquals(i, mine.get(i).arg(0), "journal order of sandbox " + sandbox + ", entry " + i);
                assertTrue(mine.get(i).completed());
            }
        }
        JournalEntry firstAllowed = seen.stream().filter(entry -> entry.sandboxId() == FIRST).findFirst().orElseThrow();
        assertEquals("test/allow-all", firstAllowed.rule(), "named although the start record was before the follow");
        assertEquals(VerdictAction.ALLOW, firstAllowed.action());
        assertEquals("test/allow-all", seen.stream().filter(entry -> entry.sandboxId() == SECOND).findFirst()
                .orElseThrow().rule(), "named from the start record the follow read");
        for (JournalEntry denied : seen.stream().filter(entry -> entry.arg(0) == 100).toList()) {
            assertEquals(VerdictAction.DENY, denied.action());
            assertEquals("test/no-unlink", denied.rule());
            assertEquals(Fixtures.EACCES, denied.errno());
        }
    }

    @Test
    void aPolicySwitchedBeforeTheFollowNamesTheRulesAfterIt() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        List<JournalEntry> seen = new CopyOnWriteArrayList<>();
        try (SyscallGateway gateway = bus.open(journal, FIRST, spec(journal, "x"), new TestPolicy());
                JournalReader reader = bus.reader(journal)) {
            gateway.replacePolicy(new TestPolicy() {
                @Override
                public String ruleName(int ruleId) {
                    return ruleId == 0 ? "reloaded/allow" : ruleId == 1 ? "reloaded/no-unlink" : null;
                }
            });
            call(gateway, event, MEMORY, 1, NR_READ, 0); // switches the policy, before the follow
            Fixtures.flush(gateway);
            try (JournalReader.Follow follow = reader.followAll(JournalQuery.ALL, seen::add)) {
                call(gateway, event, MEMORY, 1, NR_UNLINK, 1);
                await(() -> seen.size() == 1, "the unlink", seen);
            }
        }
        assertEquals("reloaded/no-unlink", seen.getFirst().rule());
    }

    @Test
    void theQueryChoosesSandboxAndSystemCall() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        List<JournalEntry> everything = new CopyOnWriteArrayList<>();
        List<JournalEntry> chosen = new CopyOnWriteArrayList<>();
        try (SyscallGateway first = bus.open(journal, FIRST, spec(journal, "first"), new TestPolicy());
                SyscallGateway second = bus.open(journal, SECOND, spec(journal, "second"), new TestPolicy());
                JournalReader reader = bus.reader(journal);
                JournalReader.Follow all = reader.followAll(JournalQuery.ALL, everything::add);
                JournalReader.Follow some = reader.followAll(
                        new JournalQuery(SECOND, null, NR_OPENAT, null, null), chosen::add)) {
            for (int i = 0; i < 50; i++) {
                for (SyscallGateway gateway : List.of(first, second)) {
                    call(gateway, event, MEMORY, 1, i % 2 == 0 ? NR_READ : NR_OPENAT, i);
                }
            }
            // The unfiltered follow reads the same records; once it has all, the filtered one read them too.
            await(() -> everything.size() == 100, "every call", everything);
            await(() -> chosen.size() == 25, "the second sandbox's openat calls", chosen);
        }
        for (JournalEntry entry : chosen) {
            assertEquals(SECOND, entry.sandboxId());
            assertEquals(NR_OPENAT, entry.number());
        }
    }

    /**
     * A sink that blocks stops its own follow only: the guest path goes on at full speed, the journal keeps every
     * call, another follower keeps up, and the blocked one catches up once released, nothing lost.
     */
    @Test
    void aBlockedSinkHoldsUpItsOwnFollowOnlyNeverTheGuest() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        int calls = 100_000;
        CountDownLatch release = new CountDownLatch(1);
        List<JournalEntry> blocked = new CopyOnWriteArrayList<>();
        List<JournalEntry> free = new CopyOnWriteArrayList<>();
        try (SyscallGateway gateway = bus.open(journal, FIRST, spec(journal, "busy"), new TestPolicy());
                JournalReader reader = bus.reader(journal);
                JournalReader.Follow stuck = reader.followAll(JournalQuery.ALL, entry -> {
                    blocked.add(entry);
                    awaitUninterruptibly(release);
                });
                JournalReader.Follow flowing = reader.followAll(JournalQuery.ALL, free::add)) {
            SyscallEvent event = new SyscallEvent();
            Thread guest = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < calls; i++) {
                    call(gateway, event, MEMORY, 1, NR_READ, i);
                }
            });
            guest.join(WAIT_MILLIS);
            assertFalse(guest.isAlive(), "the guest's calls went through while a follower's sink was blocked");
            assertEquals(1, blocked.size(), "the blocked follow is still in its first delivery");
            assertEquals(calls, Fixtures.entries(bus, journal, JournalQuery.ALL).stream()
                    .filter(entry -> entry.pid() == 1).count(), "journaled, every call");
            await(() -> free.size() == calls, "the other follower keeps up", free);

            release.countDown();
            await(() -> blocked.size() == calls, "the released follower catches up", blocked);
        }
        for (int i = 0; i < calls; i++) {
            assertEquals(i, blocked.get(i).arg(0), "in journal order, none lost");
            assertEquals(i, free.get(i).arg(0));
        }
    }

    @Test
    void fromMillisFollowsFromTheStartSkippingEarlierCalls() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        SyscallEvent event = new SyscallEvent();
        List<JournalEntry> seen = new CopyOnWriteArrayList<>();
        try (SyscallGateway gateway = bus.open(journal, FIRST, spec(journal, "x"), new TestPolicy());
                JournalReader reader = bus.reader(journal)) {
            call(gateway, event, MEMORY, 1, NR_READ, 0);
            Thread.sleep(20);
            long from = System.currentTimeMillis();
            Thread.sleep(20);
            call(gateway, event, MEMORY, 1, NR_UNLINK, 1); // before the follow, after from: delivered
            try (JournalReader.Follow follow = reader.followAll(new JournalQuery(null, null, null, from, null),
                    seen::add)) {
                call(gateway, event, MEMORY, 1, NR_READ, 2);
                await(() -> seen.size() == 2, "the calls from then on", seen);
            }
        }
        assertEquals(List.of(1L, 2L), seen.stream().map(entry -> entry.arg(0)).toList());
        assertEquals("test/no-unlink", seen.getFirst().rule(), "read from the start: the start record names it");
    }

    @Test
    void anIdleFollowerCostsLittleCpu() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (SyscallGateway gateway = bus.open(journal, FIRST, spec(journal, "idle"), new TestPolicy());
                JournalReader reader = bus.reader(journal);
                JournalReader.Follow follow = reader.followAll(JournalQuery.ALL, entry -> { })) {
            Thread follower = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().equals("meridian-follow-all")).findFirst().orElseThrow();
            Thread.sleep(200); // into the longest backoff
            long before = threads.getThreadCpuTime(follower.threadId());
            long wallBefore = System.nanoTime();
            Thread.sleep(2_000);
            long cpu = threads.getThreadCpuTime(follower.threadId()) - before;
            long wall = System.nanoTime() - wallBefore;
            System.out.printf("idle follower: %.2f ms CPU in %.0f ms (%.2f%% of a core)%n", cpu / 1e6, wall / 1e6,
                    100.0 * cpu / wall);
            assertTrue(cpu < wall / 50, "an idle follower used " + cpu / 1_000_000 + " ms of CPU in "
                    + wall / 1_000_000 + " ms");
        }
    }

    @Test
    void closingTheFollowOrTheReaderStopsIt() throws Exception {
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        bus.open(journal, FIRST, spec(journal, "x"), new TestPolicy()).close();
        JournalReader.Follow kept;
        try (JournalReader reader = bus.reader(journal)) {
            JournalReader.Follow closed = reader.followAll(JournalQuery.ALL, entry -> { });
            closed.close();
            assertFalse(closed.awaitEnd(1_000), "a follow of the whole journal has no end to read");
            kept = reader.followAll(JournalQuery.ALL, entry -> { });
        }
        assertFalse(kept.awaitEnd(1_000));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("meridian-follow-all")), "no follower thread is left");
    }

    private static void await(Supplier<Boolean> condition, String what, List<JournalEntry> seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "not delivered in time: " + what + " (" + seen.size()
                    + " entries)");
            Thread.sleep(2);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // The test releases it.
            }
        }
    }
}
