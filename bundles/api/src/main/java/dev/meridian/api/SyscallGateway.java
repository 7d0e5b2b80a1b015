package dev.meridian.api;

/**
 * The bus as one sandbox's supervisor sees it. A South platform calls {@link #onCall} for each
 * notification, answers the kernel as the verdict says, then calls {@link #onCompletion}.
 * One gateway per sandbox, used by that sandbox's supervisor thread only; neither method
 * allocates, locks or logs in steady state.
 */
public interface SyscallGateway extends AutoCloseable {

    /** The sandbox this gateway serves. */
    long sandboxId();

    /**
     * Judges the sandbox's calls by {@code replacement} from the next call on (a reloaded policy).
     * Any thread may call this; the switch and a journal record naming the new rules happen on
     * the supervisor thread between two calls. Only the decisions of notified calls change: the
     * kernel layers installed at start stay as they were.
     */
    void replacePolicy(Policy replacement);

    /** Journals the call, dispatches it to the shim and policy; returns with a verdict set. */
    void onCall(SyscallEvent call, GuestMemory memory);

    /**
     * Asks the sandbox's policy the second question of an {@link VerdictAction#EMULATE} verdict
     * ({@link Policy#decideResolvedPath}): the platform resolved what {@code call} would open to
     * the canonical path {@code path} ({@code length} UTF-8 bytes, in the sandbox's view) needing
     * {@code access} ({@link FileAccess#bit()}s). Returns with the call's verdict replaced: ALLOW
     * (the platform then performs the call itself) or a denial. Called between {@link #onCall}
     * and {@link #onCompletion}, which journals the final verdict; no allocation, lock or log.
     */
    void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access);

    /** Journals the call's completion (verdict, outcome, latency). */
    void onCompletion(SyscallEvent call);

    /**
     * Journals that the sandbox ended; no call may follow.
     *
     * @param answeredCalls calls the platform answered (counted by the platform from the kernel's
     *     acceptance of its answers, so readers can check it against the journaled calls)
     */
    void onExit(ExitStatus status, long answeredCalls);

    /**
     * Calls the policy denied, or killed the sandbox for, so far: completions with a
     * {@link VerdictAction#DENY} or {@link VerdictAction#KILL} verdict, as the journal counts them
     * ({@link SandboxRecord#denials()}). Any thread may read it; 0 for gateways that do not count.
     */
    default long denials() {
        return 0;
    }

    @Override
    void close();
}
