package dev.meridian.observability.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongMapTest {

    /** Random puts and removes over a small key space (long probe runs, many deletions) agree with a HashMap. */
    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemoves() {
        LongMap<String> map = new LongMap<>();
        Map<Long, String> expected = new HashMap<>();
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            // Keys colliding in the low bits stress the probing.
            long key = (random.nextInt(300) << 20) | (random.nextBoolean() ? 0 : Long.MIN_VALUE);
            if (random.nextInt(3) == 0) {
                assertEquals(expected.remove(key), map.remove(key));
            } else {
                String value = "v" + i;
                expected.put(key, value);
                map.put(key, value);
            }
            if (i % 1000 == 0) {
                for (long probe = 0; probe < 300; probe++) {
                    assertEquals(expected.get(probe << 20), map.get(probe << 20));
                    assertEquals(expected.get((probe << 20) | Long.MIN_VALUE), map.get((probe << 20) | Long.MIN_VALUE));
                }
                assertEquals(expected.size(), map.size());
            }
        }
        Map<Long, String> iterated = new HashMap<>();
        map.forEach(iterated::put);
        assertEquals(expected, iterated);
    }
}
