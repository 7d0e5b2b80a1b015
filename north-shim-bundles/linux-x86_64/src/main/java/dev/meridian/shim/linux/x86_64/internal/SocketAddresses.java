package dev.meridian.shim.linux.x86_64.internal;

/** Shows a captured {@code struct sockaddr} as strace does. */
final class SocketAddresses {

    /** Family, port and address: the part of {@code struct sockaddr_in} that matters. */
    private static final int SOCKADDR_IN_MIN_SIZE = 8;
    /** {@code struct sockaddr_in6} without {@code sin6_scope_id} (RFC 2133). */
    private static final int SOCKADDR_IN6_MIN_SIZE = 24;
    private static final int SOCKADDR_IN6_SIZE = 28;
    private static final int SOCKADDR_NL_SIZE = 12;

    private SocketAddresses() {
    }

    static void append(StringBuilder out, byte[] address, boolean truncated) {
        int family = u16(address, 0);
        out.append("{sa_family=").append(Symbols.ADDRESS_FAMILIES.format(family));
        int length = address.length;
        if (family == Symbols.AF_INET && length >= SOCKADDR_IN_MIN_SIZE) {
            out.append(", sin_port=htons(").append(u16be(address, 2)).append("), sin_addr=inet_addr(\"");
            appendIpv4(out, address, 4);
            out.append("\")");
        } else if (family == Symbols.AF_INET6 && length >= SOCKADDR_IN6_MIN_SIZE) {
            out.append(", sin6_port=htons(").append(u16be(address, 2)).append("), sin6_flowinfo=htonl(")
                    .append(Integer.toUnsignedString(u32be(address, 4))).append("), inet_pton(AF_INET6, \"");
            appendIpv6(out, address, 8);
            out.append("\", &sin6_addr)");
            if (length >= SOCKADDR_IN6_SIZE) {
                out.append(", sin6_scope_id=").append(Integer.toUnsignedString(u32(address, 24)));
            }
        } else if (family == Symbols.AF_UNIX) {
            appendUnixPath(out, address);
        } else if (family == Symbols.AF_NETLINK && length >= SOCKADDR_NL_SIZE) {
            out.append(", nl_pid=").append(Integer.toUnsignedString(u32(address, 4)))
                    .append(", nl_groups=").append(String.format("%08x", u32(address, 8)));
        } else if (length > 2) {
            out.append(", sa_data=");
            CStrings.appendQuoted(out, address, 2, length - 2, false);
        }
        out.append('}');
        if (truncated) {
            out.append("...");
        }
    }

    /** Abstract names start with a NUL and may hold more: shown as {@code @"name"}. */
    private static void appendUnixPath(StringBuilder out, byte[] address) {
        int length = address.length;
        if (length <= 2) {
            return;
        }
        out.append(", sun_path=");
        if (address[2] == 0) {
            out.append('@');
            CStrings.appendQuoted(out, address, 3, length - 3, false);
            return;
        }
        int end = 2;
        while (end < length && address[end] != 0) {
            end++;
        }
        CStrings.appendQuoted(out, address, 2, end - 2, false);
    }

    static void appendIpv4(StringBuilder out, byte[] data, int offset) {
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(data[offset + i] & 0xff);
        }
    }

    /** Writes the address as glibc's {@code inet_ntop} does (RFC 5952 with embedded IPv4 forms). */
    static void appendIpv6(StringBuilder out, byte[] data, int offset) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = u16be(data, offset + 2 * i);
        }
        int bestBase = -1;
        int bestLength = 0;
        for (int i = 0; i < 8;) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && words[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestBase = start;
                bestLength = i - start;
            }
        }
        if (bestLength < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLength) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff))) {
                appendIpv4(out, data, offset + 12);
                return;
            }
            out.append(Integer.toHexString(words[i]));
        }
        if (bestBase != -1 && bestBase + bestLength == 8) {
            out.append(':');
        }
    }

    private static int u16(byte[] data, int offset) {
        return offset + 1 < data.length ? (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 : 0;
    }

    private static int u16be(byte[] data, int offset) {
        return (data[offset] & 0xff) << 8 | (data[offset + 1] & 0xff);
    }

    private static int u32(byte[] data, int offset) {
        return (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8 | (data[offset + 2] & 0xff) << 16
                | (data[offset + 3] & 0xff) << 24;
    }

    private static int u32be(byte[] data, int offset) {
        return (data[offset] & 0xff) << 24 | (data[offset + 1] & 0xff) << 16 | (data[offset + 2] & 0xff) << 8
                | (data[offset + 3] & 0xff);
    }
}
