package dev.meridian.api;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Sandbox ids: 64-bit, random, shown as 16 lower-case hex digits. */
public final class SandboxIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxIds() {
    }

    public static long next() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }

    public static String format(long id) {
        return HexFormat.of().toHexDigits(id);
    }
}
