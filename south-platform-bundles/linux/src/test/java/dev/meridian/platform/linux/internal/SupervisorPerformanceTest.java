package dev.meridian.platform.linux.internal;

import dev.meridian.api.PolicySource;
import dev.meridian.api.Isolation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor loop under load: signal storms, allocation, descriptor hygiene, and the numbers
 * (launch latency, round trip) it is measured by. The numbers are printed, with loose bounds.
 */
class SupervisorPerformanceTest {

    private static final int SYS_GETPPID = 110;
    private static final int SIGUSR1 = 10;
    private static final LinuxPlatform PLATFORM = NativePrograms.platform();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path directory;

    private SandboxSpec spec(String... command) {
        return new SandboxSpec(List.of(command), Map.of("PATH", "/usr/bin:/bin"), directory, List.of(PolicySource.profile("trace")), Isolation.DEFAULT, directory);
    }

    private static long[] loopResult(Path file) throws IOException {
        return Arrays.stream(Files.readString(file).strip().split(" ")).mapToLong(Long::parseLong).toArray();
    }

    /**
     * Allows everything and counts getppid calls, allocating nothing itself. Every
     * {@link #SAMPLE_EVERY}th getppid it samples its thread's allocation counter; sampling from
     * the first calls on keeps that branch from deoptimizing the compiled loop mid-measurement.
     */
    private static final class CountingGateway extends TestGateway {
        static final int SAMPLE_EVERY = 5_000;
        final long[] allocated = new long[64];
        volatile long getppids;
        volatile long firstCallNanos;



        @Override
        public void onCall(SyscallEvent call, GuestMemory memory) {
            if (firstCallNanos == 0) {
                firstCallNanos = System.nanoTime();
            }
            call.verdict(VerdictAction.ALLOW, 0, -1, false);
            if (call.number() == SYS_GETPPID) {
                long count = getppids + 1;
                getppids = count;
                if (count % SAMPLE_EVERY == 0 && count / SAMPLE_EVERY < allocated.length) {
                    allocated[(int) (count / SAMPLE_EVERY)] = THREADS.getCurrentThreadAllocatedBytes();
                }
            }
        }




    }

    /** Design §7: without WAIT_KILLABLE_RECV signals made getppid fail with EINTR and repeat calls. */
    @Test
    void signalStormNeitherInterruptsNorRepeatsACall() throws Exception {
        int count = 20_000;
        Path result = directory.resolve("storm");
        CountingGateway gateway = new CountingGateway();
        LinuxGuest guest = (LinuxGuest) PLATFORM.launch(
                spec(NativePrograms.program("getppid_loop").toString(), Integer.toString(count), result.toString(),
                        "storm"), TestConfinements.SUPERVISE_ALL, gateway);
        // The first getppid comes after the SIGUSR1 handler is installed.
        while (gateway.getppids == 0 && guest.helper().isAlive()) {
            Thread.onSpinWait();
        }
        int sent = 0;
        while (!guest.exit().isDone()) {
            guest.signal(SIGUSR1);
            sent++;
            LockSupport.parkNanos(20_000);
        }
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        long[] outcome = loopResult(result);
        assertEquals(0, outcome[1], "getppid failures");
        assertTrue(outcome[3] > 0, "the guest handled signals (" + sent + " sent)");
        assertEquals(count, gateway.getppids, "every getppid notified exactly once");
        System.out.printf("signal storm: %d SIGUSR1 sent, %d handled, %d getppid, 0 failed%n", sent, outcome[3],
                gateway.getppids);
    }

    @Test
    void servingCallsDoesNotAllocate() throws Exception {
        CountingGateway gateway = new CountingGateway();
        Path result = directory.resolve("allocation");
        LinuxGuest guest = (LinuxGuest) PLATFORM.launch(
                spec(NativePrograms.program("getppid_loop").toString(), "100000", result.toString()), TestConfinements.SUPERVISE_ALL, gateway);
        assertEquals(ExitStatus.exited(0), guest.exit().get(120, TimeUnit.SECONDS));
        // The JIT needs the first tens of thousands of calls; steady state is what counts.
        int from = 60_000 / CountingGateway.SAMPLE_EVERY;
        int to = 100_000 / CountingGateway.SAMPLE_EVERY;
        long allocated = gateway.allocated[to] - gateway.allocated[from];
        System.out.printf("supervisor thread allocated %d bytes over calls 60000-100000 (per 5000: %s)%n",
                allocated, Arrays.toString(Arrays.copyOfRange(gateway.allocated, 1, to + 1)));
        assertTrue(gateway.allocated[from] > 0 && gateway.allocated[to] > 0, "allocation counter sampled");
        assertEquals(0, allocated, "bytes allocated on the supervisor thread in steady state");
    }

    @Test
    void noDescriptorLeaksAndSupervisorThreadsEnd() throws Exception {
        ExitStatus warmUp = PLATFORM.launch(spec("/bin/true"), TestConfinements.SUPERVISE_ALL, new RecordingGateway()).exit().get(30, TimeUnit.SECONDS);
        assertEquals(ExitStatus.exited(0), warmUp);
        awaitSupervisorThreads();
        long before = openDescriptors();
        for (int i = 0; i < 20; i++) {
            assertEquals(ExitStatus.exited(0),
                    PLATFORM.launch(spec("/bin/true"), TestConfinements.SUPERVISE_ALL, new RecordingGateway()).exit().get(30, TimeUnit.SECONDS));
        }
        awaitSupervisorThreads();
        assertEquals(before, openDescriptors(), "descriptors open in the JVM");
        try (var entries = Files.list(directory)) {
            assertEquals(0, entries.filter(path -> path.getFileName().toString().startsWith("meridian-")).count());
        }
    }

    private static long openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }

    private static void awaitSupervisorThreads() throws InterruptedException {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("meridian-supervisor-")) {
                assertTrue(thread.join(java.time.Duration.ofSeconds(10)), thread.getName() + " did not end");
            }
        }
    }

    @Test
    void measureLaunchLatencyAndRoundTrip() throws Exception {
        long[] latencies = new long[20];
        for (int i = -5; i < latencies.length; i++) {
            CountingGateway gateway = new CountingGateway();
            long start = System.nanoTime();
            LinuxGuest guest = (LinuxGuest) PLATFORM.launch(spec("/bin/true"), TestConfinements.SUPERVISE_ALL, gateway);
            assertEquals(ExitStatus.exited(0), guest.exit().get(30, TimeUnit.SECONDS));
            assertTrue(gateway.firstCallNanos > start, "the execve was notified");
            if (i >= 0) {
                latencies[i] = gateway.firstCallNanos - start;
            }
        }
        Arrays.sort(latencies);
        double medianMillis = latencies[latencies.length / 2] / 1e6;
        System.out.printf("launch to first syscall (warm, %d runs): median %.2f ms, min %.2f ms, max %.2f ms%n",
                latencies.length, medianMillis, latencies[0] / 1e6, latencies[latencies.length - 1] / 1e6);
        assertTrue(medianMillis < 500, "launch latency");

        int calls = 50_000;
        Path sandboxed = directory.resolve("sandboxed");
        CountingGateway gateway = new CountingGateway();
        assertEquals(ExitStatus.exited(0), PLATFORM.launch(spec(NativePrograms.program("getppid_loop").toString(),
                Integer.toString(calls), sandboxed.toString()), TestConfinements.SUPERVISE_ALL, gateway).exit().get(120, TimeUnit.SECONDS));
        Path native_ = directory.resolve("native");
        Process plain = new ProcessBuilder(NativePrograms.program("getppid_loop").toString(), "1000000",
                native_.toString()).inheritIO().start();
        assertEquals(0, plain.waitFor());
        double sandboxedMicros = loopResult(sandboxed)[2] / 1e3 / calls;
        double nativeMicros = loopResult(native_)[2] / 1e3 / 1_000_000;
        System.out.printf("getppid round trip: %.2f us supervised (empty gateway, %d calls), %.3f us native%n",
                sandboxedMicros, calls, nativeMicros);
        assertEquals(calls, gateway.getppids);
    }
}
