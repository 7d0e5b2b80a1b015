package dev.meridian.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange over a Unix or TCP socket with the JDK alone ({@code Connection: close}, the answer read to
 * the end): what a scraper does, without a client library between the test and the bytes.
 */
final class RawHttp {

    /** @param headers by lower-case name */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String describe() {
            return status + " " + headers + "\n" + Commands.excerpt(body);
        }
    }

    private RawHttp() {
    }

    static Response get(SocketAddress server, String path, Map<String, String> headers) throws IOException {
        return exchange(server, "GET", path, headers, null);
    }

    static Response exchange(SocketAddress server, String method, String path, Map<String, String> headers,
            byte[] body) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            request.append("Content-Length: ").append(body.length).append("\r\n");
        }
        request.append("\r\n");
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (SocketChannel channel = SocketChannel.open(server)) {
            ByteBuffer out = ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            if (body != null) {
                ByteBuffer content = ByteBuffer.wrap(body);
                while (content.hasRemaining()) {
                    channel.write(content);
                }
            }
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (channel.read(in.clear()) >= 0) {
                received.write(in.array(), 0, in.position());
            }
        }
        String text = received.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete HTTP answer: '" + text + "'");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> answerHeaders = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            answerHeaders.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        if ("chunked".equalsIgnoreCase(answerHeaders.get("transfer-encoding"))) {
            throw new IOException("a chunked answer; this test client reads Content-Length bodies: " + text);
        }
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), answerHeaders, text.substring(end + 4));
    }
}
