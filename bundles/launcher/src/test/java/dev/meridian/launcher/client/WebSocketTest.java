package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebSocketTest {

    /** A frame as the client sent it, unmasked. */
    record Sent(int opcode, boolean fin, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();

    /** A socket that reads {@code serverBytes} and writes into {@link #wire}. */
    private WebSocket socket(byte[]... serverFrames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] frame : serverFrames) {
            all.writeBytes(frame);
        }
        return new WebSocket(new ChannelInput(Channels.newChannel(new ByteArrayInputStream(all.toByteArray())), 5),
                Channels.newChannel(wire));
    }

    private static byte[] server(int opcode, boolean fin, String payload) {
        return WebSocket.encodeFrame(opcode, fin, payload.getBytes(StandardCharsets.UTF_8), null);
    }

    /** Parses what the client wrote, checking every frame is masked as RFC 6455 §5.3 requires. */
    private List<Sent> sent() {
        byte[] bytes = wire.toByteArray();
        List<Sent> frames = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int first = bytes[at] & 0xff;
            int second = bytes[at + 1] & 0xff;
            assertTrue((second & 0x80) != 0, "a client frame must be masked");
            long length = second & 0x7f;
            at += 2;
            if (length == 126) {
                length = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
                at += 2;
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (bytes[at + i] & 0xff);
                }
                at += 8;
            }
            byte[] mask = Arrays.copyOfRange(bytes, at, at + 4);
            at += 4;
            byte[] payload = new byte[(int) length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (bytes[at + i] ^ mask[i & 3]);
            }
            at += (int) length;
            frames.add(new Sent(first & 0x0f, (first & 0x80) != 0, payload));
        }
        return frames;
    }

    @Test
    void acceptKeyIsTheRfcsExample() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocket.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
        assertEquals(24, WebSocket.newKey().length());
    }

    @Test
    void encodesTheThreeLengthFormsMasked() {
        byte[] mask = {1, 2, 3, 4};
        byte[] small = WebSocket.encodeFrame(WebSocket.OP_TEXT, true, "Hello".getBytes(StandardCharsets.US_ASCII),
                mask);
        // RFC 6455 §5.7 masked "Hello" with key 37 fa 21 3d has this layout; here with key 01 02 03 04.
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0x85, 1, 2, 3, 4, 'H' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4,
                'o' ^ 1}, small);
        byte[] medium = WebSocket.encodeFrame(WebSocket.OP_BINARY, true, new byte[300], mask);
        assertEquals(0xfe, medium[1] & 0xff);
        assertEquals(300, ((medium[2] & 0xff) << 8) | (medium[3] & 0xff));
        assertEquals(2 + 2 + 4 + 300, medium.length);
        byte[] large = WebSocket.encodeFrame(WebSocket.OP_BINARY, false, new byte[70_000], null);
        assertEquals(0x02, large[0] & 0xff, "not final, binary");
        assertEquals(127, large[1] & 0xff, "unmasked, 64-bit length");
        assertEquals(70_000, ((large[7] & 0xff) << 16) | ((large[8] & 0xff) << 8) | (large[9] & 0xff));
    }

    @Test
    void sendsMaskedTextAndPrefixedBinary() throws IOException {
        WebSocket socket = socket();
        socket.sendText("{\"type\":\"eof\"}");
        socket.sendBinary(0, "abc".getBytes(StandardCharsets.US_ASCII), 1, 2);
        List<Sent> frames = sent();
        assertEquals(WebSocket.OP_TEXT, frames.get(0).opcode());
        assertEquals("{\"type\":\"eof\"}", frames.get(0).text());
        assertEquals(WebSocket.OP_BINARY, frames.get(1).opcode());
        assertArrayEquals(new byte[] {0, 'b', 'c'}, frames.get(1).payload());
    }

    @Test
    void reassemblesFragmentsAndAnswersPingsBetweenThem() throws IOException {
        WebSocket socket = socket(server(WebSocket.OP_TEXT, false, "{\"type\":"),
                server(WebSocket.OP_PING, true, "are you there"),
                server(WebSocket.OP_CONTINUATION, false, "\"ex"),
                server(WebSocket.OP_PONG, true, ""),
                server(WebSocket.OP_CONTINUATION, true, "it\"}"),
                WebSocket.encodeFrame(WebSocket.OP_BINARY, true, new byte[] {1, 'o', 'k'}, null));
        WebSocket.Message text = socket.receive();
        assertTrue(text.text());
        assertEquals("{\"type\":\"exit\"}", text.string());
        WebSocket.Message binary = socket.receive();
        assertFalse(binary.text());
        assertArrayEquals(new byte[] {1, 'o', 'k'}, binary.data());
        List<Sent> frames = sent();
        assertEquals(1, frames.size());
        assertEquals(WebSocket.OP_PONG, frames.getFirst().opcode());
        assertEquals("are you there", frames.getFirst().text());
        assertNull(socket.receive(), "the end of the connection ends the messages");
    }

    @Test
    void answersACloseWithTheSameCode() throws IOException {
        WebSocket socket = socket(WebSocket.encodeFrame(WebSocket.OP_CLOSE, true,
                WebSocket.closePayload(1008, "already attached"), null));
        assertNull(socket.receive());
        assertEquals(1008, socket.closeCode());
        assertEquals("already attached", socket.closeReason());
        List<Sent> frames = sent();
        assertEquals(WebSocket.OP_CLOSE, frames.getFirst().opcode());
        assertArrayEquals(new byte[] {0x03, (byte) 0xf0}, frames.getFirst().payload());
        assertThrows(IOException.class, () -> socket.sendText("too late"), "nothing is sent after a close");
    }

    @Test
    void closesWithAProtocolErrorOnWhatTheRfcForbids() {
        byte[] masked = WebSocket.encodeFrame(WebSocket.OP_TEXT, true, new byte[] {'x'}, new byte[] {1, 1, 1, 1});
        byte[] reserved = server(WebSocket.OP_TEXT, true, "x");
        reserved[0] |= 0x40;
        byte[][] violations = {masked, reserved, server(WebSocket.OP_PING, false, "fragmented control"),
                server(WebSocket.OP_CONTINUATION, true, "continuing nothing"), server(0x3, true, "reserved opcode"),
                WebSocket.encodeFrame(WebSocket.OP_CLOSE, true, new byte[] {3}, null)};
        for (byte[] violation : violations) {
            wire.reset();
            WebSocket socket = socket(violation);
            assertThrows(WebSocket.WebSocketException.class, socket::receive);
            Sent close = sent().getFirst();
            assertEquals(WebSocket.OP_CLOSE, close.opcode());
            assertEquals(WebSocket.CLOSE_PROTOCOL_ERROR, ((close.payload()[0] & 0xff) << 8) | (close.payload()[1] & 0xff));
        }
    }

    @Test
    void refusesTextThatIsNotUtf8() {
        WebSocket socket = socket(WebSocket.encodeFrame(WebSocket.OP_TEXT, true, new byte[] {(byte) 0xc3, 0x28},
                null));
        assertThrows(WebSocket.WebSocketException.class, socket::receive);
        Sent close = sent().getFirst();
        assertEquals(WebSocket.CLOSE_INVALID_DATA, ((close.payload()[0] & 0xff) << 8) | (close.payload()[1] & 0xff));
    }

    @Test
    void aFrameCutShortIsAnError() {
        byte[] frame = server(WebSocket.OP_BINARY, true, "twelve bytes");
        WebSocket socket = socket(Arrays.copyOf(frame, 8));
        assertThrows(java.io.EOFException.class, socket::receive);
    }
}
