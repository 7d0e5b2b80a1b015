package dev.meridian.observability.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One label's values (rules, bundles) mapped to their data points, for at most {@code max} distinct values: what
 * comes after counts under {@value MetricsSettings#OTHER}, so a policy with thousands of rules cannot make thousands
 * of series. A value seen before is found without allocating (a String caches its hash). Not thread-safe.
 */
final class BoundedLabel<P> {
    private final int max;
    private final Function<String, P> dataPoint;
    private final Map<String, P> byValue = new HashMap<>();
    private P other;

    /** @param dataPoint the data point of a label value, called once per value kept and once for the overflow */
    BoundedLabel(int max, Function<String, P> dataPoint) {
        this.max = max;
        this.dataPoint = dataPoint;
    }

    P of(String value) {
        P point = byValue.get(value);
        if (point != null) {
            return point;
        }
        if (byValue.size() < max) {
            point = dataPoint.apply(value);
            byValue.put(value, point);
            return point;
        }
        if (other == null) {
            other = dataPoint.apply(MetricsSettings.OTHER);
        }
        return other;
    }
}
