package dev.meridian.shim.linux.x86_64.internal;

import dev.meridian.api.GuestMemory;
import dev.meridian.api.SyscallEvent;
import dev.meridian.shim.linux.x86_64.ArgKind;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import dev.meridian.shim.linux.x86_64.Syscall;

/**
 * Copies the guest memory a call's arguments point to into the call's capture storage, before the
 * policy decides. Runs on the guest path: it allocates nothing and takes no locks; what to read for
 * each argument of each call is worked out once, when the class is initialised.
 *
 * <p>Bounds per argument: paths and strings 4096 bytes ({@code PATH_MAX}); socket addresses 128
 * ({@code sizeof(struct sockaddr_storage)}); data the call sends or writes 64 (strace shows 32 by
 * default; 64 holds an HTTP request line or a typical terminal line while keeping 8 KiB of capture
 * storage enough for any call); argv and environment arrays 32 strings and 1024 bytes each,
 * NUL-separated; {@code open_how} and {@code clone_args} whole. A capture cut at its bound is marked
 * truncated, and so is one cut because the call's storage ran out.
 */
final class GuestCapture {

    static final int STRING_LIMIT = 4096;
    static final int SOCKADDR_LIMIT = 128;
    static final int BUFFER_LIMIT = 64;
    static final int ARRAY_ENTRY_LIMIT = 32;
    static final int ARRAY_BYTE_LIMIT = 1024;
    static final int OPEN_HOW_LIMIT = 24;
    static final int CLONE_ARGS_LIMIT = Symbols.CLONE_ARGS_SIZE_VER2;

    private static final byte NONE = 0;
    private static final byte STRING = 1;
    private static final byte BYTES = 2;
    private static final byte SOCKET_ADDRESS = 3;
    private static final byte STRING_ARRAY = 4;

    /** The array's pointers, plus the one after the last entry that must be NULL. */
    private static final int POINTER_BYTES = (ARRAY_ENTRY_LIMIT + 1) * Long.BYTES;

    private static final int ARGS = SyscallEvent.MAX_ARGS;
    private static final byte[] METHOD = new byte[(LinuxX86_64Syscalls.MAX_NUMBER + 1) * ARGS];
    private static final short[] LIMIT = new short[METHOD.length];
    private static final boolean[] READS_MEMORY = new boolean[LinuxX86_64Syscalls.MAX_NUMBER + 1];

    static {
        for (Syscall syscall : LinuxX86_64Syscalls.all()) {
            for (int i = 0; i < syscall.argCount(); i++) {
                int slot = syscall.number() * ARGS + i;
                ArgKind kind = syscall.arg(i);
                switch (kind) {
                    case PATH, STRING -> plan(slot, STRING, STRING_LIMIT);
                    case BUF_IN -> plan(slot, BYTES, BUFFER_LIMIT);
                    case OPEN_HOW -> plan(slot, BYTES, OPEN_HOW_LIMIT);
                    case CLONE_ARGS -> plan(slot, BYTES, CLONE_ARGS_LIMIT);
                    case SOCKADDR -> plan(slot, SOCKET_ADDRESS, SOCKADDR_LIMIT);
                    case STRING_ARRAY, ENVIRONMENT -> plan(slot, STRING_ARRAY, ARRAY_BYTE_LIMIT);
                    default -> {
                        if (kind.captured()) {
                            throw new IllegalStateException("no way to capture " + kind + " of " + syscall.name());
                        }
                        continue;
                    }
                }
                READS_MEMORY[syscall.number()] = true;
            }
        }
    }

    private GuestCapture() {
    }

    private static void plan(int slot, byte method, int limit) {
        METHOD[slot] = method;
        LIMIT[slot] = (short) limit;
    }

    /**
     * Captures every memory argument of {@code call} that is not NULL. An unreadable address leaves
     * its argument uncaptured (traces show the address); once the call is gone nothing more is read.
     */
    static void capture(SyscallEvent call, GuestMemory memory) {
        int number = call.number();
        if (number < 0 || number >= READS_MEMORY.length || !READS_MEMORY[number]) {
            return;
        }
        int base = number * ARGS;
        for (int arg = 0; arg < ARGS; arg++) {
            byte method = METHOD[base + arg];
            long address = call.arg(arg);
            if (method == NONE || address == 0) {
                continue;
            }
            int limit = LIMIT[base + arg];
            int result = switch (method) {
                case STRING -> captureString(call, memory, arg, address, limit);
                case BYTES -> captureBytes(call, memory, arg, address, call.arg(arg + 1), limit);
                // socklen_t is 32 bits wide; the register's upper half is not part of it
                case SOCKET_ADDRESS -> captureBytes(call, memory, arg, address, call.arg(arg + 1) & 0xFFFF_FFFFL, limit);
                default -> captureStringArray(call, memory, arg, address, limit);
            };
            if (result == GuestMemory.GONE) {
                return;
            }
        }
    }

    private static int captureString(SyscallEvent call, GuestMemory memory, int arg, long address, int limit) {
        int max = Math.min(limit, call.captureFree());
        if (max == 0) {
            call.commitCapture(arg, 0, true);
            return 0;
        }
        int length = memory.readString(address, call.captureData(), call.captureCursor(), max);
        if (length < 0) {
            return length;
        }
        // A string that filled the bound may go on: never let a policy trust it as whole.
        call.commitCapture(arg, length, length >= max);
        return length;
    }

    /** Captures up to {@code limit} of the {@code requested} bytes (an unsigned length). */
    private static int captureBytes(SyscallEvent call, GuestMemory memory, int arg, long address, long requested,
            int limit) {
        int wanted = Long.compareUnsigned(requested, limit) > 0 ? limit : (int) requested;
        wanted = Math.min(wanted, call.captureFree());
        int length = wanted == 0 ? 0 : memory.read(address, call.captureData(), call.captureCursor(), wanted);
        if (length < 0) {
            return length;
        }
        call.commitCapture(arg, length, Long.compareUnsigned(requested, length) > 0);
        return length;
    }

    /**
     * Reads the pointer array into the far end of the free capture storage, then the strings to the
     * front ({@link GuestMemory#readStrings}, which may read them all in one go), each followed by a
     * NUL; the strings never reach the pointers. A last string cut at the bound has no NUL.
     */
    private static int captureStringArray(SyscallEvent call, GuestMemory memory, int arg, long address, int limit) {
        byte[] data = call.captureData();
        int start = call.captureCursor();
        int free = call.captureFree();
        if (free <= POINTER_BYTES) {
            call.commitCapture(arg, 0, true);
            return 0;
        }
        int pointers = start + free - POINTER_BYTES;
        int read = memory.read(address, data, pointers, POINTER_BYTES);
        if (read < 0) {
            return read;
        }
        int entries = read / Long.BYTES;
        int count = 0;
        boolean ended = false; // the array's NULL is among the entries read
        for (; count < entries; count++) {
            if (GuestMemory.pointerAt(data, pointers + count * Long.BYTES) == 0) {
                ended = true;
                break;
            }
            if (count == ARRAY_ENTRY_LIMIT) {
                break;
            }
        }
        int room = Math.min(limit, free - POINTER_BYTES);
        int length = memory.readStrings(data, pointers, count, data, start, room);
        if (length < 0) {
            return length;
        }
        int whole = 0;
        for (int i = start; i < start + length; i++) {
            if (data[i] == 0) {
                whole++;
            }
        }
        call.commitCapture(arg, length, !ended || whole < count);
        return length;
    }
}
