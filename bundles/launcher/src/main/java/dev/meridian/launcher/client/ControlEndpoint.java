package dev.meridian.launcher.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a daemon's control API listens: {@code STATE/control.sock}, or with {@code MERIDIAN_HOST=127.0.0.1:PORT}
 * its TCP port, where every request carries {@code MERIDIAN_TOKEN} (else the token file {@code STATE/token}).
 *
 * @param state the daemon's state directory, for messages and the token file
 * @param tcp the TCP address, or null for the Unix socket
 * @param token the bearer token for TCP, or null
 */
record ControlEndpoint(Path state, InetSocketAddress tcp, String token) {

    static final String SOCKET = "control.sock";
    static final String TOKEN = "token";

    /**
     * The endpoint for {@code --state} (null when not given) and the environment.
     *
     * @throws ClientException when there is no state directory to look in, or MERIDIAN_HOST is malformed
     */
    static ControlEndpoint locate(String stateOption, Map<String, String> environment) throws ClientException {
        Path state = stateDirectory(stateOption, environment);
        String host = environment.get("MERIDIAN_HOST");
        if (host == null || host.isEmpty()) {
            return new ControlEndpoint(state, null, null);
        }
        int colon = host.lastIndexOf(':');
        int port = -1;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(host.substring(colon + 1));
        } catch (NumberFormatException e) {
            // below
        }
        if (port < 1 || port > 65535) {
            throw new ClientException("MERIDIAN_HOST takes HOST:PORT (e.g. 127.0.0.1:7070), not '" + host + "'",
                    ClientException.USAGE);
        }
        String token = environment.get("MERIDIAN_TOKEN");
        if (token == null || token.isEmpty()) {
            token = tokenFile(state);
        }
        return new ControlEndpoint(state, InetSocketAddress.createUnresolved(host.substring(0, colon), port), token);
    }

    /** {@code --state}, else the daemon's own default: MERIDIAN_STATE, /run/meridian for root, XDG_RUNTIME_DIR. */
    static Path stateDirectory(String stateOption, Map<String, String> environment) throws ClientException {
        String given = stateOption != null ? stateOption : environment.get("MERIDIAN_STATE");
        if (given != null && !given.isBlank()) {
            return Path.of(given).toAbsolutePath().normalize();
        }
        if (runningAsRoot()) {
            return Path.of("/run/meridian");
        }
        String runtime = environment.get("XDG_RUNTIME_DIR");
        if (runtime == null || runtime.isBlank() || !Path.of(runtime).isAbsolute()) {
            throw new ClientException("no daemon state directory: XDG_RUNTIME_DIR is not set; give --state DIR or "
                    + "set MERIDIAN_STATE", ClientException.FAILED);
        }
        return Path.of(runtime, "meridian");
    }

    /**
     * Whether this process runs as root, by the user name the JVM has at hand. The daemon asks /proc for uid 0, which
     * agrees unless uid 0 goes by another name; that attribute lookup would cost every client start milliseconds.
     */
    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String tokenFile(Path state) {
        try {
            return Files.readString(state.resolve(TOKEN), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException unreadable) {
            // No token: the daemon answers 401 and says so.
            return null;
        }
    }

    Path socket() {
        return state.resolve(SOCKET);
    }

    /** A new connection to the daemon. */
    SocketChannel connect() throws IOException {
        if (tcp != null) {
            return SocketChannel.open(new InetSocketAddress(tcp.getHostString(), tcp.getPort()));
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket()));
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The Host header, which HTTP/1.1 requires; meaningless on a Unix socket. */
    String hostHeader() {
        return tcp != null ? tcp.getHostString() + ":" + tcp.getPort() : "localhost";
    }

    /** What to name in "no daemon" messages. */
    String describe() {
        return tcp != null ? tcp.getHostString() + ":" + tcp.getPort() : state.toString();
    }
}
