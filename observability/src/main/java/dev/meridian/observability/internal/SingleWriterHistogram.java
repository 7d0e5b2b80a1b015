package dev.meridian.observability.internal;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A classic Prometheus histogram (fixed buckets) with at most one label, for values observed by one thread at a time.
 * The client's own Histogram (1.10) allocates a lambda per observation; this one allocates nothing once a label value's
 * data point exists: bucket counts and the sum are single-writer slots published with release stores, read by the
 * scraping thread.
 */
final class SingleWriterHistogram implements Collector {
    private final MetricMetadata metadata;
    private final String labelName;
    private final double[] upperBounds;
    private final Map<String, DataPoint> dataPoints = new ConcurrentHashMap<>();

    /** @param labelName the one label, or null for none */
    SingleWriterHistogram(String name, String help, String labelName, double[] upperBounds) {
        this.metadata = new MetricMetadata(name, help, Unit.SECONDS);
        this.labelName = labelName;
        this.upperBounds = Arrays.copyOf(upperBounds, upperBounds.length + 1);
        this.upperBounds[upperBounds.length] = Double.POSITIVE_INFINITY;
    }

    /** The data point of {@code labelValue} (ignored without a label), made on first use. */
    DataPoint labelValue(String labelValue) {
        return dataPoints.computeIfAbsent(labelName == null ? "" : labelValue, value -> new DataPoint());
    }

    /** Drops the data point of {@code labelValue}: its series leave the exposition. */
    void remove(String labelValue) {
        dataPoints.remove(labelValue);
    }

    @Override
    public MetricSnapshot collect() {
        List<HistogramSnapshot.HistogramDataPointSnapshot> snapshots = new ArrayList<>(dataPoints.size());
        dataPoints.forEach((value, point) -> snapshots.add(point.snapshot(
                labelName == null ? Labels.EMPTY : Labels.of(labelName, value))));
        return new HistogramSnapshot(metadata, snapshots);
    }

    @Override
    public String getPrometheusName() {
        return metadata.getPrometheusName();
    }

    @Override
    public MetricType getMetricType() {
        return MetricType.HISTOGRAM;
    }

    @Override
    public Set<String> getLabelNames() {
        return labelName == null ? Set.of() : Set.of(labelName);
    }

    @Override
    public MetricMetadata getMetadata() {
        return metadata;
    }

    /** One label value's buckets and sum. */
    final class DataPoint {
        private final AtomicLongArray counts = new AtomicLongArray(upperBounds.length);
        private final AtomicLong sumBits = new AtomicLong(Double.doubleToRawLongBits(0));

        /** Records {@code value}; one thread at a time. */
        void observe(double value) {
            int bucket = 0;
            while (value > upperBounds[bucket]) {
                bucket++;
            }
            counts.setRelease(bucket, counts.getPlain(bucket) + 1);
            sumBits.setRelease(Double.doubleToRawLongBits(Double.longBitsToDouble(sumBits.getPlain()) + value));
        }

        HistogramSnapshot.HistogramDataPointSnapshot snapshot(Labels labels) {
            long[] bucketCounts = new long[upperBounds.length];
            for (int i = 0; i < bucketCounts.length; i++) {
                bucketCounts[i] = counts.getAcquire(i);
            }
            return new HistogramSnapshot.HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(upperBounds, bucketCounts),
                    Double.longBitsToDouble(sumBits.getAcquire()), labels, Exemplars.EMPTY, 0);
        }
    }
}
