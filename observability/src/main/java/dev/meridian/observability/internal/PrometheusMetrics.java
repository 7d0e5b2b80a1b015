package dev.meridian.observability.internal;

import dev.meridian.api.BundleManager;
import dev.meridian.api.BundleSwapListener;
import dev.meridian.api.MetricsExporter;
import dev.meridian.api.SandboxInfo;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SandboxState;
import dev.meridian.api.TrafficTap;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The Prometheus metrics of docs/observability.md, as the {@link MetricsExporter} the control API serves on
 * {@code /metrics} and {@code meridian run --metrics-port} on its own port. Counts what a {@link TrafficTap} delivers
 * ({@link TrafficMetrics}) and the bundle manager's deploys ({@link SwapMetrics}, as a {@link BundleSwapListener} of
 * its whiteboard); reads the tap's status, the sandbox manager and the JVM when scraped.
 *
 * <p>A delayed component: it activates, subscribes to the tap and registers the JVM metrics only once someone gets
 * the exporter (the daemon's control API, a run with {@code --metrics-port}), so an embedded run without metrics pays
 * for nothing but its bundle's start. Every reference is optional and dynamic: a bus, shim or supervisor bundle being
 * replaced never takes the metrics away. A change of configuration re-activates it, starting the counts from zero.
 */
@Component(service = {MetricsExporter.class, BundleSwapListener.class}, configurationPid = MetricsSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class PrometheusMetrics extends TapComponent implements MetricsExporter, BundleSwapListener {

    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SandboxManager sandboxes;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL)
    private Logger logger;

    private PrometheusRegistry registry;
    private volatile SwapMetrics swaps;

    @Activate
    void activate(Map<String, Object> properties) {
        MetricsSettings settings = MetricsSettings.from(properties);
        registry = new PrometheusRegistry();
        TrafficMetrics traffic = new TrafficMetrics(registry, settings, names);
        swaps = new SwapMetrics(registry, settings);
        registerSandboxStates(traffic);
        registerBusStatus();
        registerJvm(registry);
        subscription.start(traffic);
        if (logger != null) {
            logger.info("metrics: counting from the traffic tap ({})", settings.describe());
        }
    }

    @Deactivate
    void deactivate() {
        subscription.stop();
    }

    // ---- MetricsExporter

    @Override
    public String contentType(String acceptHeader) {
        return writer(acceptHeader).getContentType();
    }

    @Override
    public void write(String acceptHeader, OutputStream out) throws IOException {
        writer(acceptHeader).write(out, registry.scrape());
    }

    /** OpenMetrics when the scraper accepts it (as Prometheus itself asks), else the text format 0.0.4. */
    static ExpositionFormatWriter writer(String acceptHeader) {
        return OPEN_METRICS.accepts(acceptHeader) ? OPEN_METRICS : TEXT;
    }

    // ---- BundleSwapListener

    @Override
    public void deployed(String symbolicName, BundleManager.Action action, long swapNanos) {
        swaps.deployed(symbolicName, action, swapNanos);
    }

    @Override
    public void rejected(String symbolicName, String reason) {
        swaps.rejected(symbolicName, reason);
    }

    // ---- read when scraped

    /**
     * {@code meridian_sandboxes{state}}: the sandbox manager's list (running ones and the finished ones it retains);
     * while no manager runs, what the tap saw start and end (every end counted as exited).
     */
    private void registerSandboxStates(TrafficMetrics traffic) {
        GaugeWithCallback.builder().name("meridian_sandboxes")
                .help("Sandboxes by state (the finished ones the daemon retains)").labelNames("state")
                .callback(callback -> {
                    Map<SandboxState, Long> counts = new EnumMap<>(SandboxState.class);
                    SandboxManager manager = sandboxes;
                    if (manager != null) {
                        for (SandboxInfo sandbox : manager.list(true)) {
                            counts.merge(sandbox.state(), 1L, Long::sum);
                        }
                    } else {
                        counts.put(SandboxState.RUNNING, traffic.running());
                        counts.put(SandboxState.EXITED, traffic.ended());
                    }
                    for (SandboxState state : SandboxState.values()) {
                        callback.call(counts.getOrDefault(state, 0L), state.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
    }

    /** The tap's own account (read from it at each scrape); absent while no tap runs. */
    private void registerBusStatus() {
        busCounter("meridian_bus_events_total", "Journal records the traffic tap delivered (a call and its "
                + "completion are two)", status -> status.deliveredRecords());
        busCounter("meridian_bus_events_lost_total", "Journal records the traffic tap could not deliver; stays 0",
                status -> status.lostRecords());
        busGauge("meridian_bus_lag_events", "Records journaled, not yet delivered by the traffic tap", null,
                status -> status.lagRecords());
        busGauge("meridian_bus_lag_seconds", "Age of the oldest record the traffic tap has not delivered yet", null,
                TrafficTap.Status::lagSeconds);
        busGauge("meridian_journal_size_bytes", "Size on disk of the journals the traffic tap follows", Unit.BYTES,
                status -> status.journalBytes());
    }

    private void busCounter(String name, String help, ToDoubleFunction<TrafficTap.Status> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(callback -> withStatus(status -> callback.call(value.applyAsDouble(status))))
                .register(registry);
    }

    private void busGauge(String name, String help, Unit unit, ToDoubleFunction<TrafficTap.Status> value) {
        GaugeWithCallback.Builder gauge = GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> withStatus(status -> callback.call(value.applyAsDouble(status))));
        if (unit != null) {
            gauge.unit(unit);
        }
        gauge.register(registry);
    }

    private void withStatus(Consumer<TrafficTap.Status> use) {
        TrafficTap tap = subscription.current();
        if (tap != null) {
            use.accept(tap.status());
        }
    }

    /**
     * The client's JVM and process metrics, one by one rather than through JvmMetrics, which remembers every registry
     * in a static set. Left out: the per-pool allocation counters, whose GC listeners would outlive this component
     * (and keep its bundle's class loader) after an update.
     */
    private static void registerJvm(PrometheusRegistry registry) {
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmNativeMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }
}
