package dev.meridian.platform.linux.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Resolves the thread-group id (what users call the pid) of the thread that made a call: the
 * kernel's notification only names the thread. Misses read {@code Tgid:} from
 * {@code /proc/<tid>/status} into preallocated native memory, so even a miss does not allocate.
 */
final class ThreadGroups {

    private static final int TABLE_CAPACITY = 4096;
    private static final byte[] TGID_FIELD = "\nTgid:".getBytes(StandardCharsets.US_ASCII);

    private final ThreadGroupTable table = new ThreadGroupTable(TABLE_CAPACITY);
    private final ProcStatus status;

    ThreadGroups(Arena arena, MemorySegment callState) {
        // "Tgid:" is the fourth line, after Name (at most 64 bytes escaped), Umask and State.
        this.status = new ProcStatus(arena, callState, 512);
    }

    /** The thread group of {@code tid}; {@code tid} itself if the thread is already gone. */
    int of(int tid) {
        int tgid = table.get(tid);
        if (tgid != ThreadGroupTable.ABSENT) {
            return tgid;
        }
        tgid = status.read(tid) ? status.number(status.valueOf(TGID_FIELD), 10) : -1;
        if (tgid <= 0) {
            return tid;
        }
        table.put(tid, tgid);
        return tgid;
    }

    /** The thread called exit: its id may be reused. */
    void threadExited(int tid) {
        table.remove(tid);
    }

    /** The thread group called exit_group: all its threads end. */
    void groupExited(int tgid) {
        table.removeGroup(tgid);
    }
}
