package dev.meridian.api;

/**
 * What the supervisor does with one notified system call. The ordinal is part of the journal's
 * wire format: append new actions at the end only.
 */
public enum VerdictAction {
    /** Let the call run in the host kernel as the guest issued it. */
    ALLOW,
    /** Fail the call with {@link SyscallEvent#errno()} without running it. */
    DENY,
    /** The supervisor performed the call itself; {@link SyscallEvent#returnValue()} is the answer. */
    EMULATE,
    /** Kill the whole sandbox. */
    KILL;

    private static final VerdictAction[] VALUES = values();

    public static VerdictAction ofOrdinal(int ordinal) {
        if (ordinal < 0 || ordinal >= VALUES.length) {
            throw new IllegalArgumentException("unknown verdict action " + ordinal);
        }
        return VALUES[ordinal];
    }
}
