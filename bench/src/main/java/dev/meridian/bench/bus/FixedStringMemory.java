package dev.meridian.bench.bus;

import dev.meridian.api.GuestMemory;
import java.nio.charset.StandardCharsets;

/** Guest memory whose every address holds the same NUL-terminated string. */
public final class FixedStringMemory implements GuestMemory {
    private final byte[] string;

    public FixedStringMemory(String string) {
        this.string = string.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int read(long address, byte[] dst, int offset, int length) {
        int n = Math.min(length, string.length);
        System.arraycopy(string, 0, dst, offset, n);
        return n;
    }

    @Override
    public int readString(long address, byte[] dst, int offset, int max) {
        int n = Math.min(max, string.length);
        System.arraycopy(string, 0, dst, offset, n);
        return n;
    }

    @Override
    public boolean stillPending() {
        return true;
    }
}
