package dev.meridian.policy.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.FileAccess;
import dev.meridian.api.Policy;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.api.VerdictAction;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.List;

/**
 * A composed, compiled policy. The guest-path methods ({@link #decide}, {@link #decideResolvedPath})
 * read only final arrays built by {@link PolicyCompiler}: no allocation, no locks.
 */
final class CompiledPolicy implements Policy {

    /** What the syscall layer decided for a call, before supervisor rules. */
    static final byte ALLOW = 0;
    static final byte DENY = 1;
    static final byte KILL = 2;
    /** Allowed, after the supervisor saw it (log, notify). */
    static final byte OBSERVE = 3;

    /** Which supervisor check a number needs when the syscall layer allows it. */
    static final byte NO_CHECK = 0;
    /** open family: the canonical path is checked against files.deny and the allow-list. */
    static final byte OPEN_CHECK = 1;
    /** execve family: the canonical path is checked against files.deny (exec) and process.exec. */
    static final byte EXEC_CHECK = 2;
    /**
     * link and rename family: the platform asks about the source (with READ) and the destination
     * (with CREATE); a source is matched against deny rules of every access kind, because its new
     * name would give every kind of access to the same object.
     */
    static final byte LINK_CHECK = 3;

    private static final Comparison[] COMPARISONS = Comparison.values();
    private static final int EXECUTE = FileAccess.EXECUTE.bit();
    private static final int READ = FileAccess.READ.bit();
    private static final int EVERY_ACCESS = READ | FileAccess.WRITE.bit() | EXECUTE;

    private final String name;
    private final Confinement confinement;
    private final List<RulePlacement> placements;

    // syscall layer, per number: entries [entryStart[nr], entryStart[nr + 1])
    private final int[] entryStart;
    private final int[] entryCheckStart;
    private final byte[] entryOutcome;
    private final int[] entryErrno;
    private final int[] entryRule;
    private final int[] checkIndex;
    private final byte[] checkOp;
    private final long[] checkValue;
    private final long[] checkMask;
    private final byte defaultOutcome;
    private final int defaultErrno;
    private final int defaultRule;
    private final byte[] supervisorCheck;

    // supervisor: path rules
    private final Glob[] denyGlobs;
    private final int[] denyAccess;
    private final int[] denyErrno;
    private final int[] denyRule;
    private final Glob[] execGlobs;
    private final int[] execRule;
    /** The exec allow-list's rule for denials, or -1 when there is no exec allow-list. */
    private final int execDenyRule;
    /** Allow-list grants as path bytes; null when the policy has no files.allow. */
    private final byte[][] grantPaths;
    private final int[] grantAccess;
    private final int[] grantRule;
    private final int handledAccess;
    private final int allowListRule;

    CompiledPolicy(Builder b) {
        this.name = b.name;
        this.confinement = b.confinement;
        this.placements = List.copyOf(b.placements);
        this.entryStart = b.entryStart;
        this.entryCheckStart = b.entryCheckStart;
        this.entryOutcome = b.entryOutcome;
        this.entryErrno = b.entryErrno;
        this.entryRule = b.entryRule;
        this.checkIndex = b.checkIndex;
        this.checkOp = b.checkOp;
        this.checkValue = b.checkValue;
        this.checkMask = b.checkMask;
        this.defaultOutcome = b.defaultOutcome;
        this.defaultErrno = b.defaultErrno;
        this.defaultRule = b.defaultRule;
        this.supervisorCheck = b.supervisorCheck;
        this.denyGlobs = b.denyGlobs;
        this.denyAccess = b.denyAccess;
        this.denyErrno = b.denyErrno;
        this.denyRule = b.denyRule;
        this.execGlobs = b.execGlobs;
        this.execRule = b.execRule;
        this.execDenyRule = b.execDenyRule;
        this.grantPaths = b.grantPaths;
        this.grantAccess = b.grantAccess;
        this.grantRule = b.grantRule;
        this.handledAccess = b.handledAccess;
        this.allowListRule = b.allowListRule;
    }

    /** The compiler's output, moved into the policy in one piece. */
    static final class Builder {
        String name;
        Confinement confinement;
        List<RulePlacement> placements;
        int[] entryStart;
        int[] entryCheckStart;
        byte[] entryOutcome;
        int[] entryErrno;
        int[] entryRule;
        int[] checkIndex;
        byte[] checkOp;
        long[] checkValue;
        long[] checkMask;
        byte defaultOutcome;
        int defaultErrno;
        int defaultRule;
        byte[] supervisorCheck;
        Glob[] denyGlobs;
        int[] denyAccess;
        int[] denyErrno;
        int[] denyRule;
        Glob[] execGlobs;
        int[] execRule;
        int execDenyRule;
        byte[][] grantPaths;
        int[] grantAccess;
        int[] grantRule;
        int handledAccess;
        int allowListRule;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Confinement confinement() {
        return confinement;
    }

    @Override
    public List<RulePlacement> placements() {
        return placements;
    }

    @Override
    public void decide(SyscallEvent call) {
        if (call.abi() != LinuxX86_64Syscalls.AUDIT_ARCH_X86_64) {
            call.verdict(VerdictAction.KILL, 0, -1, false); // the filter kills other ABIs first; never reached
            return;
        }
        int number = call.number();
        byte outcome = defaultOutcome;
        int errno = defaultErrno;
        int rule = defaultRule;
        byte check = NO_CHECK;
        if (number >= 0 && number < supervisorCheck.length) {
            check = supervisorCheck[number];
            for (int entry = entryStart[number]; entry < entryStart[number + 1]; entry++) {
                if (checksHold(call, entry)) {
                    outcome = entryOutcome[entry];
                    errno = entryErrno[entry];
                    rule = entryRule[entry];
                    break;
                }
            }
        }
        switch (outcome) {
            case DENY -> call.verdict(VerdictAction.DENY, errno, rule, false);
            case KILL -> call.verdict(VerdictAction.KILL, 0, rule, false);
            default -> {
                if (check != NO_CHECK) {
                    // The decision needs the canonical path: the platform resolves it and asks decideResolvedPath.
                    call.verdict(VerdictAction.EMULATE, 0, rule, true);
                } else {
                    call.verdict(VerdictAction.ALLOW, 0, rule, false);
                }
            }
        }
    }

    private boolean checksHold(SyscallEvent call, int entry) {
        for (int c = entryCheckStart[entry]; c < entryCheckStart[entry + 1]; c++) {
            long arg = call.arg(checkIndex[c]);
            long value = checkValue[c];
            Comparison op = COMPARISONS[checkOp[c]];
            if (op != Comparison.MASKED_EQ && checkMask[c] != 0) {
                arg &= checkMask[c]; // a 32-bit argument: the guest's upper half means nothing
            }
            boolean holds = switch (op) {
                case EQ -> arg == value;
                case NE -> arg != value;
                case LT -> Long.compareUnsigned(arg, value) < 0;
                case LE -> Long.compareUnsigned(arg, value) <= 0;
                case GT -> Long.compareUnsigned(arg, value) > 0;
                case GE -> Long.compareUnsigned(arg, value) >= 0;
                case MASKED_EQ -> (arg & checkMask[c]) == value;
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
        int number = call.number();
        boolean newNameSource = number >= 0 && number < supervisorCheck.length
                && supervisorCheck[number] == LINK_CHECK && (access & READ) != 0;
        int deniable = newNameSource ? EVERY_ACCESS : access;
        for (int i = 0; i < denyGlobs.length; i++) {
            if ((deniable & denyAccess[i]) != 0 && denyGlobs[i].matches(path, length)) {
                call.verdict(VerdictAction.DENY, denyErrno[i], denyRule[i], true);
                return;
            }
        }
        int allowedBy = call.ruleId() >= 0 ? call.ruleId() : defaultRule;
        if (grantPaths != null) {
            allowedBy = grantingRule(path, length, access);
            if (allowedBy < 0) {
                call.verdict(VerdictAction.DENY, PolicyParser.DEFAULT_PATH_ERRNO, allowListRule, true);
                return;
            }
        }
        if ((access & EXECUTE) != 0 && execDenyRule >= 0) {
            int matched = -1;
            for (int i = 0; i < execGlobs.length && matched < 0; i++) {
                if (execGlobs[i].matches(path, length)) {
                    matched = i;
                }
            }
            if (matched < 0) {
                call.verdict(VerdictAction.DENY, PolicyParser.DEFAULT_PATH_ERRNO, execDenyRule, true);
                return;
            }
            allowedBy = execRule[matched];
        }
        call.verdict(VerdictAction.ALLOW, 0, allowedBy, true);
    }

    /**
     * Whether the allow-list grants every handled kind of {@code access} on {@code path}, and by
     * which rule: as in Landlock, the grants on the path and on every directory above it add up. The supervisor
     * checks this itself because what it opens for the guest is opened outside the guest's
     * Landlock domain.
     *
     * @return the id of the rule to name the allowing verdict after, or -1 when the list does
     *     not grant all of {@code access}
     */
    private int grantingRule(byte[] path, int length, int access) {
        int granted = 0;
        int rule = allowListRule;
        int deepest = -1;
        for (int i = 0; i < grantPaths.length; i++) {
            if (covers(grantPaths[i], path, length)) {
                granted |= grantAccess[i];
                // Named after the closest grant that gives some of what the call needs.
                if ((grantAccess[i] & access) != 0 && grantPaths[i].length > deepest) {
                    deepest = grantPaths[i].length;
                    rule = grantRule[i];
                }
            }
        }
        return (access & handledAccess & ~granted) == 0 ? rule : -1;
    }

    private static boolean covers(byte[] grant, byte[] path, int length) {
        if (grant.length == 1) {
            return true; // "/"
        }
        if (length < grant.length || length > grant.length && path[grant.length] != '/') {
            return false;
        }
        for (int i = 0; i < grant.length; i++) {
            if (path[i] != grant[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String ruleName(int ruleId) {
        return ruleId >= 0 && ruleId < placements.size() ? placements.get(ruleId).rule() : null;
    }
}
