package dev.meridian.supervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.Isolation;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxInfo;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SandboxState;
import dev.meridian.platform.linux.internal.LinuxPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry and its state machine, with real guests under the linux platform and a test bus. */
class SandboxLifecycleTest {

    static final Path HELPER = Path.of("../../south-platform-bundles/linux/target/native/meridian-exec")
            .toAbsolutePath().normalize();

    @TempDir
    Path directory;

    final TestBus bus = new TestBus();
    SandboxLifecycle lifecycle;

    SandboxLifecycle lifecycle(Map<String, Object> configuration) {
        assertTrue(Files.isExecutable(HELPER), "the linux platform's exec helper was built: " + HELPER);
        SandboxLifecycle made = new SandboxLifecycle();
        made.bindBus(bus);
        made.bindPlatform(new LinuxPlatform(Map.of(LinuxPlatform.HELPER_PROPERTY, HELPER.toString())::get));
        made.bindPolicyEngine(new TestBus.Engine("engine-a"));
        made.activate(configuration);
        lifecycle = made;
        return made;
    }

    SandboxLifecycle lifecycle() {
        return lifecycle(Map.of());
    }

    @AfterEach
    void shutDown() {
        if (lifecycle != null) {
            lifecycle.modified(Map.of(SandboxLifecycle.SHUTDOWN_MODE, "kill"));
            lifecycle.deactivate();
        }
    }

    SandboxSpec spec(String... command) {
        return spec(PolicySource.profile("trace"), command);
    }

    SandboxSpec spec(PolicySource policy, String... command) {
        return new SandboxSpec(List.of(command), Map.of("PATH", "/usr/bin:/bin"), directory, List.of(policy),
                Isolation.DEFAULT, directory.resolve("journal"));
    }

    static ExitStatus await(Sandbox sandbox) throws Exception {
        return sandbox.exit().get(60, TimeUnit.SECONDS);
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aCreatedSandboxIsListedWithItsPolicyLoadedAndNothingLaunched() throws Exception {
        Sandbox sandbox = lifecycle().create(spec("/bin/true"));
        assertEquals(SandboxState.CREATED, sandbox.state());
        SandboxInfo info = sandbox.info();
        assertEquals(sandbox.id(), info.id());
        assertEquals(List.of("/bin/true"), info.command());
        assertEquals("trace", info.policy());
        assertTrue(info.createdMillis() > 0);
        assertEquals(0, info.startedMillis());
        assertEquals(0, info.hostPid());
        assertNull(info.exit());
        assertTrue(bus.gateways.isEmpty(), "no journal record before the start");
        assertThrows(IllegalStateException.class, sandbox::process);
        assertEquals(List.of(sandbox.id()), lifecycle.list(false).stream().map(SandboxInfo::id).toList());
        assertSame(sandbox, lifecycle.find(sandbox.id()).orElseThrow());
        assertFalse(sandbox.exit().isDone());
    }

    @Test
    void aPolicyThatDoesNotLoadFailsTheCreate() {
        lifecycle();
        assertThrows(PolicyException.class, () -> lifecycle.create(spec(PolicySource.profile("broken"), "/bin/true")));
        assertTrue(lifecycle.list(true).isEmpty());
    }

    @Test
    void aStartedSandboxRunsThenExitsWithItsTimesAndCounts() throws Exception {
        Sandbox sandbox = lifecycle().create(spec("sh", "-c", "sleep 0.2; exit 3"));
        sandbox.start();
        assertEquals(SandboxState.RUNNING, sandbox.state());
        assertTrue(sandbox.info().hostPid() > 0);
        assertThrows(IllegalStateException.class, sandbox::start);
        assertEquals(ExitStatus.exited(3), await(sandbox));
        TestBus.Gateway gateway = bus.gateways.get(sandbox.id());
        assertEquals(ExitStatus.exited(3), gateway.journaledExit, "the end is journaled before the exit completes");
        assertTrue(gateway.closed);
        SandboxInfo info = sandbox.info();
        assertEquals(SandboxState.EXITED, info.state());
        assertEquals(ExitStatus.exited(3), info.exit());
        assertTrue(info.createdMillis() <= info.startedMillis() && info.startedMillis() <= info.endedMillis(),
                info.toString());
        assertTrue(info.hostPid() > 0);
        assertEquals(gateway.calls, info.syscalls(), "every journaled call was answered");
        assertTrue(info.syscalls() > 10, info.toString());
        assertEquals(0, info.denials());
        assertTrue(info.cpuNanos() >= 0);
        assertNull(sandbox.failure());
        assertTrue(lifecycle.list(false).isEmpty());
        assertEquals(List.of(sandbox.id()), lifecycle.list(true).stream().map(SandboxInfo::id).toList());
        assertThrows(IllegalStateException.class, sandbox::start);
    }

    @Test
    void aGuestKilledByASignalItDidNotGetFromMeridianHasExited() throws Exception {
        Sandbox sandbox = lifecycle().start(spec("sh", "-c", "kill -9 $$"));
        assertEquals(ExitStatus.killed(9), await(sandbox));
        assertEquals(SandboxState.EXITED, sandbox.state());
    }

    @Test
    void aKilledSandboxIsKilledAndItsEndJournaled() throws Exception {
        Sandbox sandbox = lifecycle().start(spec("sleep", "60"));
        long started = System.nanoTime();
        sandbox.kill();
        assertEquals(ExitStatus.killed(9), await(sandbox));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10));
        assertEquals(SandboxState.KILLED, sandbox.state());
        assertEquals(ExitStatus.killed(9), sandbox.info().exit());
        assertEquals(ExitStatus.killed(9), bus.gateways.get(sandbox.id()).journaledExit);
        sandbox.kill(); // finished: nothing happens
        assertEquals(SandboxState.KILLED, sandbox.state());
    }

    @Test
    void aCreatedSandboxKilledNeverStarts() throws Exception {
        Sandbox sandbox = lifecycle().create(spec("/bin/true"));
        sandbox.kill();
        assertEquals(SandboxState.KILLED, sandbox.state());
        assertEquals(ExitStatus.killed(9), await(sandbox));
        IllegalStateException e = assertThrows(IllegalStateException.class, sandbox::start);
        assertTrue(e.getMessage().contains("killed before it started"), e.getMessage());
        assertTrue(bus.gateways.isEmpty());
    }

    @Test
    void aFailedStartFinishesTheSandboxAsAShellWouldExit() throws Exception {
        Sandbox missing = lifecycle().create(spec("/nonexistent/program"));
        SandboxException e = assertThrows(SandboxException.class, missing::start);
        assertEquals(SandboxException.Kind.PROGRAM_NOT_FOUND, e.kind());
        assertEquals(SandboxState.EXITED, missing.state());
        assertEquals(ExitStatus.exited(127), await(missing));
        assertEquals(ExitStatus.exited(127), missing.info().exit());
        assertEquals(e.getMessage(), missing.failure());
        assertTrue(missing.info().endedMillis() > 0);
        assertEquals(0, missing.info().startedMillis());
        IllegalStateException notStarted = assertThrows(IllegalStateException.class, missing::process);
        assertTrue(notStarted.getMessage().contains(e.getMessage()), notStarted.getMessage());

        Path text = Files.writeString(directory.resolve("not-a-program"), "text");
        Sandbox notExecutable = lifecycle.create(spec(text.toString()));
        assertEquals(SandboxException.Kind.PROGRAM_NOT_EXECUTABLE,
                assertThrows(SandboxException.class, notExecutable::start).kind());
        assertEquals(ExitStatus.exited(126), await(notExecutable));
        assertTrue(lifecycle.remove(missing.id()), "a failed start is finished, so it can be removed");
    }

    @Test
    void finishedSandboxesAreRetainedUpToTheBoundOldestDroppedFirst() throws Exception {
        lifecycle(Map.of(SandboxLifecycle.RETAIN_FINISHED, "3"));
        Sandbox waiting = lifecycle.create(spec("/bin/true"));
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Sandbox sandbox = lifecycle.start(spec("/bin/true"));
            assertEquals(ExitStatus.exited(0), await(sandbox));
            ids.add(sandbox.id());
        }
        List<Long> retained = lifecycle.list(true).stream().map(SandboxInfo::id).toList();
        assertEquals(List.of(waiting.id(), ids.get(2), ids.get(3), ids.get(4)), retained,
                "the created one is not finished, so the bound does not apply to it");
        assertTrue(lifecycle.find(ids.get(0)).isEmpty());
        assertTrue(lifecycle.find(ids.get(1)).isEmpty());

        lifecycle.modified(Map.of(SandboxLifecycle.RETAIN_FINISHED, 1));
        assertEquals(List.of(waiting.id(), ids.get(4)), lifecycle.list(true).stream().map(SandboxInfo::id).toList());
    }

    @Test
    void onlyFinishedSandboxesCanBeRemoved() throws Exception {
        Sandbox running = lifecycle().start(spec("sleep", "60"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lifecycle.remove(running.id()));
        assertTrue(e.getMessage().contains("running"), e.getMessage());
        Sandbox created = lifecycle.create(spec("/bin/true"));
        assertThrows(IllegalStateException.class, () -> lifecycle.remove(created.id()));
        running.kill();
        await(running);
        assertTrue(lifecycle.remove(running.id()));
        assertFalse(lifecycle.remove(running.id()));
        assertTrue(lifecycle.find(running.id()).isEmpty());
        assertFalse(lifecycle.remove(12345));
        assertEquals(List.of(created.id()), lifecycle.list(true).stream().map(SandboxInfo::id).toList());
    }

    @Test
    void denialsAreCountedForTheSandbox() throws Exception {
        Sandbox sandbox = lifecycle().start(spec("sh", "-c", "cd / 2>/dev/null; cd /tmp 2>/dev/null; exit 0"));
        assertEquals(ExitStatus.exited(0), await(sandbox));
        assertEquals(2, sandbox.info().denials(), "both chdir calls were denied");
    }

    @Test
    void aNewPolicyEngineJudgesRunningSandboxesFromTheirNextCall() throws Exception {
        Path stop = directory.resolve("stop");
        Sandbox running = lifecycle().start(spec("sh", "-c",
                "while [ ! -e " + stop + " ]; do sleep 0.02; done"));
        Sandbox created = lifecycle.create(spec("/bin/true"));
        TestBus.Gateway gateway = bus.gateways.get(running.id());
        eventually(() -> "engine-a".equals(gateway.lastPolicy), "calls judged by engine a's policy");

        TestBus.Engine a = (TestBus.Engine) lifecycle.currentEngine();
        lifecycle.bindPolicyEngine(new TestBus.Engine("engine-b"));
        lifecycle.unbindPolicyEngine(a);
        eventually(() -> "engine-b".equals(gateway.lastPolicy), "calls judged by engine b's policy");
        assertEquals(SandboxState.RUNNING, running.state(), "the swap does not touch the guest");

        created.start();
        assertEquals("engine-b", bus.gateways.get(created.id()).opened.name(),
                "a sandbox created before the swap starts with the new engine's policy");
        Files.createFile(stop);
        assertEquals(ExitStatus.exited(0), await(running));
        assertEquals(SandboxState.EXITED, running.state());
    }

    @Test
    void withoutAPolicyEngineCreateWaitsBoundedThenFailsClearly() throws Exception {
        lifecycle(Map.of(SandboxLifecycle.POLICY_ENGINE_WAIT_MILLIS, 300));
        lifecycle.unbindPolicyEngine(lifecycle.currentEngine());
        long started = System.nanoTime();
        SandboxException e = assertThrows(SandboxException.class, () -> lifecycle.create(spec("/bin/true")));
        long waited = System.nanoTime() - started;
        assertTrue(e.getMessage().contains("no policy engine is available"), e.getMessage());
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(250) && waited < TimeUnit.SECONDS.toNanos(5),
                "waited " + waited + " ns");

        lifecycle.modified(Map.of(SandboxLifecycle.POLICY_ENGINE_WAIT_MILLIS, 10_000));
        CompletableFuture<Sandbox> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return lifecycle.create(spec("/bin/true"));
            } catch (SandboxException | PolicyException failed) {
                throw new RuntimeException(failed);
            }
        });
        Thread.sleep(200);
        assertFalse(waiting.isDone(), "create waits for an engine");
        lifecycle.bindPolicyEngine(new TestBus.Engine("engine-c"));
        assertEquals(SandboxState.CREATED, waiting.get(5, TimeUnit.SECONDS).state());
    }

    @Test
    void shutdownWaitsForRunningSandboxesThenKillsTheRest() throws Exception {
        lifecycle(Map.of(SandboxLifecycle.SHUTDOWN_TIMEOUT_SECONDS, 2));
        Sandbox quick = lifecycle.start(spec("sleep", "0.3"));
        Sandbox slow = lifecycle.start(spec("sleep", "60"));
        Sandbox created = lifecycle.create(spec("/bin/true"));
        long started = System.nanoTime();
        lifecycle.deactivate();
        long took = System.nanoTime() - started;
        lifecycle = null;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(1900) && took < TimeUnit.SECONDS.toNanos(10),
                "took " + took + " ns");
        assertEquals(SandboxState.EXITED, quick.state());
        assertEquals(ExitStatus.exited(0), bus.gateways.get(quick.id()).journaledExit);
        assertEquals(SandboxState.KILLED, slow.state());
        assertEquals(ExitStatus.killed(9), bus.gateways.get(slow.id()).journaledExit);
        assertTrue(slow.exit().isDone(), "deactivate returns after the ends are journaled");
        assertEquals(SandboxState.KILLED, created.state());
    }

    @Test
    void shutdownInKillModeKillsAtOnceAndRefusesNewSandboxes() throws Exception {
        SandboxLifecycle stopping = lifecycle(Map.of(SandboxLifecycle.SHUTDOWN_MODE, "kill",
                SandboxLifecycle.SHUTDOWN_TIMEOUT_SECONDS, 30));
        Sandbox slow = stopping.start(spec("sleep", "60"));
        long started = System.nanoTime();
        stopping.deactivate();
        lifecycle = null;
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10));
        assertEquals(SandboxState.KILLED, slow.state());
        assertNotNull(bus.gateways.get(slow.id()).journaledExit);
        SandboxException e = assertThrows(SandboxException.class, () -> stopping.create(spec("/bin/true")));
        assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
    }

    @Test
    void badConfigurationValuesFallBackToTheDefaults() {
        Map<String, Object> bad = new HashMap<>();
        bad.put(SandboxLifecycle.RETAIN_FINISHED, "many");
        bad.put(SandboxLifecycle.SHUTDOWN_MODE, "later");
        bad.put(SandboxLifecycle.SHUTDOWN_TIMEOUT_SECONDS, -4);
        assertEquals(SandboxLifecycle.Settings.DEFAULTS, SandboxLifecycle.Settings.of(bad));
        assertEquals(new SandboxLifecycle.Settings(7, SandboxLifecycle.ShutdownMode.KILL, 3000, 20),
                SandboxLifecycle.Settings.of(Map.of(SandboxLifecycle.RETAIN_FINISHED, "7",
                        SandboxLifecycle.SHUTDOWN_MODE, " Kill ", SandboxLifecycle.SHUTDOWN_TIMEOUT_SECONDS, 3L,
                        SandboxLifecycle.POLICY_ENGINE_WAIT_MILLIS, "20")));
    }
}
