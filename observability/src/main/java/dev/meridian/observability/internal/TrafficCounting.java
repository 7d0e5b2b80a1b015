package dev.meridian.observability.internal;

import dev.meridian.api.TrafficCounters;
import dev.meridian.api.TrafficTap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * {@link TrafficCounters} for {@code meridian top} (through the control API's {@code GET /v1/traffic}): a listener of
 * the {@link TrafficTap} counting calls per sandbox and syscall ({@link CallCounts}). Delayed like the metrics: it
 * counts only once someone gets the service (the daemon's control API).
 */
@Component(service = TrafficCounters.class)
public final class TrafficCounting extends TapComponent implements TrafficCounters {
    /** Finished sandboxes kept besides the running ones: the last that ended, for a view that refreshes. */
    static final int RETAINED_FINISHED = 32;

    private volatile CallCounts counts;

    @Activate
    void activate() {
        counts = new CallCounts(names, RETAINED_FINISHED);
        subscription.start(counts);
    }

    @Deactivate
    void deactivate() {
        subscription.stop();
    }

    @Override
    public Snapshot snapshot() {
        return counts.snapshot();
    }
}
