package dev.meridian.launcher.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client end of a WebSocket (RFC 6455) over a connection the caller upgraded: masked frames out, text,
 * binary, continuation, ping/pong and close in. Sending is thread-safe (a stdin thread, signal handlers and the
 * reader answering pings share it); receiving belongs to one thread.
 */
final class WebSocket {
    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    static final int CLOSE_NORMAL = 1000;
    static final int CLOSE_PROTOCOL_ERROR = 1002;
    static final int CLOSE_NO_STATUS = 1005;
    static final int CLOSE_INVALID_DATA = 1007;
    static final int CLOSE_TOO_BIG = 1009;

    /** Larger messages than the daemon sends (its frames carry chunks of a stream); a bound against a broken peer. */
    static final int MAX_MESSAGE = 16 * 1024 * 1024;

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One whole message: text (UTF-8 checked) or binary. */
    record Message(boolean text, byte[] data) {
        String string() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final ChannelInput input;
    private final WritableByteChannel output;
    private final Object sendLock = new Object();
    private boolean closeSent;
    private int closeCode = CLOSE_NO_STATUS;
    private String closeReason = "";

    WebSocket(ChannelInput input, WritableByteChannel output) {
        this.input = input;
        this.output = output;
    }

    /** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
    static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The Sec-WebSocket-Accept a server must answer to {@code key}. */
    static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-1, which every Java platform must have", e);
        }
    }

    /** The close code the peer sent (1005 when none), once {@link #receive()} returned null. */
    int closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    void sendText(String text) throws IOException {
        send(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A binary message of {@code prefix} followed by {@code length} bytes of {@code data}. */
    void sendBinary(int prefix, byte[] data, int offset, int length) throws IOException {
        byte[] payload = new byte[1 + length];
        payload[0] = (byte) prefix;
        System.arraycopy(data, offset, payload, 1, length);
        send(OP_BINARY, payload);
    }

    /** Sends a close frame (once); the peer answers with its own and then ends the connection. */
    void close(int code, String reason) throws IOException {
        synchronized (sendLock) {
            if (closeSent) {
                return;
            }
            closeSent = true;
            writeFrame(OP_CLOSE, closePayload(code, reason));
        }
    }

    private void send(int opcode, byte[] payload) throws IOException {
        synchronized (sendLock) {
            if (closeSent) {
                throw new IOException("the WebSocket is closing");
            }
            writeFrame(opcode, payload);
        }
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        Http.writeFully(output, ByteBuffer.wrap(encodeFrame(opcode, true, payload, mask)));
    }

    static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, 123);
        byte[] payload = new byte[2 + length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, length);
        return payload;
    }

    /**
     * One frame as a client sends it: masked with {@code mask} (4 bytes; RFC 6455 §5.3 asks for unpredictable keys
     * against proxy cache poisoning, and none sits between this client and a Unix socket or loopback), or unmasked
     * when {@code mask} is null (server frames, for tests).
     */
    static byte[] encodeFrame(int opcode, boolean fin, byte[] payload, byte[] mask) {
        int length = payload.length;
        int headerLength = 2 + (length > 0xffff ? 8 : length > 125 ? 2 : 0) + (mask != null ? 4 : 0);
        byte[] frame = new byte[headerLength + length];
        frame[0] = (byte) ((fin ? 0x80 : 0) | opcode);
        int at = 2;
        int maskBit = mask != null ? 0x80 : 0;
        if (length > 0xffff) {
            frame[1] = (byte) (maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame[at++] = (byte) ((long) length >>> shift);
            }
        } else if (length > 125) {
            frame[1] = (byte) (maskBit | 126);
            frame[at++] = (byte) (length >> 8);
            frame[at++] = (byte) length;
        } else {
            frame[1] = (byte) (maskBit | length);
        }
        if (mask != null) {
            System.arraycopy(mask, 0, frame, at, 4);
            at += 4;
            for (int i = 0; i < length; i++) {
                frame[at + i] = (byte) (payload[i] ^ mask[i & 3]);
            }
        } else {
            System.arraycopy(payload, 0, frame, at, length);
        }
        return frame;
    }

    /**
     * The next whole message; pings are answered on the way. Returns null once the peer closed (answered with a
     * close of the same code; see {@link #closeCode()}) or the connection ended.
     *
     * @throws WebSocketException when the peer breaks the protocol (a close 1002, 1007 or 1009 has been sent)
     */
    Message receive() throws IOException {
        int messageOpcode = -1;
        java.io.ByteArrayOutputStream fragments = null;
        while (true) {
            if (messageOpcode < 0 && input.atEnd()) {
                closeCode = CLOSE_NO_STATUS;
                return null;
            }
            int first = input.readByte();
            int second = input.readByte();
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0f;
            if ((first & 0x70) != 0) {
                throw fail(CLOSE_PROTOCOL_ERROR, "a frame with reserved bits set (no extension was negotiated)");
            }
            if ((second & 0x80) != 0) {
                throw fail(CLOSE_PROTOCOL_ERROR, "a masked frame from the server");
            }
            long length = second & 0x7f;
            if (length == 126) {
                length = (input.readByte() << 8) | input.readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | input.readByte();
                }
                if (length < 0) {
                    throw fail(CLOSE_PROTOCOL_ERROR, "a frame length with the most significant bit set");
                }
            }
            boolean control = (opcode & 0x8) != 0;
            if (control) {
                if (!fin || length > 125) {
                    throw fail(CLOSE_PROTOCOL_ERROR, "a fragmented or oversized control frame");
                }
                byte[] payload = input.readExactly((int) length);
                switch (opcode) {
                    case OP_PING -> pong(payload);
                    case OP_PONG -> {
                        // Unsolicited pongs are allowed and mean nothing.
                    }
                    case OP_CLOSE -> {
                        peerClosed(payload);
                        return null;
                    }
                    default -> throw fail(CLOSE_PROTOCOL_ERROR, "unknown control opcode " + opcode);
                }
                continue;
            }
            if (opcode == OP_CONTINUATION) {
                if (messageOpcode < 0) {
                    throw fail(CLOSE_PROTOCOL_ERROR, "a continuation frame without a message to continue");
                }
            } else if (opcode == OP_TEXT || opcode == OP_BINARY) {
                if (messageOpcode >= 0) {
                    throw fail(CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one");
                }
                messageOpcode = opcode;
            } else {
                throw fail(CLOSE_PROTOCOL_ERROR, "unknown data opcode " + opcode);
            }
            long total = length + (fragments == null ? 0 : fragments.size());
            if (total > MAX_MESSAGE) {
                throw fail(CLOSE_TOO_BIG, "a message over " + MAX_MESSAGE + " bytes");
            }
            byte[] payload = input.readExactly((int) length);
            if (fin && fragments == null) {
                return message(messageOpcode, payload);
            }
            if (fragments == null) {
                fragments = new java.io.ByteArrayOutputStream();
            }
            fragments.write(payload);
            if (fin) {
                return message(messageOpcode, fragments.toByteArray());
            }
        }
    }

    private Message message(int opcode, byte[] data) throws IOException {
        if (opcode == OP_TEXT && !validUtf8(data)) {
            throw fail(CLOSE_INVALID_DATA, "a text message that is not UTF-8");
        }
        return new Message(opcode == OP_TEXT, data);
    }

    static boolean validUtf8(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private void pong(byte[] payload) throws IOException {
        synchronized (sendLock) {
            if (!closeSent) {
                writeFrame(OP_PONG, payload);
            }
        }
    }

    private void peerClosed(byte[] payload) throws IOException {
        if (payload.length == 1) {
            throw fail(CLOSE_PROTOCOL_ERROR, "a close frame with a one-byte payload");
        }
        if (payload.length >= 2) {
            closeCode = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            byte[] reason = java.util.Arrays.copyOfRange(payload, 2, payload.length);
            if (!validUtf8(reason)) {
                throw fail(CLOSE_INVALID_DATA, "a close reason that is not UTF-8");
            }
            closeReason = new String(reason, StandardCharsets.UTF_8);
        } else {
            closeCode = CLOSE_NO_STATUS;
        }
        try {
            close(closeCode == CLOSE_NO_STATUS ? CLOSE_NORMAL : closeCode, "");
        } catch (IOException alreadyGone) {
            // The peer may end the connection right after its close frame.
        }
    }

    /** Closes with {@code code} (best effort) and returns the exception that reports the violation. */
    private WebSocketException fail(int code, String what) {
        try {
            close(code, what);
        } catch (IOException alreadyGone) {
            // The exception below says what went wrong; the peer may be gone already.
        }
        return new WebSocketException("the daemon broke the WebSocket protocol: " + what);
    }

    /** The peer broke RFC 6455. */
    static final class WebSocketException extends IOException {
        private static final long serialVersionUID = 1L;

        WebSocketException(String message) {
            super(message);
        }
    }
}
