package dev.meridian.api;

import java.util.List;

/**
 * A snapshot of one sandbox, as {@code meridian ps} and the control API show it.
 *
 * @param id the sandbox id
 * @param command the program and its arguments
 * @param policy the policies it runs under, as {@link SandboxSpec#policyLabel()}
 * @param state where it is in its life
 * @param createdMillis when it was created (epoch milliseconds)
 * @param startedMillis when its guest started, or 0
 * @param endedMillis when its guest ended, or 0
 * @param hostPid the main program's host pid, or 0 before the start
 * @param cpuNanos CPU time of the guest's processes (user + system) so far, as far as the
 *     platform can tell: exact once finished on platforms that account whole trees
 * @param syscalls calls the supervisor answered for it
 * @param denials calls the policy denied, or killed the sandbox for
 * @param exit how it ended, or {@code null} while not finished
 */
public record SandboxInfo(long id, List<String> command, String policy, SandboxState state, long createdMillis,
        long startedMillis, long endedMillis, long hostPid, long cpuNanos, long syscalls, long denials,
        ExitStatus exit) {

    public SandboxInfo {
        command = List.copyOf(command);
    }

    /** Wall time so far (running) or in all (finished), in milliseconds; 0 before the start. */
    public long wallMillis(long nowMillis) {
        if (startedMillis == 0) {
            return 0;
        }
        return (endedMillis != 0 ? endedMillis : nowMillis) - startedMillis;
    }

    public String displayId() {
        return SandboxIds.format(id);
    }
}
