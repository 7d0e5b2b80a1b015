package dev.meridian.shim.linux.x86_64.internal;

import dev.meridian.api.GuestMemory;
import java.nio.charset.StandardCharsets;

/**
 * Guest memory backed by one byte array mapped at {@link #BASE}: addresses outside it fault, like an
 * unmapped page. Reads allocate nothing, so the shim's hot path can be measured through it.
 */
final class FakeGuestMemory implements GuestMemory {
    static final long BASE = 0x7f00_0000_0000L;

    private final byte[] memory;
    private int used;
    private boolean gone;
    private int reads;

    FakeGuestMemory(int size) {
        this.memory = new byte[size];
    }

    /** Places {@code bytes} in guest memory; returns their address. */
    long put(byte[] bytes) {
        long address = BASE + used;
        System.arraycopy(bytes, 0, memory, used, bytes.length);
        used += bytes.length;
        return address;
    }

    /** Places a NUL-terminated string. */
    long putString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return put(terminated);
    }

    /** Places a NULL-terminated array of pointers to the given strings ({@code execve} argv). */
    long putStringArray(String... strings) {
        long[] pointers = new long[strings.length];
        for (int i = 0; i < strings.length; i++) {
            pointers[i] = putString(strings[i]);
        }
        byte[] array = new byte[(strings.length + 1) * Long.BYTES];
        for (int i = 0; i < pointers.length; i++) {
            for (int b = 0; b < Long.BYTES; b++) {
                array[i * Long.BYTES + b] = (byte) (pointers[i] >>> (8 * b));
            }
        }
        return put(array);
    }

    /** The address just past everything placed so far: reading there runs off the mapping. */
    long end() {
        return BASE + memory.length;
    }

    void gone(boolean gone) {
        this.gone = gone;
    }

    int reads() {
        return reads;
    }

    @Override
    public int read(long address, byte[] dst, int offset, int length) {
        reads++;
        if (gone) {
            return GONE;
        }
        if (address < BASE || address >= BASE + memory.length) {
            return FAULT;
        }
        int start = (int) (address - BASE);
        int count = Math.min(length, memory.length - start);
        System.arraycopy(memory, start, dst, offset, count);
        return count;
    }

    @Override
    public int readString(long address, byte[] dst, int offset, int max) {
        reads++;
        if (gone) {
            return GONE;
        }
        if (address < BASE || address >= BASE + memory.length) {
            return FAULT;
        }
        int start = (int) (address - BASE);
        int length = 0;
        while (length < max) {
            if (start + length >= memory.length) {
                return FAULT;
            }
            byte b = memory[start + length];
            if (b == 0) {
                break;
            }
            dst[offset + length] = b;
            length++;
        }
        return length;
    }

    @Override
    public boolean stillPending() {
        return !gone;
    }
}
