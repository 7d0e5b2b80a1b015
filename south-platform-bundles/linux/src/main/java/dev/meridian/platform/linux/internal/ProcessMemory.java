package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.meridian.api.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The calling task's memory, read with process_vm_readv(2) into a preallocated native buffer.
 * Bound to one pending notification at a time; every read is followed by
 * {@code SECCOMP_IOCTL_NOTIF_ID_VALID}, so bytes read from a task that died (and whose pid may
 * have been reused) are reported as {@link #GONE}, never returned.
 */
final class ProcessMemory implements GuestMemory {

    private static final int PAGE_SIZE = 4096;
    private static final int BUFFER_SIZE = 16 * PAGE_SIZE;

    private final int listenerFd;
    private final MemorySegment callState;
    private final MemorySegment buffer;
    private final MemorySegment localIov;
    private final MemorySegment remoteIov;
    private final MemorySegment notificationId;
    private int tid;

    ProcessMemory(Arena arena, int listenerFd) {
        this.listenerFd = listenerFd;
        this.callState = arena.allocate(LinuxSyscalls.CALL_STATE);
        this.buffer = arena.allocate(BUFFER_SIZE, PAGE_SIZE);
        this.localIov = arena.allocate(LinuxSyscalls.IOVEC);
        this.remoteIov = arena.allocate(LinuxSyscalls.IOVEC);
        this.notificationId = arena.allocate(JAVA_LONG);
        localIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_BASE, buffer.address());
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
            long count = readIntoBuffer(address + total, chunk);
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
        int total = 0;
        while (total < max) {
            long at = address + total;
            int chunk = (int) Math.min(max - total, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
            long count = readIntoBuffer(at, chunk);
            if (count < 0) {
                return failure();
            }
            MemorySegment.copy(buffer, JAVA_BYTE, 0, dst, offset + total, (int) count);
            for (int i = 0; i < count; i++) {
                if (dst[offset + total + i] == 0) {
                    return stillPending() ? total + i : GONE;
                }
            }
            total += (int) count;
            if (count < chunk) {
                // The string runs into memory the guest cannot read either.
                return stillPending() ? FAULT : GONE;
            }
        }
        return stillPending() ? max : GONE;
    }

    @Override
    public boolean stillPending() {
        return LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_ID_VALID,
                notificationId) == 0;
    }

    private long readIntoBuffer(long address, int length) {
        localIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_LEN, length);
        remoteIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_BASE, address);
        remoteIov.set(JAVA_LONG, LinuxSyscalls.IOVEC_LEN, length);
        return LinuxSyscalls.processVmReadv(callState, tid, localIov, remoteIov);
    }

    private int failure() {
        return LinuxSyscalls.errno(callState) != LinuxSyscalls.ESRCH && stillPending() ? FAULT : GONE;
    }
}
