package dev.meridian.shim.linux.x86_64.internal;

/** Number formats traces use. */
final class Formats {

    private Formats() {
    }

    /** {@code 0} or {@code 0x1f}. */
    static String hex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }

    /** {@code NULL} or {@code 0x7ffd1234}. */
    static String pointer(long value) {
        return value == 0 ? "NULL" : "0x" + Long.toHexString(value);
    }

    /** Octal with a leading zero and at least three digits: {@code 000}, {@code 0644}, {@code 04755}. */
    static String octal(long value) {
        StringBuilder text = new StringBuilder("0").append(Long.toOctalString(value));
        while (text.length() < 3) {
            text.insert(0, '0');
        }
        return text.toString();
    }
}
