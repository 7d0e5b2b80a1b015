package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real Unix-socket peer written here: requests, answers and a WebSocket session on the wire. */
class ControlClientTest {
    @TempDir
    Path state;

    private ServerSocketChannel server;
    private ControlClient client;

    @BeforeEach
    void listen() throws Exception {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(state.resolve(ControlEndpoint.SOCKET)));
        client = new ControlClient(ControlEndpoint.locate(state.toString(), Map.of()), null);
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    /** What the peer read of one request. */
    record Request(String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
                    return line.substring(name.length() + 1).strip();
                }
            }
            return null;
        }
    }

    /** The peer: accepts one connection, reads one request, lets {@code answer} reply on the channel. */
    private CompletableFuture<Request> serveOnce(PeerAnswer answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel channel = server.accept()) {
                ChannelInput in = new ChannelInput(channel, 512);
                StringBuilder head = new StringBuilder();
                String line;
                int length = 0;
                while (!(line = in.readLine(8192)).isEmpty()) {
                    head.append(line).append("\r\n");
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                Request request = new Request(head.toString(), in.readExactly(length));
                answer.reply(request, channel, in);
                return request;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    interface PeerAnswer {
        void reply(Request request, SocketChannel channel, ChannelInput in) throws IOException;
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        Http.writeFully(channel, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        Http.writeFully(channel, ByteBuffer.wrap(bytes));
    }

    @Test
    void postsJsonAndReadsAChunkedAnswer() throws Exception {
        CompletableFuture<Request> peer = serveOnce((request, channel, in) -> write(channel,
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "6\r\n{\"id\":\r\nd\r\n\"0123abcd\"}\n\r\n0\r\n\r\n"));
        Map<String, Object> answer = client.call("POST", "/v1/sandboxes", Map.of("command", List.of("true")));
        assertEquals("0123abcd", answer.get("id"));
        Request request = peer.get(10, TimeUnit.SECONDS);
        assertTrue(request.head().startsWith("POST /v1/sandboxes HTTP/1.1\r\n"), request.head());
        assertEquals("localhost", request.header("Host"));
        assertEquals("application/json", request.header("Content-Type"));
        assertEquals("{\"command\":[\"true\"]}", new String(request.body(), StandardCharsets.UTF_8));
        assertNull(request.header("Authorization"), "no token on the Unix socket");
    }

    @Test
    void anErrorAnswerBecomesItsCodeAndMessage() throws Exception {
        serveOnce((request, channel, in) -> write(channel, notFound("no sandbox 00000000")));
        ApiException e = assertThrows(ApiException.class, () -> client.call("GET", "/v1/sandboxes/00000000", null));
        assertEquals(404, e.httpStatus());
        assertEquals("not_found", e.code());
        assertEquals("no sandbox 00000000", e.getMessage());
    }

    @Test
    void aWebSocketSessionOverTheUpgradedConnection() throws Exception {
        List<String> fromClient = new ArrayList<>();
        CompletableFuture<Request> peer = serveOnce((request, channel, in) -> {
            String accept = WebSocket.acceptFor(new Request(request.head(), null).header("Sec-WebSocket-Key"));
            // The handshake and the first frames in one write: the client must keep the bytes after the head.
            ByteBuffer answer = ByteBuffer.allocate(4096);
            answer.put(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            answer.put(WebSocket.encodeFrame(WebSocket.OP_BINARY, true, new byte[] {1, 'h', 'i'}, null));
            answer.put(WebSocket.encodeFrame(WebSocket.OP_PING, true, new byte[] {7}, null));
            answer.flip();
            Http.writeFully(channel, answer);
            // The client's frames: the pong, then its text message, then the close.
            fromClient.add(readClientFrame(in));
            fromClient.add(readClientFrame(in));
            write(channel, WebSocket.encodeFrame(WebSocket.OP_TEXT, true,
                    "{\"type\":\"exit\",\"status\":3}".getBytes(StandardCharsets.UTF_8), null));
            fromClient.add(readClientFrame(in));
        });
        WebSocket socket = client.webSocket("/v1/sandboxes/0123abcd/attach");
        WebSocket.Message output = socket.receive();
        assertEquals("hi", new String(output.data(), 1, 2, StandardCharsets.US_ASCII));
        socket.sendText("{\"type\":\"eof\"}");
        assertEquals("{\"type\":\"exit\",\"status\":3}", socket.receive().string());
        socket.close(WebSocket.CLOSE_NORMAL, "");
        Request request = peer.get(10, TimeUnit.SECONDS);
        assertTrue(request.head().startsWith("GET /v1/sandboxes/0123abcd/attach HTTP/1.1\r\n"), request.head());
        assertEquals("websocket", request.header("Upgrade"));
        assertEquals("13", request.header("Sec-WebSocket-Version"));
        // The ping arrived behind the output frame, so the client answered it in its next receive, after its text.
        assertEquals(List.of("text:{\"type\":\"eof\"}", "pong:\u0007", "close:\u0003\u00e8"), fromClient);
    }

    @Test
    void refusesAHandshakeWithTheWrongAccept() {
        serveOnce((request, channel, in) -> write(channel, "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: d3Jvbmc=\r\n\r\n"));
        IOException e = assertThrows(IOException.class, () -> client.webSocket("/v1/sandboxes/00/events"));
        assertTrue(e.getMessage().contains("Sec-WebSocket-Accept"), e.getMessage());
    }

    @Test
    void anUpgradeRefusedWithAnErrorIsAnApiError() {
        serveOnce((request, channel, in) -> write(channel, notFound("no sandbox 42")));
        ApiException e = assertThrows(ApiException.class, () -> client.webSocket("/v1/sandboxes/42/attach"));
        assertEquals("no sandbox 42", e.getMessage());
    }

    @Test
    void talksToNoOneWhenNoOneListens() throws IOException {
        server.close();
        java.nio.file.Files.delete(state.resolve(ControlEndpoint.SOCKET));
        assertThrows(IOException.class, () -> client.call("GET", "/v1/health", null));
    }

    private static String notFound(String message) {
        String body = "{\"error\":{\"code\":\"not_found\",\"message\":\"" + message + "\"}}";
        return "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    /** One masked client frame, unmasked, as "kind:payload". */
    private static String readClientFrame(ChannelInput in) throws IOException {
        int first = in.readByte();
        int second = in.readByte();
        assertTrue((second & 0x80) != 0, "client frames are masked");
        int length = second & 0x7f;
        byte[] mask = in.readExactly(4);
        byte[] payload = in.readExactly(length);
        for (int i = 0; i < length; i++) {
            payload[i] ^= mask[i & 3];
        }
        String kind = switch (first & 0x0f) {
            case WebSocket.OP_TEXT -> "text";
            case WebSocket.OP_PONG -> "pong";
            case WebSocket.OP_CLOSE -> "close";
            default -> "opcode" + (first & 0x0f);
        };
        return kind + ":" + new String(payload, StandardCharsets.ISO_8859_1);
    }
}
