package dev.meridian.bus.internal;

import dev.meridian.api.JournalException;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The syscall bus over Chronicle Queue. North shims are bound dynamically: replacing a shim
 * bundle swaps it under running sandboxes, and a call arriving in the gap waits up to
 * {@code shim.wait.millis} for the new one, then is denied (EPERM, rule {@code bus/no-shim}).
 *
 * <p>Configuration (PID {@code dev.meridian.bus}, the daemon's {@code etc/dev.meridian.bus.cfg}):
 * {@code shim.wait.millis} (default 500), {@code journal.roll.cycle} (default DAILY) and
 * {@code journal.retention} (default 30d), see {@link JournalSettings}. Embedded runs have no Config
 * Admin: the launcher passes the {@code journal.*} keys of {@code etc/dev.meridian.bus.cfg} as
 * framework properties {@code dev.meridian.bus.journal.*}, which stand in for keys Config Admin
 * does not set. While a value does not parse, no journal opens: each attempt fails naming the key,
 * the value and what is allowed (a sandbox cannot run unjournaled).
 *
 * <p>The same component is the bus's {@link TrafficTap} (see {@link ChronicleTrafficTap}): one
 * thread that tails every journal this bus writes and hands each record to the metrics and
 * {@code meridian top}. It reads the journals only, so the guest path is the same with or without
 * subscribers; a slow subscriber makes the tap lag, never a guest wait or the journal lose a record.
 *
 * <p>Immediate: the gateways of running sandboxes hold this instance's shim registry, so it must
 * not be disposed when its last user lets go (e.g. the supervisor restarting while the policy
 * engine is swapped); a new instance would bind the shims and the running sandboxes would wait
 * for ever on an emptied registry.
 */
@Component(service = {SyscallBus.class, TrafficTap.class}, configurationPid = "dev.meridian.bus", immediate = true)
public final class ChronicleSyscallBus implements SyscallBus, TrafficTap {

    /** The component's configuration. */
    public @interface Config {
        /** How long a call waits for a shim serving its ABI before it is denied. */
        long shim_wait_millis() default DEFAULT_SHIM_WAIT_MILLIS;

        /** The cycle new journals roll by; empty: the framework property, else DAILY. */
        String journal_roll_cycle() default "";

        /** How long the files of finished cycles are kept; empty: the framework property, else 30d. */
        String journal_retention() default "";
    }

    /** Framework properties that stand in for unset keys: {@value}{@code KEY}. */
    static final String FRAMEWORK_PROPERTY_PREFIX = "dev.meridian.bus.";

    static final long DEFAULT_SHIM_WAIT_MILLIS = 500;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DRAIN_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleSyscallBus.class);

    private final ShimRegistry shims = new ShimRegistry();
    private final JournalRegistry journals;
    private final ChronicleTrafficTap tap;
    private final Set<ChronicleGateway> gateways = ConcurrentHashMap.newKeySet();
    private volatile long shimWaitNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_SHIM_WAIT_MILLIS);

    public ChronicleSyscallBus() {
        this(new JournalRegistry());
    }

    /** With the journals of {@code journals} (tests: their settings and clock). */
    ChronicleSyscallBus(JournalRegistry journals) {
        this.journals = journals;
        // The tap follows the journals of this registry, so it sees them with its settings (readLimit, damage).
        this.tap = new ChronicleTrafficTap(journals);
    }

    @Activate
    @Modified
    void configure(Config config, BundleContext context) {
        shimWaitMillis(config.shim_wait_millis());
        try {
            journals.settings(JournalSettings.parse(
                    setting(config.journal_roll_cycle(), context, JournalSettings.ROLL_CYCLE_KEY,
                            JournalSettings.DEFAULT_ROLL_CYCLE),
                    setting(config.journal_retention(), context, JournalSettings.RETENTION_KEY,
                            JournalSettings.DEFAULT_RETENTION)));
        } catch (IllegalArgumentException e) {
            // Fail closed where the user sees it: every journal open names the bad setting.
            LOG.error("bus configuration: {}", e.getMessage());
            journals.invalidSettings(e.getMessage());
        }
    }

    private static String setting(String configured, BundleContext context, String key, String fallback) {
        if (!configured.isBlank()) {
            return configured;
        }
        String property = context.getProperty(FRAMEWORK_PROPERTY_PREFIX + key);
        return property != null && !property.isBlank() ? property : fallback;
    }

    @Deactivate
    void deactivate() {
        tap.shutDown();
        journals.closeIdle();
    }

    /** Sets how long a call waits for a shim; gateways opened afterwards use it. */
    void shimWaitMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("shim.wait.millis must not be negative: " + millis);
        }
        shimWaitNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindShim(NorthShim shim) {
        shims.add(shim);
    }

    public void unbindShim(NorthShim shim) {
        shims.remove(shim);
        awaitNoCallIn(shim);
    }

    /**
     * Returns once no gateway is in a call of {@code shim} (bounded): the bundle of an unbound shim
     * is stopped and refreshed right after this returns, and a call still running its code could then
     * fail to load a class and be lost. Calls take microseconds; the bound only guards against a bug.
     */
    private void awaitNoCallIn(NorthShim shim) {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        for (ChronicleGateway gateway : gateways) {
            while (gateway.serving() == shim) {
                if (System.nanoTime() > deadline) {
                    LOG.warn("sandbox {} is still in a call of the unbound shim {} after {} ms",
                            SandboxIds.format(gateway.sandboxId()), shim.personality(),
                            TimeUnit.NANOSECONDS.toMillis(DRAIN_NANOS));
                    return;
                }
                LockSupport.parkNanos(DRAIN_POLL_NANOS);
            }
        }
    }

    @Override
    public SyscallGateway open(Path journalDirectory, long sandboxId, SandboxSpec spec, Policy policy)
            throws JournalException {
        List<String> ruleNames = RecordFormat.ruleNames(policy);
        Journal journal = journals.openForWriting(journalDirectory);
        // The start is written from the opening thread; the gateway's own appender is made later,
        // on the supervisor thread that feeds it calls.
        try (ExcerptAppender appender = journal.queue().createAppender()) {
            try (DocumentContext document = appender.writingDocument()) {
                RecordFormat.writeStart(document.wire().bytes(), sandboxId, System.currentTimeMillis(),
                        spec.policyLabel(), ruleNames, spec.command());
            }
            journal.sandboxStarted(sandboxId, appender.lastIndexAppended());
        } catch (Exception e) { // Chronicle throws some checked exceptions undeclared
            journal.release();
            throw new JournalException("cannot write journal to " + journalDirectory + ": "
                    + RecordScanner.causeOf(e), e);
        }
        JournalRing ring;
        try {
            ring = journal.openRing(sandboxId);
        } catch (IOException | RuntimeException e) {
            journal.sandboxClosed(sandboxId);
            journal.release();
            throw new JournalException("cannot make the in-flight file of sandbox " + SandboxIds.format(sandboxId)
                    + " in journal " + journalDirectory + ": " + RecordScanner.causeOf(e), e);
        }
        return new ChronicleGateway(journal, ring, sandboxId, policy, shims, shimWaitNanos, gateways);
    }

    @Override
    public JournalReader reader(Path journalDirectory) throws JournalException {
        return new ChronicleJournalReader(journals.openForReading(journalDirectory));
    }

    @Override
    public NorthShim shimFor(int abi) {
        return shims.find(abi);
    }

    @Override
    public Subscription subscribe(TrafficListener listener) {
        return tap.subscribe(listener);
    }

    @Override
    public Status status() {
        return tap.status();
    }

    /** The traffic tap's thread while it runs (for tests and benchmarks that measure it), else null. */
    public Thread tapThread() {
        return tap.thread();
    }

    /** Journals with a gateway or reader open on them. */
    int openJournals() {
        return journals.openCount();
    }
}
