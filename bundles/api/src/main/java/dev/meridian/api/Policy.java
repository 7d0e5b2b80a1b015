package dev.meridian.api;

import java.util.List;

/**
 * A loaded, compiled, immutable policy. Its rules are placed in layers (design §2): what the
 * kernel can hold is in {@link #confinement()}; the rest is decided here, on the calls the
 * confinement's filter notifies. {@link #decide} and {@link #decideResolvedPath} run on the
 * guest path: they must not allocate, lock or log.
 */
public interface Policy {

    /** The profiles and files this policy came from, e.g. {@code default+app.yaml}. */
    String name();

    /** The kernel layers: installed by the platform before the guest's first instruction. */
    Confinement confinement();

    /**
     * Every rule with the layer that enforces it and why: what {@code policy explain} shows.
     * None by default, for policies that explain nothing (test and benchmark policies).
     */
    default List<RulePlacement> placements() {
        return List.of();
    }

    /**
     * Sets the verdict on a notified {@code call} with {@link SyscallEvent#verdict}. The shim has
     * already captured the call's memory arguments; a rule that reads them marks the verdict
     * memory-dependent. A call whose decision needs the canonical path of what it opens gets
     * {@link VerdictAction#EMULATE}: the platform resolves the path itself and asks
     * {@link #decideResolvedPath}.
     */
    void decide(SyscallEvent call);

    /**
     * Decides an {@link VerdictAction#EMULATE} call on what the platform resolved: {@code path}
     * is the canonical absolute path (UTF-8, {@code length} bytes) in the sandbox's view of the
     * object the call would open or create, {@code access} the {@link FileAccess#bit()}s the call
     * needs. Sets {@link VerdictAction#ALLOW} (the platform then performs the call itself) or a
     * denial, always memory-dependent. A policy that never answers EMULATE is never asked; if it
     * is anyway, the default fails closed: EPERM by rule {@code ruleId} of the first verdict.
     */
    default void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
        call.verdict(VerdictAction.DENY, 1 /* EPERM */, call.ruleId(), true);
    }

    /**
     * The id of rule {@code ruleId} as written in the policy, e.g. {@code trace/allow-all}; rule
     * ids are dense from 0, and this returns {@code null} past the last rule.
     */
    String ruleName(int ruleId);
}
