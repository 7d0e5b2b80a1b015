package dev.meridian.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Percentiles from the buckets against the exact nearest-rank values of the same data. */
class LatencyHistogramTest {

    @Test
    void percentilesAreNeverBelowAndAtMostAQuarterPercentAboveTheExactValue() {
        SplittableRandom random = new SplittableRandom(42);
        for (int run = 0; run < 20; run++) {
            int n = 1 + random.nextInt(50_000);
            long[] values = new long[n];
            LatencyHistogram histogram = new LatencyHistogram();
            for (int i = 0; i < n; i++) {
                // Log-uniform from 1 ns to ~100 s, like supervisor latencies with a long tail.
                values[i] = (long) Math.exp(random.nextDouble() * Math.log(1e11));
                histogram.record(values[i]);
            }
            Arrays.sort(values);
            for (double p : new double[] {0.1, 50, 90, 99, 99.9, 100}) {
                long exact = values[(int) Math.max(0, Math.ceil(p / 100 * n) - 1)];
                long reported = histogram.percentile(p);
                assertTrue(reported >= exact && reported <= exact + exact / 256,
                        "p" + p + " of " + n + ": exact " + exact + ", reported " + reported);
            }
            assertEquals(values[n - 1], histogram.max());
            assertEquals(n, histogram.count());
        }
    }

    @Test
    void smallValuesAreExactAndBucketsTileTheRange() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long v = 1; v <= 100; v++) {
            histogram.record(v);
        }
        assertEquals(50, histogram.percentile(50));
        assertEquals(90, histogram.percentile(90));
        assertEquals(100, histogram.percentile(100));
        for (int index = 0; index < 14_335; index++) {
            assertEquals(index + 1, LatencyHistogram.indexOf(LatencyHistogram.highestOf(index) + 1),
                    "bucket " + index + " ends where the next begins");
        }
        assertEquals(14_335, LatencyHistogram.indexOf(Long.MAX_VALUE));
    }
}
