package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A NUL-terminated string built in preallocated native memory, e.g. {@code /proc/<tid>/fd/<n>}:
 * paths handed to the kernel on the guest path without allocating.
 */
final class NativeString {

    private final MemorySegment bytes;
    private long length;

    /** @param capacity the longest string it holds, without the NUL */
    NativeString(Arena arena, int capacity) {
        this.bytes = arena.allocate(capacity + 1L);
    }

    /** The string's memory, NUL-terminated. */
    MemorySegment segment() {
        return bytes;
    }

    long length() {
        return length;
    }

    NativeString clear() {
        length = 0;
        bytes.set(JAVA_BYTE, 0, (byte) 0);
        return this;
    }

    NativeString append(byte[] source) {
        return append(source, 0, source.length);
    }

    /** @throws IndexOutOfBoundsException when the result would not fit */
    NativeString append(byte[] source, int offset, int count) {
        MemorySegment.copy(source, offset, bytes, JAVA_BYTE, length, count);
        length += count;
        bytes.set(JAVA_BYTE, length, (byte) 0);
        return this;
    }

    NativeString append(MemorySegment source, long offset, long count) {
        MemorySegment.copy(source, offset, bytes, length, count);
        length += count;
        bytes.set(JAVA_BYTE, length, (byte) 0);
        return this;
    }

    NativeString append(int value) {
        if (value < 0) {
            bytes.set(JAVA_BYTE, length++, (byte) '-');
            value = -value;
        }
        int digits = 1;
        for (int rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        for (long i = length + digits - 1; i >= length; i--) {
            bytes.set(JAVA_BYTE, i, (byte) ('0' + value % 10));
            value /= 10;
        }
        length += digits;
        bytes.set(JAVA_BYTE, length, (byte) 0);
        return this;
    }

    /** Whether the string fits {@code extra} more bytes. */
    boolean fits(int extra) {
        return length + extra < bytes.byteSize();
    }
}
