package dev.meridian.observability.internal;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.TrafficListener;
import dev.meridian.shim.linux.x86_64.internal.LinuxX86_64Shim;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The observability bundle's metrics listener for {@code bench/observability/events.sh --listener}: the
 * {@link TrafficMetrics} its component feeds from the tap, with the real Prometheus registry and the Linux x86-64
 * shim's names, outside OSGi. In the bundle's package because the bundle keeps these classes internal. Its summary is
 * what a scrape at the end of the phase says.
 */
public final class BenchMetricsListener implements TrafficListener {
    private static final Pattern CALLS = Pattern.compile("(?m)^meridian_syscalls_total\\{[^}]*} (\\S+)$");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final TrafficMetrics metrics = new TrafficMetrics(registry, MetricsSettings.DEFAULTS,
            new SyscallNames(() -> List.of(new LinuxX86_64Shim())));

    @Override
    public void sandboxStarted(long sandboxId, long wallClockMillis, String policy, List<String> command) {
        metrics.sandboxStarted(sandboxId, wallClockMillis, policy, command);
    }

    @Override
    public void callCompleted(CompletedCall call) {
        metrics.callCompleted(call);
    }

    @Override
    public void sandboxExited(long sandboxId, long wallClockMillis, ExitStatus status) {
        metrics.sandboxExited(sandboxId, wallClockMillis, status);
    }

    /** The calls meridian_syscalls_total counted, and the size of the exposition, from a scrape now. */
    @Override
    public String toString() {
        ByteArrayOutputStream exposition = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(exposition, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = exposition.toString(StandardCharsets.UTF_8);
        double calls = 0;
        for (Matcher matcher = CALLS.matcher(text); matcher.find(); ) {
            calls += Double.parseDouble(matcher.group(1));
        }
        return String.format(java.util.Locale.ROOT, "Prometheus metrics: meridian_syscalls_total sums to %.0f calls "
                + "(%d bytes of exposition)", calls, exposition.size());
    }
}
