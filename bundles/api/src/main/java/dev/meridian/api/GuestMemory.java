package dev.meridian.api;

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

    /** Whether the call being served is still pending in the guest. */
    boolean stillPending();
}
