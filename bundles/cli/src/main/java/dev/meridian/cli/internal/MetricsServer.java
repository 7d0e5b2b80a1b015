package dev.meridian.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meridian.api.MetricsExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code meridian run --metrics-port N}: the run's Prometheus metrics on {@code http://127.0.0.1:N/metrics} while it
 * runs, through the JDK's own HTTP server (one thread; a scrape is one short request). Loopback only and without a
 * token, as the daemon's Unix socket: whoever can reach the port is a local user.
 */
final class MetricsServer implements AutoCloseable {
    static final String PATH = "/metrics";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** The port of {@code --metrics-port VALUE}. */
    static int port(String value) throws UsageException {
        int port;
        try {
            port = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new UsageException("run: --metrics-port takes a TCP port from 1 to 65535, not '" + value + "'");
        }
        return port;
    }

    /** Serves {@code exporter} on 127.0.0.1:{@code port} until closed. */
    static MetricsServer start(int port, MetricsExporter exporter) throws UsageException, CommandException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (BindException e) {
            String why = "Address already in use".equals(e.getMessage()) ? "is in use"
                    : "cannot be bound (" + e.getMessage() + ")";
            throw new UsageException("run: --metrics-port " + port + ": 127.0.0.1:" + port + " " + why
                    + "; pick another port");
        } catch (IOException e) {
            throw new CommandException("run: --metrics-port " + port + ": cannot listen on 127.0.0.1:" + port + ": "
                    + IoErrors.describe(e));
        }
        server.createContext("/", exchange -> serve(exchange, exporter));
        server.start();
        return new MetricsServer(server);
    }

    private static void serve(HttpExchange exchange, MetricsExporter exporter) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                reply(exchange, 404, "text/plain; charset=utf-8", "no such path; the metrics are on " + PATH + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", method + " is not allowed on " + PATH + "\n");
            } else {
                String accept = exchange.getRequestHeaders().getFirst("Accept");
                ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
                exporter.write(accept, body);
                exchange.getResponseHeaders().set("Content-Type", exporter.contentType(accept));
                if (method.equals("HEAD")) {
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.size());
                    body.writeTo(exchange.getResponseBody());
                }
            }
        } catch (RuntimeException e) {
            // The exchange is closed; the scraper sees the connection end. The run goes on.
            System.err.println("meridian: the metrics scrape failed: " + e);
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
