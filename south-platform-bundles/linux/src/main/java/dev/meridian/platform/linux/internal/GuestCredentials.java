package dev.meridian.platform.linux.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Whether the supervisor may act for a guest task: a file the supervisor opens is opened with the
 * supervisor's credentials, so it only does so while the calling task has the very same ones
 * (user and group ids, including fs ids, supplementary groups and effective capabilities, as
 * {@code /proc/<tid>/status} shows them). A guest that dropped privileges, or runs as a mapped
 * user, is refused (EPERM) instead of being served with more rights than it has. Also reads the
 * task's umask, which a file the supervisor creates for it must honour.
 */
final class GuestCredentials {

    private static final byte[][] CREDENTIAL_FIELDS = {
        "\nUid:".getBytes(StandardCharsets.US_ASCII),
        "\nGid:".getBytes(StandardCharsets.US_ASCII),
        "\nGroups:".getBytes(StandardCharsets.US_ASCII),
        "\nCapEff:".getBytes(StandardCharsets.US_ASCII),
    };
    private static final byte[] UMASK_FIELD = "\nUmask:".getBytes(StandardCharsets.US_ASCII);

    private final ProcStatus supervisor;
    private final ProcStatus guest;

    /** Reads the calling (supervisor) thread's own credentials. */
    GuestCredentials(Arena arena, MemorySegment callState) {
        this.supervisor = new ProcStatus(arena, callState, 4096);
        this.guest = new ProcStatus(arena, callState, 4096);
        if (!supervisor.read(0)) {
            throw new IllegalStateException("cannot read /proc/thread-self/status");
        }
    }

    /**
     * Reads task {@code tid}'s status; then {@link #umask} is its umask.
     *
     * @return whether its credentials are the supervisor's (false if it is gone)
     */
    boolean sameAsSupervisor(int tid) {
        if (!guest.read(tid)) {
            return false;
        }
        for (byte[] field : CREDENTIAL_FIELDS) {
            if (!guest.sameLine(field, supervisor)) {
                return false;
            }
        }
        return true;
    }

    /** The umask of the task last read, or 0777 (nothing granted) if it was not shown. */
    int umask() {
        int umask = guest.number(guest.valueOf(UMASK_FIELD), 8);
        return umask < 0 ? 0777 : umask;
    }
}
