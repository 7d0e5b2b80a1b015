package dev.meridian.bus.internal;

import dev.meridian.api.NorthShim;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The shims currently bound, as an immutable array swapped on every bind and unbind: the guest
 * path reads one volatile field and scans a few entries, with no lock and no allocation, while a
 * shim bundle is replaced under it.
 */
final class ShimRegistry {

    /** How long a call without a shim sleeps between looks while a swap may be under way. */
    private static final long RECHECK_NANOS = 100_000;

    private volatile NorthShim[] shims = new NorthShim[0];

    /** Adds {@code shim} ahead of the others, so a newer shim for an ABI wins while both are bound. */
    synchronized void add(NorthShim shim) {
        NorthShim[] current = shims;
        NorthShim[] next = new NorthShim[current.length + 1];
        next[0] = shim;
        System.arraycopy(current, 0, next, 1, current.length);
        shims = next;
    }

    synchronized void remove(NorthShim shim) {
        NorthShim[] current = shims;
        for (int i = 0; i < current.length; i++) {
            if (current[i] == shim) {
                NorthShim[] next = Arrays.copyOf(current, current.length - 1);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                shims = next;
                return;
            }
        }
    }

    /** Whether {@code shim} is still bound (not unbound since a caller found it). */
    boolean isBound(NorthShim shim) {
        for (NorthShim bound : shims) {
            if (bound == shim) {
                return true;
            }
        }
        return false;
    }

    /** The shim serving {@code abi}, or {@code null}. */
    NorthShim find(int abi) {
        for (NorthShim shim : shims) {
            if (shim.handles(abi)) {
                return shim;
            }
        }
        return null;
    }

    /**
     * The shim serving {@code abi}, waiting up to {@code waitNanos} for one to be bound (a shim
     * bundle being replaced leaves a gap between the old one's unbind and the new one's bind).
     *
     * @return the shim, or {@code null} if none appeared in time
     */
    NorthShim await(int abi, long waitNanos) {
        NorthShim shim = find(abi);
        if (shim != null || waitNanos <= 0) {
            return shim;
        }
        long deadline = System.nanoTime() + waitNanos;
        do {
            LockSupport.parkNanos(RECHECK_NANOS);
            shim = find(abi);
        } while (shim == null && System.nanoTime() - deadline < 0);
        return shim;
    }
}
