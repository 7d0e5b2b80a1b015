package dev.meridian.observability.internal;

import dev.meridian.api.NorthShim;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * System call names as the shims give them ({@link NorthShim#syscallName}), each turned into a small dense index so
 * counters can sit in arrays. Owned by the tap thread: once an ABI's number was resolved, looking it up again is two
 * array reads and allocates nothing. A number no shim knows is {@value #UNKNOWN}. When the shims change (a shim bundle
 * swapped), {@link #shimsChanged} makes every number be resolved again; indices of names already seen stay.
 */
final class SyscallNames {
    static final String UNKNOWN = "unknown";
    /** Numbers below this are cached per ABI; Linux x86-64 numbers its calls below 512. */
    static final int CACHED_NUMBERS = 1024;

    private final Supplier<? extends Iterable<NorthShim>> shims;
    private final Map<String, Integer> indexByName = new HashMap<>();
    /** By index; replaced (never changed in place) when a name is added, so other threads may read it. */
    private volatile String[] names = new String[0];
    private volatile int shimGeneration;
    private int resolvedGeneration;
    private int[] abis = new int[0];
    /** Per ABI (as in {@link #abis}): index + 1 by number, 0 while unresolved. */
    private int[][] indexPlusOneByNumber = new int[0][];

    SyscallNames(Supplier<? extends Iterable<NorthShim>> shims) {
        this.shims = shims;
        index(UNKNOWN);
    }

    /** Any thread: the shims are not what they were; names are resolved again from the next call on. */
    void shimsChanged() {
        shimGeneration++;
    }

    /** The dense index of the call's name (tap thread). */
    int index(int abi, int number) {
        int generation = shimGeneration;
        if (generation != resolvedGeneration) {
            resolvedGeneration = generation;
            for (int[] cached : indexPlusOneByNumber) {
                Arrays.fill(cached, 0);
            }
        }
        if (number < 0 || number >= CACHED_NUMBERS) {
            return index(resolve(abi, number));
        }
        int[] cached = cacheOf(abi);
        int indexPlusOne = cached[number];
        if (indexPlusOne == 0) {
            indexPlusOne = index(resolve(abi, number)) + 1;
            cached[number] = indexPlusOne;
        }
        return indexPlusOne - 1;
    }

    /** The name of {@code index}; any thread. */
    String name(int index) {
        return names[index];
    }

    private int[] cacheOf(int abi) {
        for (int i = 0; i < abis.length; i++) {
            if (abis[i] == abi) {
                return indexPlusOneByNumber[i];
            }
        }
        abis = Arrays.copyOf(abis, abis.length + 1);
        abis[abis.length - 1] = abi;
        indexPlusOneByNumber = Arrays.copyOf(indexPlusOneByNumber, indexPlusOneByNumber.length + 1);
        indexPlusOneByNumber[indexPlusOneByNumber.length - 1] = new int[CACHED_NUMBERS];
        return indexPlusOneByNumber[indexPlusOneByNumber.length - 1];
    }

    private String resolve(int abi, int number) {
        for (NorthShim shim : shims.get()) {
            if (shim.handles(abi)) {
                String name = shim.syscallName(number);
                if (name != null) {
                    return name;
                }
            }
        }
        return UNKNOWN;
    }

    private int index(String name) {
        Integer index = indexByName.get(name);
        if (index == null) {
            String[] grown = Arrays.copyOf(names, names.length + 1);
            index = names.length;
            grown[index] = name;
            names = grown;
            indexByName.put(name, index);
        }
        return index;
    }
}
