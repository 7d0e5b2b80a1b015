package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThreadGroupTableTest {

    @Test
    void findsWhatWasPutAndForgetsWhatWasRemoved() {
        ThreadGroupTable table = new ThreadGroupTable(16);
        table.put(100, 100);
        table.put(101, 100);
        table.put(200, 200);
        assertEquals(100, table.get(101));
        assertEquals(200, table.get(200));
        assertEquals(ThreadGroupTable.ABSENT, table.get(300));
        table.remove(101);
        assertEquals(ThreadGroupTable.ABSENT, table.get(101));
        assertEquals(100, table.get(100));
        table.removeGroup(100);
        assertEquals(ThreadGroupTable.ABSENT, table.get(100));
        assertEquals(200, table.get(200));
        assertEquals(1, table.size());
    }

    @Test
    void fullTableStartsOver() {
        ThreadGroupTable table = new ThreadGroupTable(8);
        for (int tid = 1; tid <= 6; tid++) {
            table.put(tid, tid);
        }
        assertEquals(6, table.size());
        table.put(7, 7);
        assertEquals(1, table.size());
        assertEquals(7, table.get(7));
        assertEquals(ThreadGroupTable.ABSENT, table.get(1));
    }

    /** Random operations on a small table (long probe runs, wrap-around) against a HashMap. */
    @Test
    void agreesWithHashMapUnderChurn() {
        Random random = new Random(42);
        ThreadGroupTable table = new ThreadGroupTable(64);
        Map<Integer, Integer> expected = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            int tid = 1 + random.nextInt(80);
            int group = 1 + (tid - 1) / 8 * 8;
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    if (expected.size() == 48 && !expected.containsKey(tid)) {
                        expected.clear();
                    }
                    table.put(tid, group);
                    expected.put(tid, group);
                }
                case 2 -> {
                    table.remove(tid);
                    expected.remove(tid);
                }
                default -> {
                    table.removeGroup(group);
                    expected.values().removeIf(value -> value == group);
                }
            }
            assertEquals(expected.size(), table.size(), "size after step " + step);
            for (int probe = 1; probe <= 80; probe++) {
                assertEquals(expected.getOrDefault(probe, ThreadGroupTable.ABSENT), table.get(probe),
                        "tid " + probe + " after step " + step);
            }
        }
    }
}
