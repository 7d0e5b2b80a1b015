package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpTest {

    /** A small buffer, so lines and bodies cross buffer refills. */
    private static ChannelInput input(String bytes) {
        return new ChannelInput(Channels.newChannel(new ByteArrayInputStream(bytes.getBytes(StandardCharsets.ISO_8859_1))), 7);
    }

    @Test
    void writesARequestWithLengthAndBody() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "localhost");
        headers.put("Content-Type", "application/json");
        byte[] request = Http.request("POST", "/v1/sandboxes", headers, "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("POST /v1/sandboxes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}", new String(request, StandardCharsets.ISO_8859_1));
    }

    @Test
    void refusesHeadersThatWouldSplitTheRequest() {
        assertThrows(IllegalArgumentException.class,
                () -> Http.request("GET", "/", Map.of("Authorization", "Bearer x\r\nX-Evil: 1"), null));
    }

    @Test
    void readsAFixedLengthResponseAndLeavesTheRest() throws IOException {
        ChannelInput in = input("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\ncontent-length: 11\r\n"
                + "\r\n{\"id\":\"1\"}\nNEXT");
        Http.Response response = Http.readResponse(in, false);
        assertEquals(201, response.status());
        assertEquals("Created", response.reason());
        assertEquals("application/json", response.header("CONTENT-TYPE"));
        assertEquals("{\"id\":\"1\"}\n", response.text());
        assertArrayEquals("NEXT".getBytes(StandardCharsets.US_ASCII), in.readExactly(4));
    }

    @Test
    void readsAChunkedResponse() throws IOException {
        Http.Response response = Http.readResponse(input("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"), false);
        assertEquals("hello, world", response.text());
    }

    @Test
    void readsToTheEndWithoutALength() throws IOException {
        assertEquals("all of it", Http.readResponse(input("HTTP/1.1 200 OK\r\n\r\nall of it"), false).text());
    }

    @Test
    void anUpgradeHasNoBody() throws IOException {
        ChannelInput in = input("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0000");
        Http.Response response = Http.readResponse(in, false);
        assertEquals(101, response.status());
        assertEquals(0x81, in.readByte(), "the first WebSocket frame stays unread");
    }

    @Test
    void refusesBrokenResponses() {
        for (String broken : new String[] {"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
            IOException e = assertThrows(IOException.class, () -> Http.readResponse(input(broken), false), broken);
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        }
    }

    @Test
    void aTruncatedBodyIsAnError() {
        assertThrows(EOFException.class,
                () -> Http.readResponse(input("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"), false));
        assertThrows(EOFException.class, () -> Http.readResponse(input("HTTP/1.1 200 OK\r\nHost"), false));
    }

    @Test
    void boundsHeaderLines() {
        String huge = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(Http.MAX_LINE) + "\r\n\r\n";
        IOException e = assertThrows(IOException.class, () -> Http.readResponse(input(huge), false));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void turnsAnApiErrorIntoItsCodeAndMessage() {
        ApiException e = ControlClient.error(new Http.Response(404, "Not Found", Map.of(),
                "{\"error\":{\"code\":\"not_found\",\"message\":\"no sandbox 00ff\",\"reason\":\"x\"}}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(404, e.httpStatus());
        assertEquals("not_found", e.code());
        assertEquals("no sandbox 00ff", e.getMessage());
        assertEquals("x", e.reason());
        ApiException plain = ControlClient.error(new Http.Response(502, "Bad Gateway", Map.of(),
                "upstream\u0007 down".getBytes(StandardCharsets.UTF_8)));
        assertEquals("HTTP 502 Bad Gateway: upstream? down", plain.getMessage());
    }
}
