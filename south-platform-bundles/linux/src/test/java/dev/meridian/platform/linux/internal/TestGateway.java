package dev.meridian.platform.linux.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.Policy;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;

/**
 * What the platform tests' stand-ins for the bus share: an id, no policy to swap, path questions
 * failed closed (EPERM, as a bus without a policy would), and nothing to do at the end.
 */
abstract class TestGateway implements SyscallGateway {

    private final long sandboxId = SandboxIds.next();

    @Override
    public long sandboxId() {
        return sandboxId;
    }

    @Override
    public void replacePolicy(Policy replacement) {
        throw new UnsupportedOperationException("platform tests judge calls without swapping policies");
    }

    @Override
    public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
        call.verdict(VerdictAction.DENY, LinuxSyscalls.EPERM, -1, true);
    }

    @Override
    public void onCompletion(SyscallEvent call) {
    }

    @Override
    public void onExit(ExitStatus status, long answeredCalls) {
    }

    @Override
    public void close() {
    }
}
