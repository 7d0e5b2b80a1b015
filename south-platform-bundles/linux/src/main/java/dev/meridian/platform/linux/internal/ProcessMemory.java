package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.meridian.api.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The calling task's memory, read with process_vm_readv(2) into a preallocated native buffer.
 * Bound to one pending notification at a time; every read method checks
 * {@code SECCOMP_IOCTL_NOTIF_ID_VALID} after its last read, so bytes read from a task that died
 * (and whose pid may have been reused) are reported as {@link #GONE}, never returned.
 */
final class ProcessMemory implements GuestMemory {

    private static final int PAGE_SIZE = 4096;
    private static final int BUFFER_SIZE = 16 * PAGE_SIZE;
    /** Strings read by one process_vm_readv in {@link #readStrings} (execve's argv holds 32 at most). */
    private static final int STRINGS_PER_READ = 64;
    /**
     * Where in the buffer {@link #readStrings} reads a string on past its first page: after the
     * first pages of the strings still to be copied.
     */
    private static final int SPARE_PAGE = BUFFER_SIZE - PAGE_SIZE;
    /** Returned by {@link #readStringUnchecked} when process_vm_readv failed. */
    private static final int FAILED = Integer.MIN_VALUE;

    private final int listenerFd;
    private final MemorySegment callState;
    private final MemorySegment buffer;
    private final MemorySegment localIov;
    private final MemorySegment remoteIov;
    /** {@link #readStrings}'s remote iovecs, one per string. */
    private final MemorySegment remoteIovs;
    private final MemorySegment notificationId;
    private int tid;

    ProcessMemory(Arena arena, int listenerFd) {
        this.listenerFd = listenerFd;
        this.callState = arena.allocate(LinuxSyscalls.CALL_STATE);
        this.buffer = arena.allocate(BUFFER_SIZE, PAGE_SIZE);
        this.localIov = arena.allocate(LinuxSyscalls.IOVEC);
        this.remoteIov = arena.allocate(LinuxSyscalls.IOVEC);
        this.remoteIovs = arena.allocate(LinuxSyscalls.IOVEC, STRINGS_PER_READ);
        this.notificationId = arena.allocate(JAVA_LONG);
    }

    /** Serves the notification {@code id} made by thread {@code tid}. */
    void bind(int tid, long id) {
        this.tid = tid;
        notificationId.set(JAVA_LONG, 0, id);
    }

    @Override
    public int read(long address, byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        int total = 0;
        while (total < length) {
            int chunk = Math.min(length - total, BUFFER_SIZE);
            long count = readIntoBuffer(address + total, chunk, 0);
            if (count < 0) {
                if (total == 0) {
                    return failure();
                }
                break;
            }
            MemorySegment.copy(buffer, JAVA_BYTE, 0, dst, offset + total, (int) count);
            total += (int) count;
            if (count < chunk) {
                break;
            }
        }
        return stillPending() ? total : GONE;
    }

    /**
     * Reads page by page: a string that ends just before an unmapped page is still read whole,
     * and no byte past the terminator's page is touched.
     */
    @Override
    public int readString(long address, byte[] dst, int offset, int max) {
        Objects.checkFromIndexSize(offset, max, dst.length);
        int length = readStringUnchecked(address, dst, offset, max, 0);
        if (length == FAILED) {
            return failure();
        }
        return stillPending() ? length : GONE;
    }

    /**
     * One process_vm_readv for the first page of every string (up to {@value #STRINGS_PER_READ} at a
     * time), then one check that the call is still pending, instead of a read and a check per
     * string: an execve's environment costs two system calls instead of forty. A string that runs
     * on past its first page is read on page by page, as {@link #readString} does.
     */
    @Override
    public int readStrings(byte[] pointers, int pointersOffset, int count, byte[] dst, int offset, int max) {
        Objects.checkFromIndexSize(pointersOffset, Math.multiplyExact(count, Long.BYTES), pointers.length);
        Objects.checkFromIndexSize(offset, max, dst.length);
        int position = offset;
        int end = offset + max;
        int next = 0;
        strings:
        while (next < count && position < end) {
            // Each string's first chunk: to the end of its page, and no longer than the room left.
            int batch = 0;
            long total = 0;
            for (; batch < STRINGS_PER_READ && next + batch < count; batch++) {
                long address = GuestMemory.pointerAt(pointers, pointersOffset + (next + batch) * Long.BYTES);
                int chunk = (int) Math.min(end - position, PAGE_SIZE - (address & (PAGE_SIZE - 1)));
                if (total + chunk > SPARE_PAGE) {
                    break;
                }
                long iov = batch * LinuxSyscalls.IOVEC.byteSize();
                remoteIovs.set(JAVA_LONG, iov + LinuxSyscalls.IOVEC_BASE, address);
                remoteIovs.set(JAVA_LONG, iov + LinuxSyscalls.IOVEC_LEN, chunk);
                total += chunk;
            }
            localIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_BASE, buffer.address());
            localIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_LEN, total);
            // The kernel stops at the first chunk it cannot read; each lies in one page, so is read whole or not.
            long got = LinuxSyscalls.processVmReadv(callState, tid, localIov, remoteIovs, batch);
            if (got < 0) {
                if (LinuxSyscalls.errno(callState) == LinuxSyscalls.ESRCH) {
                    return GONE;
                }
                got = 0; // the first string is unreadable: copying ends before it
            }
            long at = 0;
            for (int i = 0; i < batch; i++, next++) {
                long iov = i * LinuxSyscalls.IOVEC.byteSize();
                int chunk = (int) remoteIovs.get(JAVA_LONG, iov + LinuxSyscalls.IOVEC_LEN);
                int room = end - position;
                if (at + chunk > got || room == 0) {
                    break strings;
                }
                int copied = Math.min(chunk, room);
                MemorySegment.copy(buffer, JAVA_BYTE, at, dst, position, copied);
                at += chunk;
                int length = indexOfNul(dst, position, copied);
                if (length < 0 && copied < room) {
                    // Not ended within its first page: read on from the next page.
                    long address = remoteIovs.get(JAVA_LONG, iov + LinuxSyscalls.IOVEC_BASE);
                    int rest = readStringUnchecked(address + copied, dst, position + copied, room - copied, SPARE_PAGE);
                    if (rest == FAILED || rest == FAULT) {
                        break strings;
                    }
                    length = copied + rest;
                } else if (length < 0) {
                    length = room; // cut at the bound
                }
                position += length;
                if (length == room) {
                    break strings;
                }
                dst[position++] = 0;
            }
        }
        return stillPending() ? position - offset : GONE;
    }

    /**
     * {@link #readString} without the check that the call is still pending, page by page through
     * the buffer at {@code bufferOffset}.
     *
     * @return the length, {@code max} if cut, {@link #FAULT} if it runs into memory the guest cannot
     *     read either, or {@link #FAILED} if process_vm_readv failed (errno is in the call state)
     */
    private int readStringUnchecked(long address, byte[] dst, int offset, int max, int bufferOffset) {
        int total = 0;
        while (total < max) {
            long at = address + total;
            int chunk = (int) Math.min(max - total, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
            long count = readIntoBuffer(at, chunk, bufferOffset);
            if (count < 0) {
                return FAILED;
            }
            MemorySegment.copy(buffer, JAVA_BYTE, bufferOffset, dst, offset + total, (int) count);
            int nul = indexOfNul(dst, offset + total, (int) count);
            if (nul >= 0) {
                return total + nul;
            }
            total += (int) count;
            if (count < chunk) {
                return FAULT;
            }
        }
        return max;
    }

    /** Where the first NUL of {@code bytes[from, from + length)} is, relative to {@code from}; -1 if none. */
    private static int indexOfNul(byte[] bytes, int from, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[from + i] == 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean stillPending() {
        return LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_ID_VALID,
                notificationId) == 0;
    }

    private long readIntoBuffer(long address, int length, int bufferOffset) {
        localIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_BASE, buffer.address() + bufferOffset);
        localIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_LEN, length);
        remoteIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_BASE, address);
        remoteIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_LEN, length);
        return LinuxSyscalls.processVmReadv(callState, tid, localIov, remoteIov, 1);
    }

    private int failure() {
        return LinuxSyscalls.errno(callState) != LinuxSyscalls.ESRCH && stillPending() ? FAULT : GONE;
    }
}
