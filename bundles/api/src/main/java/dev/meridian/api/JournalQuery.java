package dev.meridian.api;

/**
 * Which journaled calls to read. Every criterion is optional; {@code null} matches all.
 *
 * @param sandboxId only calls of this sandbox
 * @param pid only calls of this process (thread-group id)
 * @param syscallNumber only this system call
 * @param fromMillis only calls received at or after this time (epoch milliseconds)
 * @param toMillis only calls received before this time (epoch milliseconds)
 */
public record JournalQuery(Long sandboxId, Integer pid, Integer syscallNumber, Long fromMillis, Long toMillis) {

    public static final JournalQuery ALL = new JournalQuery(null, null, null, null, null);

    public boolean matches(long sandbox, int callPid, int number, long millis) {
        return (sandboxId == null || sandboxId == sandbox)
                && (pid == null || pid == callPid)
                && (syscallNumber == null || syscallNumber == number)
                && (fromMillis == null || millis >= fromMillis)
                && (toMillis == null || millis < toMillis);
    }
}
