package dev.meridian.shim.linux.x86_64.internal;

/** Shows bytes as a C string literal the way strace does. */
final class CStrings {

    private CStrings() {
    }

    /**
     * Appends {@code "..."} for {@code length} bytes at {@code offset}, escaping what is not
     * printable ASCII; {@code ...} follows the closing quote when the bytes were cut.
     */
    static void appendQuoted(StringBuilder out, byte[] data, int offset, int length, boolean truncated) {
        out.append('"');
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            int c = data[i] & 0xff;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append((char) c);
                    } else {
                        appendOctalEscape(out, c, i + 1 < end && isOctalDigit(data[i + 1]));
                    }
                }
            }
        }
        out.append('"');
        if (truncated) {
            out.append("...");
        }
    }

    /** The shortest octal escape, or three digits when a digit follows (so it cannot merge). */
    private static void appendOctalEscape(StringBuilder out, int c, boolean digitFollows) {
        out.append('\\');
        String octal = Integer.toOctalString(c);
        if (digitFollows) {
            for (int pad = octal.length(); pad < 3; pad++) {
                out.append('0');
            }
        }
        out.append(octal);
    }

    private static boolean isOctalDigit(byte b) {
        return b >= '0' && b <= '7';
    }
}
