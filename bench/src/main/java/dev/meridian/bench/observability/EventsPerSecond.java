package dev.meridian.bench.observability;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.Isolation;
import dev.meridian.api.JournalReader;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxRecord;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap;
import dev.meridian.bench.bus.AllowAllPolicy;
import dev.meridian.bench.bus.FixedStringMemory;
import dev.meridian.bench.bus.PathCapturingShim;
import dev.meridian.bus.internal.ChronicleSyscallBus;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 5's benchmark: sustained events per second through bus + journal + traffic tap + a
 * metrics listener, with zero loss, and the CPU it costs. K writer threads, each the supervisor
 * thread of one sandbox (a real gateway of a real {@link ChronicleSyscallBus} with a trivial shim
 * and an allow-all policy, journaling to a temporary directory), serve calls at full speed for D
 * seconds, twice: with nobody subscribed (the journal alone) and with the tap feeding a listener.
 * Then the tap is drained and checked: it must have delivered exactly the records journaled, lost
 * none, and be caught up.
 *
 * <p>An <em>event</em> is one journal record, what {@code meridian_bus_events_total} counts: a
 * call is two (its CALL and its COMPLETION), plus a start and an exit per sandbox. Calls per
 * second are reported beside.
 *
 * <p>Run it with {@code bench/observability/events.sh} ({@code -h} for the options).
 */
public final class EventsPerSecond {

    private static final int NR_READ = 0;
    private static final int NR_WRITE = 1;
    private static final int NR_GETPPID = 110;
    private static final long AT_FDCWD = -100;
    private static final long STATUS_PERIOD_MILLIS = 250;
    private static final long DRAIN_LIMIT_MILLIS = 600_000;

    private final int writers;
    private final double seconds;
    private final double warmUpSeconds;
    private final String listenerClass;
    private final Path journalRoot;
    private final boolean keepJournal;
    private final boolean verify;
    private final ChronicleSyscallBus bus = new ChronicleSyscallBus();
    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private EventsPerSecond(int writers, double seconds, double warmUpSeconds, String listenerClass,
            Path journalRoot, boolean keepJournal, boolean verify) {
        this.writers = writers;
        this.seconds = seconds;
        this.warmUpSeconds = warmUpSeconds;
        this.listenerClass = listenerClass;
        this.journalRoot = journalRoot;
        this.keepJournal = keepJournal;
        this.verify = verify;
        bus.bindShim(new PathCapturingShim());
    }

    public static void main(String[] args) throws Exception {
        int writers = 1;
        double seconds = 10;
        double warmUp = 3;
        String listener = CountingListener.class.getName();
        Path journal = null;
        boolean keep = false;
        boolean verify = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-k", "--writers" -> writers = positiveInt(arg, value(args, ++i, arg));
                case "-d", "--seconds" -> seconds = positiveDouble(arg, value(args, ++i, arg));
                case "-w", "--warm-up" -> warmUp = nonNegativeDouble(arg, value(args, ++i, arg));
                case "-l", "--listener" -> listener = value(args, ++i, arg);
                case "-j", "--journal" -> journal = Path.of(value(args, ++i, arg));
                case "--keep" -> keep = true;
                case "--no-verify" -> verify = false;
                case "-h", "--help" -> {
                    System.out.println(usage());
                    return;
                }
                default -> fail("unknown option " + arg);
            }
        }
        Path root = journal != null ? Files.createDirectories(journal)
                : Files.createTempDirectory("meridian-events-bench");
        EventsPerSecond bench = new EventsPerSecond(writers, seconds, warmUp, listener, root, keep || journal != null,
                verify);
        boolean ok;
        try {
            ok = bench.run();
        } finally {
            if (!bench.keepJournal) {
                delete(root);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws Exception {
        System.out.printf(Locale.ROOT, "# Observability: events per second%n%n");
        System.out.printf(Locale.ROOT, "%d writer thread(s) (one sandbox each), %.0f s per phase after a %.0f s"
                + " warm-up, listener %s, %d CPUs, Java %s, journal in %s%n%n", writers, seconds, warmUpSeconds,
                listenerClass, Runtime.getRuntime().availableProcessors(), Runtime.version(), journalRoot);
        if (warmUpSeconds > 0) {
            phase("warm-up", true, warmUpSeconds);
        }
        Result journalOnly = phase("journal-only", false, seconds);
        Result tapped = phase("tapped", true, seconds);

        System.out.printf(Locale.ROOT, "| phase | calls/s | events/s (journal records) | process CPU | writer"
                + " threads CPU | tap thread CPU | process CPU per event | tap CPU per event | GCs |%n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|%n");
        for (Result result : List.of(journalOnly, tapped)) {
            double cpuSeconds = result.writeSeconds() + result.drainMillis() / 1000;
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.0f %% | %.0f %% | %s | %.0f ns | %s | %d |%n",
                    result.title(), result.calls() / result.writeSeconds(), result.records() / result.writeSeconds(),
                    result.processCpuPercent(), result.writerCpuPercent(),
                    result.tapped() ? String.format(Locale.ROOT, "%.0f %%", result.tapCpuPercent()) : "–",
                    result.processCpuPercent() / 100 * cpuSeconds * 1e9 / result.records(),
                    result.tapped() ? String.format(Locale.ROOT, "%.0f ns",
                            result.tapCpuPercent() / 100 * cpuSeconds * 1e9 / result.records()) : "–",
                    result.gcs());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "CPU in %% of one core over the writing time (the tapped phase's includes the"
                + " drain: %.0f ms); per event = CPU time / journal records.%n", tapped.drainMillis());
        System.out.printf(Locale.ROOT, "Sustained through bus + journal + tap + listener, journaled to delivered"
                + " (%,d events in %.2f s of writing and draining): **%,.0f events/s = %,.0f calls/s**, tap thread"
                + " %.0f %% of a core, whole process %.0f %% of a core.%n", tapped.delivered(),
                tapped.writeSeconds() + tapped.drainMillis() / 1000,
                tapped.delivered() / (tapped.writeSeconds() + tapped.drainMillis() / 1000),
                tapped.calls() / (tapped.writeSeconds() + tapped.drainMillis() / 1000), tapped.tapCpuPercent(),
                tapped.processCpuPercent());
        System.out.printf(Locale.ROOT, "Tap: journaled %,d, delivered %,d, lost %d, lag after the drain %d records"
                + " (most during the run: %,d records, %.3f s)%s%n", tapped.records(), tapped.delivered(),
                tapped.lost(), tapped.finalLag(), tapped.maxLagRecords(), tapped.maxLagSeconds(),
                tapped.verified() == null ? "" : "; journal read back: " + tapped.verified());
        System.out.println("Listener: " + tapped.listenerSummary());
        boolean ok = tapped.delivered() == tapped.records() && tapped.lost() == 0 && tapped.finalLag() == 0
                && (tapped.verified() == null || tapped.verified().startsWith("ok"))
                && (journalOnly.verified() == null || journalOnly.verified().startsWith("ok"));
        System.out.println(ok ? "\nZero loss: every journaled record was delivered."
                : "\nFAILED: the tap did not deliver exactly what was journaled.");
        return ok;
    }

    /** What one phase measured. */
    private record Result(String title, boolean tapped, long calls, long records, double writeSeconds,
            double processCpuPercent, double writerCpuPercent, double tapCpuPercent, long gcs, double drainMillis,
            long delivered, long lost, long finalLag, long maxLagRecords, double maxLagSeconds,
            String listenerSummary, String verified) {
    }

    private Result phase(String name, boolean tapped, double phaseSeconds) throws Exception {
        Path journal = journalRoot.resolve(name);
        TrafficListener listener = tapped ? newListener() : null;
        TrafficTap.Status before = bus.status();
        TrafficTap.Subscription subscription = tapped ? bus.subscribe(listener) : null;
        Thread tapThread = bus.tapThread();
        List<Writer> workers = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            long sandboxId = SandboxIds.next();
            SandboxSpec spec = new SandboxSpec(List.of("bench-writer-" + i), Map.of(), Path.of("/"),
                    List.of(PolicySource.profile("allow-all")), Isolation.DEFAULT, journal);
            workers.add(new Writer(bus.open(journal, sandboxId, spec, new AllowAllPolicy()), 1000 + i));
        }
        long gcsBefore = gcCount();
        long processCpuBefore = os.getProcessCpuTime();
        long tapCpuBefore = tapThread == null ? 0 : threads.getThreadCpuTime(tapThread.threadId());
        long start = System.nanoTime();
        long deadline = start + (long) (phaseSeconds * 1e9);
        for (Writer worker : workers) {
            worker.thread.start();
        }
        long maxLagRecords = 0;
        double maxLagSeconds = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(Math.min(STATUS_PERIOD_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (tapped) {
                TrafficTap.Status status = bus.status();
                maxLagRecords = Math.max(maxLagRecords, status.lagRecords());
                maxLagSeconds = Math.max(maxLagSeconds, status.lagSeconds());
            }
        }
        for (Writer worker : workers) {
            worker.running = false;
        }
        long calls = 0;
        long writerCpu = 0;
        for (Writer worker : workers) {
            worker.thread.join();
            calls += worker.calls;
            writerCpu += worker.cpuNanos;
        }
        long written = System.nanoTime();
        long records = 2 * calls + 2L * writers; // each sandbox's start and exit
        TrafficTap.Status after = bus.status();
        if (tapped) {
            long drainDeadline = written + TimeUnit.MILLISECONDS.toNanos(DRAIN_LIMIT_MILLIS);
            while ((after.deliveredRecords() - before.deliveredRecords() + after.lostRecords() - before.lostRecords()
                    < records || after.lagRecords() > 0) && System.nanoTime() < drainDeadline) {
                Thread.sleep(1);
                after = bus.status();
            }
        }
        long drained = System.nanoTime();
        long processCpu = os.getProcessCpuTime() - processCpuBefore;
        long tapCpu = tapThread == null ? 0 : threads.getThreadCpuTime(tapThread.threadId()) - tapCpuBefore;
        long gcs = gcCount() - gcsBefore;
        if (subscription != null) {
            subscription.close();
        }
        if (listener instanceof AutoCloseable closeable) {
            closeable.close();
        }
        String verified = verify ? verify(journal, workers) : null;
        double writeSeconds = (written - start) / 1e9;
        double cpuSeconds = (drained - start) / 1e9;
        return new Result(tapped ? "journal + tap + listener" : "journal only (no subscriber)", tapped, calls,
                records, writeSeconds, 100 * processCpu / 1e9 / cpuSeconds, 100 * writerCpu / 1e9 / writeSeconds,
                100 * tapCpu / 1e9 / cpuSeconds, gcs, (drained - written) / 1e6,
                after.deliveredRecords() - before.deliveredRecords(), after.lostRecords() - before.lostRecords(),
                after.lagRecords(), maxLagRecords, maxLagSeconds, String.valueOf(listener), verified);
    }

    /** Reads the phase's journal back: every sandbox with every call its writer served, and its exit. */
    private String verify(Path journal, List<Writer> workers) throws Exception {
        Map<Long, Long> served = new HashMap<>();
        for (Writer worker : workers) {
            served.put(worker.gateway.sandboxId(), worker.calls);
        }
        try (JournalReader reader = bus.reader(journal)) {
            List<SandboxRecord> sandboxes = reader.sandboxes();
            for (SandboxRecord sandbox : sandboxes) {
                Long calls = served.remove(sandbox.sandboxId());
                if (calls == null || sandbox.calls() != calls || sandbox.exit() == null) {
                    return "MISMATCH: sandbox " + SandboxIds.format(sandbox.sandboxId()) + " journaled "
                            + sandbox.calls() + " calls, its writer served " + calls;
                }
            }
            return served.isEmpty() ? "ok, " + sandboxes.size() + " sandboxes with every call"
                    : "MISMATCH: sandboxes missing from the journal: " + served.keySet();
        }
    }

    private TrafficListener newListener() throws ReflectiveOperationException {
        Class<?> type = Class.forName(listenerClass);
        if (!TrafficListener.class.isAssignableFrom(type)) {
            fail(listenerClass + " is not a " + TrafficListener.class.getName());
        }
        return (TrafficListener) type.getDeclaredConstructor().newInstance();
    }

    private static long gcCount() {
        long count = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    /** One sandbox's supervisor thread: serves calls as the platform does, as fast as it can. */
    private final class Writer implements Runnable {
        final SyscallGateway gateway;
        final Thread thread;
        private final int pid;
        private final SyscallEvent event = new SyscallEvent();
        private final GuestMemory memory = new FixedStringMemory("/usr/lib/x86_64-linux-gnu/libc.so.6");
        volatile boolean running = true;
        long calls;
        long cpuNanos;

        Writer(SyscallGateway gateway, int pid) {
            this.gateway = gateway;
            this.pid = pid;
            this.thread = Thread.ofPlatform().name("bench-writer-" + pid).unstarted(this);
        }

        /** read, write, getppid, and an openat whose path the shim captures, in turn. */
        @Override
        public void run() {
            long served = 0;
            try (gateway) {
                while (running) {
                    for (int i = 0; i < 256; i++) {
                        int number = switch (i & 3) {
                            case 0 -> NR_READ;
                            case 1 -> NR_WRITE;
                            case 2 -> NR_GETPPID;
                            default -> PathCapturingShim.NR_OPENAT;
                        };
                        event.reset(served, pid, PathCapturingShim.AUDIT_ARCH_X86_64, number, 0x401000);
                        event.arg(0, AT_FDCWD);
                        event.arg(1, 0x7ffd_1234_5000L);
                        gateway.onCall(event, memory);
                        event.result(number == PathCapturingShim.NR_OPENAT ? 3 : 0);
                        event.completed();
                        gateway.onCompletion(event);
                        served++;
                    }
                }
                gateway.onExit(ExitStatus.exited(0), served);
            }
            calls = served;
            cpuNanos = threads.getCurrentThreadCpuTime();
        }
    }

    private static String usage() {
        return """
                usage: bench/observability/events.sh [options]
                  -k, --writers K     writer threads, one sandbox each (default 1)
                  -d, --seconds D     seconds per measured phase (default 10)
                  -w, --warm-up S     seconds of a tapped warm-up phase first, not reported (default 3)
                  -l, --listener CLS  the TrafficListener the tap feeds: a class on the classpath with a public
                                      no-argument constructor, closed after its phase if AutoCloseable
                                      (default dev.meridian.bench.observability.CountingListener)
                  -j, --journal DIR   journal here and keep it (default: a temporary directory, deleted)
                      --keep          keep the temporary journal
                      --no-verify     skip reading each phase's journal back
                Extra classes for --listener: MERIDIAN_BENCH_CLASSPATH=path1:path2 bench/observability/events.sh""";
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static int positiveInt(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw fail(option + ": not a positive whole number: " + value);
    }

    private static double positiveDouble(String option, String value) {
        double d = nonNegativeDouble(option, value);
        if (d == 0) {
            throw fail(option + ": must be more than 0: " + value);
        }
        return d;
    }

    private static double nonNegativeDouble(String option, String value) {
        try {
            double d = Double.parseDouble(value);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw fail(option + ": not a number of seconds: " + value);
    }

    private static IllegalArgumentException fail(String message) {
        System.err.println("events: " + message);
        System.exit(2);
        return new IllegalArgumentException(message);
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
