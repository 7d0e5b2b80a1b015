package dev.meridian.policy.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.Policy;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.List;

/**
 * The {@code trace} profile: allow everything, see everything. Its one rule decides on the
 * system call alone, never on guest memory, so the platform may let each call continue.
 */
final class TraceProfile implements Policy {

    static final String NAME = "trace";
    static final String ALLOW_ALL = "trace/allow-all";
    private static final int ALLOW_ALL_ID = 0;
    private static final Confinement CONFINEMENT =
            Confinement.superviseEverything(LinuxX86_64Syscalls.AUDIT_ARCH_X86_64);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Confinement confinement() {
        return CONFINEMENT;
    }

    @Override
    public List<RulePlacement> placements() {
        return List.of(new RulePlacement(ALLOW_ALL, RulePlacement.Layer.SUPERVISOR,
                "every call is notified so that it is journaled; the supervisor lets each continue"));
    }

    @Override
    public void decide(SyscallEvent call) {
        call.verdict(VerdictAction.ALLOW, 0, ALLOW_ALL_ID, false);
    }

    @Override
    public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
        call.verdict(VerdictAction.ALLOW, 0, ALLOW_ALL_ID, true);
    }

    @Override
    public String ruleName(int ruleId) {
        return ruleId == ALLOW_ALL_ID ? ALLOW_ALL : null;
    }
}
