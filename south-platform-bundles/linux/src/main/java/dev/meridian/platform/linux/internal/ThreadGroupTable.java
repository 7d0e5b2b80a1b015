package dev.meridian.platform.linux.internal;

import java.util.Arrays;

/**
 * Thread id to thread-group id, for the tasks of one sandbox: an open-addressing table of
 * primitive ints with linear probing and backward-shift deletion, so lookups, inserts and
 * removals never allocate. Single-threaded (the supervisor thread).
 */
final class ThreadGroupTable {

    /** Marks a free slot; 0 is never a task id. */
    static final int ABSENT = 0;

    private final int[] tids;
    private final int[] tgids;
    private final int mask;
    private final int hashShift;
    private final int maxSize;
    private int size;

    /** @param capacity slots, a power of two; the table holds at most three quarters of that */
    ThreadGroupTable(int capacity) {
        if (capacity < 4 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 4: " + capacity);
        }
        tids = new int[capacity];
        tgids = new int[capacity];
        mask = capacity - 1;
        hashShift = 32 - Integer.numberOfTrailingZeros(capacity);
        maxSize = capacity / 4 * 3;
    }

    int size() {
        return size;
    }

    /** The thread group of {@code tid}, or {@link #ABSENT}. */
    int get(int tid) {
        for (int slot = home(tid); ; slot = (slot + 1) & mask) {
            int key = tids[slot];
            if (key == ABSENT) {
                return ABSENT;
            }
            if (key == tid) {
                return tgids[slot];
            }
        }
    }

    /**
     * Records {@code tid -> tgid}. A full table is emptied first: entries are only a cache of
     * /proc, refilled on the next miss.
     */
    void put(int tid, int tgid) {
        if (tid == ABSENT) {
            throw new IllegalArgumentException("tid 0");
        }
        int slot = home(tid);
        for (; tids[slot] != ABSENT; slot = (slot + 1) & mask) {
            if (tids[slot] == tid) {
                tgids[slot] = tgid;
                return;
            }
        }
        if (size == maxSize) {
            clear();
            slot = home(tid);
        }
        tids[slot] = tid;
        tgids[slot] = tgid;
        size++;
    }

    /** Forgets one thread (it called exit). */
    void remove(int tid) {
        int slot = home(tid);
        while (tids[slot] != tid) {
            if (tids[slot] == ABSENT) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        deleteAt(slot);
    }

    /** Forgets every thread of {@code tgid} (it called exit_group). */
    void removeGroup(int tgid) {
        for (int slot = 0; slot < tids.length; ) {
            if (tids[slot] != ABSENT && tgids[slot] == tgid) {
                // The shift may move a later entry into this slot: look at it again.
                deleteAt(slot);
            } else {
                slot++;
            }
        }
    }

    void clear() {
        Arrays.fill(tids, ABSENT);
        size = 0;
    }

    private int home(int tid) {
        // Fibonacci hashing: tids of one sandbox are often consecutive.
        return (tid * 0x9E3779B9) >>> hashShift;
    }

    /** Empties {@code slot} and moves later entries of its probe run back so lookups still find them. */
    private void deleteAt(int slot) {
        int hole = slot;
        for (int next = (hole + 1) & mask; tids[next] != ABSENT; next = (next + 1) & mask) {
            int wanted = home(tids[next]);
            // Move the entry into the hole unless its home lies cyclically in (hole, next].
            boolean homeBetween = hole <= next ? hole < wanted && wanted <= next : hole < wanted || wanted <= next;
            if (!homeBetween) {
                tids[hole] = tids[next];
                tgids[hole] = tgids[next];
                hole = next;
            }
        }
        tids[hole] = ABSENT;
        size--;
    }
}
