package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

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
    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS = "/status".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TGID_FIELD = "\nTgid:".getBytes(StandardCharsets.US_ASCII);

    private final ThreadGroupTable table = new ThreadGroupTable(TABLE_CAPACITY);
    private final MemorySegment callState;
    private final MemorySegment path;
    private final MemorySegment status;

    ThreadGroups(Arena arena, MemorySegment callState) {
        this.callState = callState;
        this.path = arena.allocate(64);
        // "Tgid:" is the fourth line, after Name (at most 64 bytes escaped), Umask and State.
        this.status = arena.allocate(512);
    }

    /** The thread group of {@code tid}; {@code tid} itself if the thread is already gone. */
    int of(int tid) {
        int tgid = table.get(tid);
        if (tgid != ThreadGroupTable.ABSENT) {
            return tgid;
        }
        tgid = readTgid(tid);
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

    private int readTgid(int tid) {
        long end = put(PROC, 0);
        end = putDecimal(tid, end);
        end = put(STATUS, end);
        path.set(JAVA_BYTE, end, (byte) 0);
        int fd = LinuxSyscalls.open(callState, path, LinuxSyscalls.O_RDONLY | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0) {
            return -1;
        }
        long length = LinuxSyscalls.read(callState, fd, status, status.byteSize());
        LinuxSyscalls.close(fd);
        return length > 0 ? parseTgid(length) : -1;
    }

    private int parseTgid(long length) {
        long at = indexOf(TGID_FIELD, length);
        if (at < 0) {
            return -1;
        }
        at += TGID_FIELD.length;
        while (at < length && (status.get(JAVA_BYTE, at) == ' ' || status.get(JAVA_BYTE, at) == '\t')) {
            at++;
        }
        int value = 0;
        boolean digits = false;
        for (; at < length; at++) {
            byte b = status.get(JAVA_BYTE, at);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
            digits = true;
        }
        return digits ? value : -1;
    }

    private long indexOf(byte[] needle, long length) {
        outer:
        for (long start = 0; start + needle.length <= length; start++) {
            for (int i = 0; i < needle.length; i++) {
                if (status.get(JAVA_BYTE, start + i) != needle[i]) {
                    continue outer;
                }
            }
            return start;
        }
        return -1;
    }

    private long put(byte[] bytes, long at) {
        for (byte b : bytes) {
            path.set(JAVA_BYTE, at++, b);
        }
        return at;
    }

    private long putDecimal(int value, long at) {
        int digits = 1;
        for (int rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        for (int i = digits - 1; i >= 0; i--) {
            path.set(JAVA_BYTE, at + i, (byte) ('0' + value % 10));
            value /= 10;
        }
        return at + digits;
    }
}
