package dev.meridian.shim.linux.x86_64.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;

/** Allows every call and counts the decisions; allocates nothing. */
class AllowingPolicy implements Policy {
    private long decisions;

    long decisions() {
        return decisions;
    }

    @Override
    public String name() {
        return "test/allow";
    }

    @Override
    public void decide(SyscallEvent call) {
        decisions++;
        call.verdict(VerdictAction.ALLOW, 0, 0, false);
    }

    @Override
    public String ruleName(int ruleId) {
        return "test/allow-all";
    }

    @Override
    public Confinement confinement() {
        return Confinement.superviseEverything(0xC000003E);
    }
}
