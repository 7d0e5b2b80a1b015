package dev.meridian.launcher.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests to the control API (docs/control-api.md): one connection per request, so nothing is pooled in a
 * process that lives for one command; WebSocket upgrades for attach and events.
 */
final class ControlClient {
    static final String JSON = "application/json";
    private static final int BUFFER = 64 * 1024;

    private final ControlEndpoint endpoint;
    /** A connection made in advance (the probe that found the daemon), used by the first request. */
    private SocketChannel spare;
    /** Whether each request's connection is closed after its answer: for a command that asks again and again. */
    private boolean closeEach;

    ControlClient(ControlEndpoint endpoint, SocketChannel spare) {
        this.endpoint = endpoint;
        this.spare = spare;
    }

    ControlEndpoint endpoint() {
        return endpoint;
    }

    /** From now on each request's connection is closed once answered ({@code meridian top} asks every second). */
    ControlClient closingEachConnection() {
        closeEach = true;
        return this;
    }

    private SocketChannel connection() throws IOException {
        SocketChannel channel = spare;
        spare = null;
        return channel != null ? channel : endpoint.connect();
    }

    /** A JSON request (body null for none); returns the JSON object answered. */
    Map<String, Object> call(String method, String path, Object body) throws IOException, ApiException {
        byte[] bytes = body == null ? null : Json.write(body).getBytes(StandardCharsets.UTF_8);
        Http.Response response = exchange(method, path, body == null ? null : JSON, bytes);
        return jsonObject(response);
    }

    /** Any request; an error status becomes an {@link ApiException}. */
    Http.Response exchange(String method, String path, String contentType, byte[] body)
            throws IOException, ApiException {
        Map<String, String> headers = headers();
        headers.put("Connection", "close");
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        if (body == null && (method.equals("POST") || method.equals("PUT"))) {
            body = new byte[0];
        }
        // Not closed: the daemon closes its end after the answer (Connection: close) and the process ends soon; the
        // first close of a channel initializes the JDK's IP networking (it probes IPv6 with sockets), ~10 ms of a
        // client start for nothing.
        SocketChannel channel = connection();
        Http.Response response;
        try {
            Http.writeFully(channel, ByteBuffer.wrap(Http.request(method, path, headers, body)));
            response = Http.readResponse(new ChannelInput(channel, BUFFER), method.equals("HEAD"));
        } finally {
            if (closeEach) {
                channel.close();
            }
        }
        if (response.status() >= 400) {
            throw error(response);
        }
        return response;
    }

    /** Opens a WebSocket on {@code path}; an HTTP error answer becomes an {@link ApiException}. */
    WebSocket webSocket(String path) throws IOException, ApiException {
        SocketChannel channel = connection();
        boolean open = false;
        try {
            String key = WebSocket.newKey();
            Map<String, String> headers = headers();
            headers.put("Upgrade", "websocket");
            headers.put("Connection", "Upgrade");
            headers.put("Sec-WebSocket-Key", key);
            headers.put("Sec-WebSocket-Version", "13");
            Http.writeFully(channel, ByteBuffer.wrap(Http.request("GET", path, headers, null)));
            ChannelInput input = new ChannelInput(channel, BUFFER);
            Http.Response response = Http.readResponse(input, false);
            if (response.status() >= 400) {
                throw error(response);
            }
            if (response.status() != 101) {
                throw new IOException("the daemon did not upgrade " + path + " to a WebSocket (HTTP "
                        + response.status() + ")");
            }
            String accept = response.header("Sec-WebSocket-Accept");
            if (!WebSocket.acceptFor(key).equals(accept)) {
                throw new IOException("the daemon's WebSocket handshake for " + path
                        + " has a wrong Sec-WebSocket-Accept");
            }
            WebSocket socket = new WebSocket(input, channel);
            open = true;
            return socket;
        } finally {
            if (!open) {
                channel.close();
            }
        }
    }

    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", endpoint.hostHeader());
        if (endpoint.tcp() != null && endpoint.token() != null) {
            headers.put("Authorization", "Bearer " + endpoint.token());
        }
        return headers;
    }

    private static Map<String, Object> jsonObject(Http.Response response) throws IOException {
        try {
            return Json.parseObject(response.text());
        } catch (Json.ParseException e) {
            throw new IOException("the daemon answered HTTP " + response.status() + " with a body that is no JSON "
                    + "object: " + e.getMessage());
        }
    }

    /** {"error":{"code":..,"message":..}}, with "reason" and "field" when given; or the status line when not that. */
    static ApiException error(Http.Response response) {
        try {
            Map<String, Object> error = Json.object(Json.parseObject(response.text()), "error");
            return new ApiException(response.status(), Json.string(error, "code"), Json.string(error, "message"),
                    optionalString(error, "reason"), optionalString(error, "field"));
        } catch (Json.ParseException e) {
            String text = response.text().strip();
            return new ApiException(response.status(), "http_" + response.status(), "HTTP " + response.status()
                    + " " + response.reason() + (text.isEmpty() ? "" : ": " + Http.printable(text)), null, null);
        }
    }

    private static String optionalString(Map<String, Object> object, String name) {
        return object.get(name) instanceof String text ? text : null;
    }
}
