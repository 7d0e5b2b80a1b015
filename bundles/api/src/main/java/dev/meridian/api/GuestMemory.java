package dev.meridian.api;

import java.util.Objects;

/**
 * Read access to the memory of the guest task that made the current call. Valid only while the
 * call is pending; implementations re-check that the call is still pending after every read
 * (a guest that was killed and whose pid was reused must never be read).
 *
 * <p>Implementations must not allocate: they are used on the guest path.
 */
public interface GuestMemory {

    /** Returned by the read methods when the address is not readable in the guest. */
    int FAULT = -1;
    /** Returned when the call is no longer pending (the guest was interrupted or died). */
    int GONE = -2;

    /**
     * Copies up to {@code length} bytes at guest address {@code address} into {@code dst}.
     *
     * @return the number of bytes copied (may be short at the end of a mapping), {@link #FAULT}
     *     or {@link #GONE}
     */
    int read(long address, byte[] dst, int offset, int length);

    /**
     * Copies a NUL-terminated string at {@code address}, without its terminator, stopping after
     * {@code max} bytes.
     *
     * @return the string's length in bytes; {@code max} if it was cut; {@link #FAULT} or
     *     {@link #GONE}
     */
    int readString(long address, byte[] dst, int offset, int max);

    /**
     * Copies the NUL-terminated strings that the first {@code count} pointers of a guest array
     * point to ({@code execve}'s argv or envp: little-endian 64-bit addresses, as read from the
     * guest, at {@code pointers[pointersOffset]}), one after another, each followed by its NUL,
     * into at most {@code max} bytes of {@code dst}. A string that does not fit is cut at the bound,
     * without NUL, and copying ends there; it also ends before the first string that cannot be
     * read. So the strings copied whole are the NULs written.
     *
     * <p>This default reads string by string. An implementation may read them all at once; like
     * every read, it re-checks that the call is still pending before it returns.
     *
     * @return the number of bytes written, or {@link #GONE}
     */
    default int readStrings(byte[] pointers, int pointersOffset, int count, byte[] dst, int offset, int max) {
        Objects.checkFromIndexSize(pointersOffset, Math.multiplyExact(count, Long.BYTES), pointers.length);
        Objects.checkFromIndexSize(offset, max, dst.length);
        int position = offset;
        int end = offset + max;
        for (int i = 0; i < count && position < end; i++) {
            int room = end - position;
            int length = readString(pointerAt(pointers, pointersOffset + i * Long.BYTES), dst, position, room);
            if (length == GONE) {
                return GONE;
            }
            if (length < 0) {
                break;
            }
            position += length;
            if (length == room) {
                break;
            }
            dst[position++] = 0;
        }
        return position - offset;
    }

    /** The little-endian 64-bit guest pointer at {@code bytes[at]}. */
    static long pointerAt(byte[] bytes, int at) {
        long value = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            value = value << 8 | (bytes[at + i] & 0xff);
        }
        return value;
    }

    /** Whether the call being served is still pending in the guest. */
    boolean stillPending();
}
