package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * {@code /proc/<tid>/status} of one task, read into preallocated native memory and searched in
 * place, so reading a field on the guest path allocates nothing.
 */
final class ProcStatus {

    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS = "/status".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] THREAD_SELF = "thread-self".getBytes(StandardCharsets.US_ASCII);

    private final MemorySegment callState;
    private final NativeString path;
    private final MemorySegment text;
    private long length;

    /** @param capacity bytes read: fields past it are not found */
    ProcStatus(Arena arena, MemorySegment callState, int capacity) {
        this.callState = callState;
        this.path = new NativeString(arena, 64);
        this.text = arena.allocate(capacity);
    }

    /** Reads the status of task {@code tid} (of this process for 0); false if it is gone. */
    boolean read(int tid) {
        path.clear().append(PROC);
        if (tid == 0) {
            path.append(THREAD_SELF);
        } else {
            path.append(tid);
        }
        path.append(STATUS);
        int fd = LinuxSyscalls.open(callState, path.segment(), LinuxSyscalls.O_RDONLY | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0) {
            length = 0;
            return false;
        }
        long count = LinuxSyscalls.read(callState, fd, text, text.byteSize());
        LinuxSyscalls.close(fd);
        length = Math.max(count, 0);
        return count > 0;
    }

    /**
     * Where the value of {@code field} starts (after the colon and blanks), or -1.
     *
     * @param field the field's name with a leading newline and the colon, e.g. {@code "\nTgid:"}
     */
    long valueOf(byte[] field) {
        long at = indexOf(field);
        if (at < 0) {
            return -1;
        }
        at += field.length;
        while (at < length && (text.get(JAVA_BYTE, at) == ' ' || text.get(JAVA_BYTE, at) == '\t')) {
            at++;
        }
        return at;
    }

    /** The number at {@code at} in {@code radix} (10 or 8), or -1 if there is none. */
    int number(long at, int radix) {
        if (at < 0) {
            return -1;
        }
        int value = 0;
        boolean digits = false;
        for (; at < length; at++) {
            int digit = text.get(JAVA_BYTE, at) - '0';
            if (digit < 0 || digit >= radix) {
                break;
            }
            value = value * radix + digit;
            digits = true;
        }
        return digits ? value : -1;
    }

    /**
     * The last number on the line of {@code field}, or -1: for {@code NSpid} and {@code NStgid},
     * the id in the innermost pid namespace, the one the task's own procfs shows.
     */
    int lastNumber(byte[] field) {
        long at = valueOf(field);
        int last = -1;
        while (at >= 0 && at < length && text.get(JAVA_BYTE, at) != '\n') {
            int value = number(at, 10);
            if (value < 0) {
                return -1;
            }
            last = value;
            while (at < length && text.get(JAVA_BYTE, at) >= '0' && text.get(JAVA_BYTE, at) <= '9') {
                at++;
            }
            while (at < length && (text.get(JAVA_BYTE, at) == '\t' || text.get(JAVA_BYTE, at) == ' ')) {
                at++;
            }
        }
        return last;
    }

    /** Whether the line of {@code field} is the same here and in {@code other}. */
    boolean sameLine(byte[] field, ProcStatus other) {
        long mine = valueOf(field);
        long theirs = other.valueOf(field);
        if (mine < 0 || theirs < 0) {
            return false;
        }
        for (;; mine++, theirs++) {
            if (mine >= length || theirs >= other.length) {
                return mine >= length && theirs >= other.length;
            }
            byte b = text.get(JAVA_BYTE, mine);
            if (b != other.text.get(JAVA_BYTE, theirs)) {
                return false;
            }
            if (b == '\n') {
                return true;
            }
        }
    }

    private long indexOf(byte[] needle) {
        outer:
        for (long start = 0; start + needle.length <= length; start++) {
            for (int i = 0; i < needle.length; i++) {
                if (text.get(JAVA_BYTE, start + i) != needle[i]) {
                    continue outer;
                }
            }
            return start;
        }
        return -1;
    }
}
