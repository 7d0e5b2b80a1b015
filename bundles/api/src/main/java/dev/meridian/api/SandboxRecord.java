package dev.meridian.api;

import java.util.List;

/**
 * A sandbox as the journal remembers it.
 *
 * @param sandboxId the sandbox's id
 * @param startedMillis when it started (epoch milliseconds)
 * @param command the program and arguments it ran
 * @param profile the policy it ran under
 * @param exit how it ended, or {@code null} if the journal holds no end (still running, or the
 *     supervisor died)
 * @param calls calls journaled for it
 * @param answeredCalls calls its platform reported as answered (-1 if no end was journaled)
 * @param denials journaled calls the policy denied or killed the sandbox for
 */
public record SandboxRecord(long sandboxId, long startedMillis, List<String> command, String profile,
        ExitStatus exit, long calls, long answeredCalls, long denials) {
}
