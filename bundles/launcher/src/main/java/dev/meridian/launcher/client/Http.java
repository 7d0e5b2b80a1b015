package dev.meridian.launcher.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 requests and responses (RFC 9112), as much as the control API uses: fixed-length and chunked bodies. */
final class Http {
    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEADERS = 100;
    static final int MAX_BODY = 64 * 1024 * 1024;

    private Http() {
    }

    /** A response; header names are lower case. */
    record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The request head and body as bytes; {@code Content-Length} is added when there is a body. */
    static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            checkHeaderText(header.getKey());
            checkHeaderText(header.getValue());
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** A header that could split the request (CR, LF) is a bug or an attack: refuse it. */
    private static void checkHeaderText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c > 0xff) {
                throw new IllegalArgumentException("not allowed in an HTTP header: " + text);
            }
        }
    }

    static void writeFully(WritableByteChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /**
     * Reads one response. A 101 (upgrade) has no body: what follows belongs to the new protocol and stays in
     * {@code input}. A response without length or chunking runs to the end of the connection.
     */
    static Response readResponse(ChannelInput input, boolean headRequest) throws IOException {
        String statusLine = input.readLine(MAX_LINE);
        // HTTP/1.1 SP 3DIGIT SP reason
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.x response: " + printable(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + printable(statusLine));
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0;; count++) {
            String line = input.readLine(MAX_LINE);
            if (line.isEmpty()) {
                break;
            }
            if (count >= MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " response headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("bad HTTP header line: " + printable(line));
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        if (status == 101 || status == 204 || status == 304 || (status >= 100 && status < 200) || headRequest) {
            return new Response(status, reason, headers, new byte[0]);
        }
        String transferEncoding = headers.get("transfer-encoding");
        byte[] body;
        if (transferEncoding != null) {
            if (!transferEncoding.equalsIgnoreCase("chunked")) {
                throw new IOException("unsupported Transfer-Encoding: " + printable(transferEncoding));
            }
            body = readChunked(input);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + printable(headers.get("content-length")));
            }
            if (length < 0 || length > MAX_BODY) {
                throw new IOException("a response body of " + length + " bytes (limit " + MAX_BODY + ")");
            }
            body = input.readExactly((int) length);
        } else {
            body = input.readToEnd(MAX_BODY);
        }
        return new Response(status, reason, headers, body);
    }

    private static byte[] readChunked(ChannelInput input) throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        while (true) {
            String sizeLine = input.readLine(MAX_LINE);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + printable(sizeLine));
            }
            if (size < 0 || body.size() + size > MAX_BODY) {
                throw new IOException("a chunked response body over " + MAX_BODY + " bytes");
            }
            if (size == 0) {
                // Trailer fields up to the empty line; none is used.
                while (!input.readLine(MAX_LINE).isEmpty()) {
                    // skip
                }
                return body.toByteArray();
            }
            body.write(input.readExactly((int) size));
            if (!input.readLine(MAX_LINE).isEmpty()) {
                throw new IOException("a chunk is longer than its size says");
            }
        }
    }

    /** A peer's text in an error message, without control characters and at most 200 characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 200; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
