package dev.meridian.bus.internal;

/**
 * Rules the bus itself decides by when it must fail closed. Their ids are negative so they never
 * collide with a policy's rule table (ids 0 and up); -1 means "no rule", as in
 * {@link dev.meridian.api.SyscallEvent#ruleId()}.
 */
final class BusRules {

    static final int NONE = -1;
    /** No shim serves the call's ABI (none registered, or a swap did not finish in time). */
    static final int NO_SHIM = -2;
    /** The shim returned without anyone setting a verdict. */
    static final int NO_VERDICT = -3;
    /** The shim or the policy threw. */
    static final int SHIM_FAILED = -4;

    private static final String[] NAMES = {"bus/no-shim", "bus/no-verdict", "bus/shim-failed"};

    private BusRules() {
    }

    /** The name of bus rule {@code ruleId} (below -1), or {@code null} if the bus has no such rule. */
    static String name(int ruleId) {
        int slot = NO_SHIM - ruleId;
        return slot >= 0 && slot < NAMES.length ? NAMES[slot] : null;
    }
}
