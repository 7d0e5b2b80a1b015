package dev.meridian.cli.internal;

import java.util.Arrays;

/**
 * Latencies of one system call, in bounded memory: log-linear buckets in the manner of HdrHistogram,
 * {@value #SUB_BUCKETS} per power of two. Values below {@code 2 * SUB_BUCKETS} ns are exact; above,
 * a bucket spans less than 1/{@value #SUB_BUCKETS} of its values, so a percentile is reported as the
 * highest value of its bucket (capped at the maximum) and is at most 0.4% above the exact one, never
 * below it. The count and the maximum are exact. The array grows only to the largest bucket used:
 * 512 + 256 longs per doubling, at most 14,336 (112 KiB) whatever the number of calls.
 */
final class LatencyHistogram {

    static final int SUB_BUCKETS = 256;
    private static final int SUB_BUCKET_BITS = 8;

    private long[] counts = new long[2 * SUB_BUCKETS];
    private long total;
    private long max;

    void record(long nanos) {
        long value = Math.max(0, nanos);
        int index = indexOf(value);
        if (index >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(index + 1, counts.length + SUB_BUCKETS));
        }
        counts[index]++;
        total++;
        max = Math.max(max, value);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /**
     * The value at {@code percentile} (0-100] by nearest rank: the smallest recorded value that at
     * least {@code percentile}% of the values are at or below, to the bucket's precision.
     */
    long percentile(double percentile) {
        if (total == 0) {
            throw new IllegalStateException("no values");
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100 * total));
        long seen = 0;
        for (int index = 0; index < counts.length; index++) {
            seen += counts[index];
            if (seen >= rank) {
                return Math.min(highestOf(index), max);
            }
        }
        return max;
    }

    static int indexOf(long value) {
        if (value < 2 * SUB_BUCKETS) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BUCKET_BITS;
        return (int) (SUB_BUCKETS * shift + (value >>> shift));
    }

    /** The highest value that falls in bucket {@code index}. */
    static long highestOf(int index) {
        if (index < 2 * SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        long lowest = (long) (index - SUB_BUCKETS * shift) << shift;
        return lowest + (1L << shift) - 1;
    }
}
