package dev.meridian.policy.internal;

import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;

/**
 * The {@code trace} profile: allow everything, see everything. Its one rule decides on the
 * system call alone, never on guest memory, so the platform may let each call continue.
 */
final class TraceProfile implements Policy {

    static final String NAME = "trace";
    static final String ALLOW_ALL = "trace/allow-all";
    private static final int ALLOW_ALL_ID = 0;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void decide(SyscallEvent call) {
        call.verdict(VerdictAction.ALLOW, 0, ALLOW_ALL_ID, false);
    }

    @Override
    public String ruleName(int ruleId) {
        return ruleId == ALLOW_ALL_ID ? ALLOW_ALL : null;
    }
}
