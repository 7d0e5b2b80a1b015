package dev.meridian.bench.bus;

import dev.meridian.api.Confinement;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;

/** Allows every call by its one rule, {@code bench/allow-all}: the policy's cost is nil. */
public final class AllowAllPolicy implements Policy {

    @Override
    public String name() {
        return "allow-all";
    }

    @Override
    public void decide(SyscallEvent call) {
        call.verdict(VerdictAction.ALLOW, 0, 0, call.captureMask() != 0);
    }

    @Override
    public String ruleName(int ruleId) {
        return ruleId == 0 ? "bench/allow-all" : null;
    }

    @Override
    public Confinement confinement() {
        return Confinement.superviseEverything(PathCapturingShim.AUDIT_ARCH_X86_64);
    }
}
