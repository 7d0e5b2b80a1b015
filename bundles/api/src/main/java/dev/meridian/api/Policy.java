package dev.meridian.api;

/**
 * A loaded, immutable policy. {@link #decide} runs on the guest path for every notified call:
 * it must not allocate, lock or log.
 */
public interface Policy {

    /** The profile or file this policy came from, e.g. {@code trace}. */
    String name();

    /**
     * Sets the verdict on {@code call} with {@link SyscallEvent#verdict}. The shim has already
     * captured the call's memory arguments; a rule that reads them must mark the verdict
     * memory-dependent.
     */
    void decide(SyscallEvent call);

    /**
     * The id of rule {@code ruleId} as written in the policy, e.g. {@code trace/allow-all}; rule
     * ids are dense from 0, and this returns {@code null} past the last rule.
     */
    String ruleName(int ruleId);
}
