package dev.meridian.observability.internal;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.VerdictAction;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.List;

/**
 * The call families of docs/observability.md, counted from a {@link dev.meridian.api.TrafficTap}:
 * {@code meridian_syscalls_total}, {@code meridian_syscall_duration_seconds}, {@code meridian_policy_denials_total},
 * {@code meridian_sandboxes_started_total}, and the sandboxes by state as the tap saw them start and end (what
 * {@code meridian_sandboxes} shows while no sandbox manager runs).
 *
 * <p>Runs on the tap's thread and allocates nothing per call once warm: syscall names come from {@link SyscallNames},
 * each (name, verdict) data point is looked up once and kept in an array, the rule's in a {@link BoundedLabel}, a
 * sandbox's series in a {@link LongMap}. Allocation happens when something is seen for the first time (a syscall, a
 * rule, a sandbox).
 */
final class TrafficMetrics implements TrafficListener {

    /** Label values of {@code verdict}: {@link VerdictAction} by ordinal, then a call whose completion had none. */
    static final List<String> VERDICTS = List.of("allow", "deny", "emulate", "kill", "none");
    private static final int NO_VERDICT = 4;
    static final String NO_RULE = "none";
    /** Supervisor latency, receipt to answer: a few microseconds for a decision, more for emulation and swaps. */
    static final double[] DURATION_BUCKETS = {2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
        1e-2, 0.1, 1};

    private final MetricsSettings settings;
    private final SyscallNames names;
    private final Counter syscalls;
    private final SingleWriterHistogram duration;
    private final Counter started;
    private final BoundedLabel<CounterDataPoint> denials;

    /** Without per-sandbox labels, the one set of series; with them, the series of sandboxes over the bound. */
    private final Series shared;
    private final LongMap<Series> seriesBySandbox = new LongMap<>();
    private int ownSeries;
    private long lastSandbox;
    private Series lastSeries;
    private long finishOrder;

    /** Sandboxes as the tap saw them; written by the tap thread only. */
    private volatile long running;
    private volatile long ended;

    TrafficMetrics(PrometheusRegistry registry, MetricsSettings settings, SyscallNames names) {
        this.settings = settings;
        this.names = names;
        String[] callLabels = settings.perSandbox() ? new String[] {"sandbox", "syscall", "verdict"}
                : new String[] {"syscall", "verdict"};
        syscalls = Counter.builder().name("meridian_syscalls_total")
                .help("System calls the supervisor answered, by call and verdict")
                .labelNames(callLabels).withoutExemplars().register(registry);
        duration = new SingleWriterHistogram("meridian_syscall_duration_seconds",
                "Supervisor latency of a call, from its receipt to its answer",
                settings.perSandbox() ? "sandbox" : null, DURATION_BUCKETS);
        registry.register(duration);
        Counter denialFamily = Counter.builder().name("meridian_policy_denials_total")
                .help("Calls denied, or the sandbox killed for, by the deciding rule")
                .labelNames("rule").withoutExemplars().register(registry);
        denials = new BoundedLabel<>(settings.maxRules(), denialFamily::labelValues);
        started = Counter.builder().name("meridian_sandboxes_started_total")
                .help("Sandbox start records read from the journal").withoutExemplars().register(registry);
        shared = new Series(settings.perSandbox() ? MetricsSettings.OTHER : null);
    }

    @Override
    public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
        started.inc();
        running = running + 1;
        if (settings.perSandbox() && seriesBySandbox.get(sandboxId) == null) {
            seriesBySandbox.put(sandboxId, newSeries(sandboxId));
        }
    }

    @Override
    public void callCompleted(CompletedCall call) {
        Series series = seriesOf(call.sandboxId());
        int syscall = names.index(call.abi(), call.number());
        VerdictAction action = call.action();
        int verdict = action == null ? NO_VERDICT : action.ordinal();
        series.calls(syscall, verdict).inc();
        series.duration().observe(call.latencyNanos() / 1e9);
        if (action == VerdictAction.DENY || action == VerdictAction.KILL) {
            denials.of(call.rule() == null ? NO_RULE : call.rule()).inc();
        }
    }

    @Override
    public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
        running = Math.max(0, running - 1);
        ended = ended + 1;
        if (!settings.perSandbox()) {
            return;
        }
        Series series = seriesBySandbox.get(sandboxId);
        if (series == shared) {
            seriesBySandbox.remove(sandboxId);
        } else if (series != null) {
            series.finished = ++finishOrder;
        }
        if (lastSandbox == sandboxId) {
            lastSeries = null;
        }
    }

    /** Sandboxes started and not ended, as the tap saw them. */
    long running() {
        return running;
    }

    /** Sandboxes that ended, as the tap saw them. */
    long ended() {
        return ended;
    }

    private Series seriesOf(long sandboxId) {
        if (!settings.perSandbox()) {
            return shared;
        }
        if (lastSeries != null && lastSandbox == sandboxId) {
            return lastSeries;
        }
        Series series = seriesBySandbox.get(sandboxId);
        if (series == null) {
            // Its start was journaled before the tap subscribed.
            series = newSeries(sandboxId);
            seriesBySandbox.put(sandboxId, series);
        }
        lastSandbox = sandboxId;
        lastSeries = series;
        return series;
    }

    /**
     * Series of its own for a new sandbox while fewer than the bound have them; else the place of the sandbox that
     * finished first, whose series go; else the shared {@code other} series.
     */
    private Series newSeries(long sandboxId) {
        if (ownSeries < settings.maxSandboxes()) {
            ownSeries++;
            return new Series(SandboxIds.format(sandboxId));
        }
        long[] oldest = {0, Long.MAX_VALUE};
        seriesBySandbox.forEach((id, series) -> {
            if (series != shared && series.finished != 0 && series.finished < oldest[1]) {
                oldest[0] = id;
                oldest[1] = series.finished;
            }
        });
        if (oldest[1] == Long.MAX_VALUE) {
            return shared;
        }
        Series gone = seriesBySandbox.remove(oldest[0]);
        syscalls.removeIf(labels -> labels.getFirst().equals(gone.sandboxLabel));
        duration.remove(gone.sandboxLabel);
        if (lastSeries == gone) {
            lastSeries = null;
        }
        return new Series(SandboxIds.format(sandboxId));
    }

    /** One sandbox's data points (or all sandboxes', without per-sandbox labels), looked up once each. */
    private final class Series {
        final String sandboxLabel;
        private CounterDataPoint[] calls = new CounterDataPoint[64 * VERDICTS.size()];
        private SingleWriterHistogram.DataPoint duration;
        /** Order of its end among ended sandboxes; 0 while running. */
        long finished;

        Series(String sandboxLabel) {
            this.sandboxLabel = sandboxLabel;
        }

        CounterDataPoint calls(int syscall, int verdict) {
            int slot = syscall * VERDICTS.size() + verdict;
            if (slot >= calls.length) {
                calls = Arrays.copyOf(calls, Math.max(calls.length * 2, slot + VERDICTS.size()));
            }
            CounterDataPoint point = calls[slot];
            if (point == null) {
                String name = names.name(syscall);
                point = sandboxLabel == null ? syscalls.labelValues(name, VERDICTS.get(verdict))
                        : syscalls.labelValues(sandboxLabel, name, VERDICTS.get(verdict));
                calls[slot] = point;
            }
            return point;
        }

        SingleWriterHistogram.DataPoint duration() {
            if (duration == null) {
                duration = TrafficMetrics.this.duration.labelValue(sandboxLabel);
            }
            return duration;
        }
    }
}
