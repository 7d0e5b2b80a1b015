package dev.meridian.platform.linux.internal;

import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;

/** What the supervisor's emulations of memory-dependent calls share: how they ask and answer. */
final class EmulatedCalls {

    private EmulatedCalls() {
    }

    /**
     * Leaves the answer on the call: {@code result} when it is 0 or more, otherwise the call fails
     * with errno {@code -result} (for -ESRCH the call is gone and answering will fail).
     *
     * @return false: the caller still answers the call
     */
    static boolean result(SyscallEvent call, int result) {
        call.verdict(VerdictAction.EMULATE, 0, call.ruleId(), true);
        call.result(result);
        return false;
    }

    /**
     * Asks the policy about the canonical {@code path} ({@code length} bytes) needing
     * {@code access}; on a denial the verdict is left for the caller to answer.
     */
    static boolean allowed(SyscallEvent call, SyscallGateway gateway, byte[] path, int length, int access) {
        gateway.decideResolvedPath(call, path, length, access);
        return call.action() == VerdictAction.ALLOW;
    }
}
