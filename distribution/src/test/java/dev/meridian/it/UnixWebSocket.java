package dev.meridian.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A minimal WebSocket client (RFC 6455) over a Unix socket, as a client of the daemon without Vert.x would have to
 * write it: the handshake, masked frames out, unmasked frames in. Vert.x's own WebSocket client connects over TCP
 * only.
 */
final class UnixWebSocket implements AutoCloseable {

    /** One frame from the server. */
    record Frame(int opcode, byte[] payload) {
        static final int TEXT = 1;
        static final int BINARY = 2;
        static final int CLOSE = 8;

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SocketChannel channel;
    private InputStream in;
    private final OutputStream out;

    private UnixWebSocket(SocketChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects and upgrades; returns null with the HTTP status line and the body (after a blank line) in
     * {@code refused[0]} when not upgraded.
     */
    static UnixWebSocket connect(Path socket, String uri, String[] refused) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        UnixWebSocket webSocket = new UnixWebSocket(channel);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + uri + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        webSocket.out.write(request.getBytes(StandardCharsets.US_ASCII));
        webSocket.out.flush();
        String head = webSocket.readHead();
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        if (!statusLine.contains(" 101 ")) {
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
                    .matcher(head);
            byte[] body = length.find() ? webSocket.in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            refused[0] = statusLine + "\n\n" + new String(body, StandardCharsets.UTF_8);
            channel.close();
            return null;
        }
        return webSocket;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    void sendBinary(byte[] payload) throws IOException {
        send(Frame.BINARY, payload);
    }

    void sendText(String text) throws IOException {
        send(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    private synchronized void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next whole message (continuations joined); control frames other than close are skipped. */
    Frame read() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int opcode = -1;
        while (true) {
            int first = readByte();
            int second = readByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = ((long) readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                throw new IOException("the connection closed inside a frame");
            }
            int frameOpcode = first & 0x0F;
            if (frameOpcode == Frame.CLOSE) {
                return new Frame(Frame.CLOSE, payload);
            }
            if (frameOpcode >= 8) {
                continue;
            }
            if (frameOpcode != 0) {
                opcode = frameOpcode;
            }
            message.write(payload);
            if ((first & 0x80) != 0) {
                return new Frame(opcode, message.toByteArray());
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("the connection closed");
        }
        return b;
    }

    /**
     * What has arrived and not been read, in one read of the socket: a snapshot of what the server could send while
     * this client read nothing (the socket's buffers bound it), taken before reading lets the server send more. The
     * bytes stay to be read as frames by {@link #read}.
     */
    byte[] readArrived() throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(64 << 20);
        channel.configureBlocking(false);
        try {
            int n = Math.max(0, channel.read(buffer));
            byte[] arrived = new byte[n];
            buffer.flip().get(arrived);
            in = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(arrived), in);
            return arrived;
        } finally {
            channel.configureBlocking(true);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
