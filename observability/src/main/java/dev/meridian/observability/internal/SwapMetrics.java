package dev.meridian.observability.internal;

import dev.meridian.api.BundleManager;
import dev.meridian.api.BundleSwapListener;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;

/**
 * {@code meridian_bundle_swaps_total{bundle,outcome}} and {@code meridian_bundle_swap_stall_seconds{bundle}}, told by
 * the bundle manager on its deploying thread (synchronized: the API and the deploy directory both deploy, and the
 * stall histogram takes one writer at a time).
 */
final class SwapMetrics implements BundleSwapListener {
    static final String REJECTED = "rejected";
    /** From a quick swap to a call waiting out the bus's shim wait (500 ms by default) and beyond. */
    static final double[] STALL_BUCKETS = {1e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1, 5};

    private final Counter swaps;
    private final SingleWriterHistogram stalls;
    private final BoundedLabel<String> bundles;

    SwapMetrics(PrometheusRegistry registry, MetricsSettings settings) {
        swaps = Counter.builder().name("meridian_bundle_swaps_total")
                .help("Bundle deploys, by bundle and outcome (installed, updated, unchanged, rejected)")
                .labelNames("bundle", "outcome").withoutExemplars().register(registry);
        stalls = new SingleWriterHistogram("meridian_bundle_swap_stall_seconds",
                "How long a bundle's services were away while it was updated", "bundle", STALL_BUCKETS);
        registry.register(stalls);
        // The label value each bundle counts under: its name, or "other" past the bound.
        bundles = new BoundedLabel<>(settings.maxBundles(), name -> name);
    }

    @Override
    public synchronized void deployed(String symbolicName, BundleManager.Action action, long swapNanos) {
        String bundle = bundles.of(symbolicName);
        counter(bundle, action.name().toLowerCase(Locale.ROOT)).inc();
        if (action == BundleManager.Action.UPDATED) {
            stalls.labelValue(bundle).observe(swapNanos / 1e9);
        }
    }

    @Override
    public synchronized void rejected(String symbolicName, String reason) {
        counter(bundles.of(symbolicName), REJECTED).inc();
    }

    private CounterDataPoint counter(String bundle, String outcome) {
        return swaps.labelValues(bundle, outcome);
    }
}
