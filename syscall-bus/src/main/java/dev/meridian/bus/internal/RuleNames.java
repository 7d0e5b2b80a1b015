package dev.meridian.bus.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule names of each sandbox the traffic tap reads, by sandbox id: the table of its start
 * record, replaced by each policy record. Names come out as the same String instance every time
 * (interned across sandboxes up to {@link #MAX_INTERNED} distinct names), so a listener may key
 * counters on them without allocating. Looking a name up allocates nothing; learning a sandbox's
 * table does, once per start or reload. Confined to the tap's thread.
 */
final class RuleNames {

    /** Distinct names shared across sandboxes at most; beyond, each sandbox keeps its own instances. */
    static final int MAX_INTERNED = 4096;
    /**
     * Sandboxes remembered at most. A sandbox is forgotten at its exit record; one that never writes
     * it (a supervisor that died) would stay, so past the bound the table starts over and the
     * sandboxes still running are named again from the journal as their calls come in.
     */
    static final int MAX_SANDBOXES = 1 << 14;

    private static final String[] NO_NAMES = {};

    private final Map<String, String> interned = new HashMap<>();
    /** {@code #id}, the name of a policy rule whose name is not known, made once per id. */
    private final String[] numbered = new String[RecordFormat.MAX_RULE_NAMES];
    // Open addressing with linear probing; a slot is free when its names are null.
    private long[] ids = new long[64];
    private String[][] names = new String[64][];
    private int size;

    /** Whether the names of {@code sandboxId}'s rules are known (possibly as "none"). */
    boolean knows(long sandboxId) {
        return names[find(sandboxId)] != null;
    }

    /** The sandbox's policy is now the one whose rule {@code i} is {@code ruleNames.get(i)}. */
    void learn(long sandboxId, List<String> ruleNames) {
        String[] table = NO_NAMES;
        if (!ruleNames.isEmpty()) {
            table = new String[ruleNames.size()];
            for (int i = 0; i < table.length; i++) {
                table[i] = intern(ruleNames.get(i));
            }
        }
        put(sandboxId, table);
    }

    /** Remembers that the names of {@code sandboxId}'s rules cannot be known: they show by id. */
    void unknown(long sandboxId) {
        put(sandboxId, NO_NAMES);
    }

    void forget(long sandboxId) {
        int slot = find(sandboxId);
        if (names[slot] == null) {
            return;
        }
        names[slot] = null;
        size--;
        // Backward-shift deletion keeps every probe chain unbroken.
        int mask = ids.length - 1;
        int free = slot;
        for (int next = (slot + 1) & mask; names[next] != null; next = (next + 1) & mask) {
            int home = home(ids[next]);
            boolean movable = free <= next ? home <= free || home > next : home <= free && home > next;
            if (movable) {
                ids[free] = ids[next];
                names[free] = names[next];
                names[next] = null;
                free = next;
            }
        }
    }

    /**
     * The name of rule {@code ruleId} of {@code sandboxId}: the policy's, the bus's for ids below
     * -1, {@code #id} when the policy's name is unknown, null for -1 (no rule decided).
     */
    String name(long sandboxId, int ruleId) {
        if (ruleId == BusRules.NONE) {
            return null;
        }
        if (ruleId < BusRules.NONE) {
            String busRule = BusRules.name(ruleId);
            return busRule != null ? busRule : intern("bus/#" + ruleId);
        }
        String[] table = names[find(sandboxId)];
        if (table != null && ruleId < table.length) {
            return table[ruleId];
        }
        return numbered(ruleId);
    }

    int size() {
        return size;
    }

    private String numbered(int ruleId) {
        if (ruleId >= numbered.length) {
            return intern("#" + ruleId);
        }
        String name = numbered[ruleId];
        if (name == null) {
            name = intern("#" + ruleId);
            numbered[ruleId] = name;
        }
        return name;
    }

    private String intern(String name) {
        String known = interned.get(name);
        if (known != null) {
            return known;
        }
        if (interned.size() < MAX_INTERNED) {
            interned.put(name, name);
        }
        return name;
    }

    private void put(long sandboxId, String[] table) {
        int slot = find(sandboxId);
        if (names[slot] == null) {
            if (size >= MAX_SANDBOXES) {
                clear();
                slot = find(sandboxId);
            } else if (2 * (size + 1) > ids.length) {
                grow();
                slot = find(sandboxId);
            }
            size++;
        }
        ids[slot] = sandboxId;
        names[slot] = table;
    }

    private void clear() {
        ids = new long[64];
        names = new String[64][];
        size = 0;
    }

    private void grow() {
        long[] oldIds = ids;
        String[][] oldNames = names;
        ids = new long[2 * oldIds.length];
        names = new String[2 * oldIds.length][];
        for (int i = 0; i < oldIds.length; i++) {
            if (oldNames[i] != null) {
                int slot = find(oldIds[i]);
                ids[slot] = oldIds[i];
                names[slot] = oldNames[i];
            }
        }
    }

    /** The slot holding {@code sandboxId}, or the free slot where it would go. */
    private int find(long sandboxId) {
        int mask = ids.length - 1;
        int slot = home(sandboxId);
        while (names[slot] != null && ids[slot] != sandboxId) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private int home(long sandboxId) {
        long mixed = sandboxId * 0x9E3779B97F4A7C15L;
        return (int) (mixed >>> 40) & (ids.length - 1);
    }
}
