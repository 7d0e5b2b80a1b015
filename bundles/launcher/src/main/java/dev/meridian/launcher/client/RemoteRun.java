package dev.meridian.launcher.client;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code meridian run} through the daemon: create the sandbox unstarted, attach (and subscribe to its events for
 * {@code --trace}), start it, relay stdin, stdout and stderr and the signals this process gets, and exit with the
 * guest's status from the attach stream's exit message.
 */
final class RemoteRun {
    /**
     * Signals that reach the guest when they reach this process. SIGINT too: a ^C typed at a terminal reaches only
     * this process (the guest runs in the daemon), and in a raw tty run ^C is a byte the guest's own terminal turns
     * into its SIGINT, so forwarding one that arrives here never doubles it. SIGQUIT stays the JVM's (thread dumps).
     */
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1", "USR2");
    private static final long TRACE_DRAIN_MILLIS = 30_000;
    private static final int STDIN_CHUNK = 16 * 1024;

    private final ControlClient client;
    private final RunRequest request;

    RemoteRun(ControlClient client, RunRequest request) {
        this.client = client;
        this.request = request;
    }

    int run(Map<String, String> environment) throws ClientException {
        Terminal terminal = null;
        int[] size = null;
        if (Terminal.interactive()) {
            size = new int[2];
            try {
                terminal = Terminal.enterRaw(size);
            } catch (IOException e) {
                throw new ClientException("cannot put the terminal in raw mode: " + e.getMessage(),
                        ClientException.SETUP_FAILED);
            }
        }
        try {
            Map<String, Object> body = request.body(environment, Path.of("").toAbsolutePath(), size);
            return execute(body, terminal);
        } finally {
            if (terminal != null) {
                terminal.restore();
            }
        }
    }

    private int execute(Map<String, Object> body, Terminal terminal) throws ClientException {
        String id;
        try {
            id = Json.string(client.call("POST", "/v1/sandboxes", body), "id");
        } catch (ApiException e) {
            throw failure(e);
        } catch (IOException | Json.ParseException e) {
            throw lostDaemon(e);
        }
        String base = "/v1/sandboxes/" + id;
        TraceFollower trace = null;
        List<Runnable> signalRestorers = new ArrayList<>();
        try {
            if (request.trace() || request.traceFile() != null) {
                trace = new TraceFollower(client.webSocket(base + "/events"), openTrace(), false, () -> { });
                trace.start();
            }
            WebSocket attach = client.webSocket(base + "/attach");
            try {
                client.exchange("POST", base + "/start", null, null);
            } catch (ApiException e) {
                throw failure(e);
            }
            forwardSignals(attach, terminal != null, signalRestorers);
            Thread stdin = new Thread(() -> relayStdin(attach), "meridian-stdin");
            stdin.setDaemon(true);
            stdin.start();
            int status = relayOutput(attach);
            if (trace != null && !trace.awaitEnd(TRACE_DRAIN_MILLIS)) {
                throw new ClientException("the trace stopped before the sandbox's end was read"
                        + (trace.failure() == null ? "" : ": " + trace.failure()), ClientException.SETUP_FAILED);
            }
            return status;
        } catch (ApiException e) {
            throw failure(e);
        } catch (IOException e) {
            throw lostDaemon(e);
        } finally {
            signalRestorers.forEach(Runnable::run);
            if (trace != null) {
                trace.output.flush();
            }
        }
    }

    /** Output frames to fd 1 and 2 until the exit message; returns the guest's status. */
    private static int relayOutput(WebSocket attach) throws IOException, ClientException {
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        boolean stdoutOpen = true;
        boolean stderrOpen = true;
        while (true) {
            WebSocket.Message message = attach.receive();
            if (message == null) {
                throw new ClientException("the daemon ended the attach stream without the sandbox's exit status"
                        + closeDetail(attach), ClientException.SETUP_FAILED);
            }
            byte[] data = message.data();
            if (!message.text()) {
                if (data.length == 0) {
                    continue;
                }
                // A reader that went away (a closed pipe) loses the rest of that stream, as it would natively.
                try {
                    if (data[0] == 1 && stdoutOpen) {
                        stdout.write(data, 1, data.length - 1);
                    } else if (data[0] == 2 && stderrOpen) {
                        stderr.write(data, 1, data.length - 1);
                    }
                } catch (IOException closed) {
                    if (data[0] == 1) {
                        stdoutOpen = false;
                    } else {
                        stderrOpen = false;
                    }
                }
                continue;
            }
            Map<String, Object> control;
            try {
                control = Json.parseObject(message.string());
                if ("exit".equals(control.get("type"))) {
                    int status = (int) Json.integer(control, "status");
                    try {
                        attach.close(WebSocket.CLOSE_NORMAL, "");
                    } catch (IOException alreadyClosed) {
                        // The daemon closes after the exit message; the status is what counts.
                    }
                    return status;
                }
            } catch (Json.ParseException e) {
                throw new IOException("an attach message the client cannot read: " + e.getMessage());
            }
        }
    }

    private static String closeDetail(WebSocket socket) {
        if (socket.closeCode() == WebSocket.CLOSE_NO_STATUS) {
            return "";
        }
        return " (close " + socket.closeCode() + (socket.closeReason().isEmpty() ? "" : ": "
                + Http.printable(socket.closeReason())) + ")";
    }

    /** stdin to binary frames until its end, then the eof message; stops quietly once the attach is gone. */
    private static void relayStdin(WebSocket attach) {
        byte[] buffer = new byte[STDIN_CHUNK];
        // Not closed at the end: fd 0 stays for stty, which restores the terminal through it.
        FileInputStream stdin = new FileInputStream(FileDescriptor.in);
        try {
            int n;
            while ((n = stdin.read(buffer)) >= 0) {
                if (n > 0) {
                    attach.sendBinary(0, buffer, 0, n);
                }
            }
            attach.sendText("{\"type\":\"eof\"}");
        } catch (IOException finished) {
            // The sandbox ended (the attach is closing) or stdin broke: there is no one to tell.
        }
    }

    private static void forwardSignals(WebSocket attach, boolean tty, List<Runnable> restorers) {
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            SignalHandler previous = Signal.handle(signal, received -> send(attach,
                    "{\"type\":\"signal\",\"signal\":\"" + name + "\"}"));
            restorers.add(() -> Signal.handle(signal, previous));
        }
        if (tty) {
            Signal winch = new Signal("WINCH");
            SignalHandler previous = Signal.handle(winch, received -> {
                int[] size = new int[2];
                try {
                    Terminal.size(size);
                } catch (IOException e) {
                    return;
                }
                send(attach, "{\"type\":\"resize\",\"rows\":" + size[0] + ",\"columns\":" + size[1] + "}");
            });
            restorers.add(() -> Signal.handle(winch, previous));
        }
    }

    private static void send(WebSocket attach, String message) {
        try {
            attach.sendText(message);
        } catch (IOException closing) {
            // The sandbox is ending; its exit status follows on the attach stream.
        }
    }

    private PrintStream openTrace() throws ClientException {
        String file = request.traceFile();
        if (file == null) {
            // Straight to fd 2, flushed per line, so trace and guest stderr interleave as they arrive.
            return new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        }
        try {
            return new PrintStream(Files.newOutputStream(Path.of(file)), false, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ClientException("cannot write trace file " + file + ": " + e.getMessage(),
                    ClientException.SETUP_FAILED);
        }
    }

    /**
     * An API error as the embedded run would exit: a program that does not exist 127, one that cannot be executed
     * 126, a request the daemon finds malformed 2 (a refused option value in the embedded run's words), anything
     * else 125.
     */
    static ClientException failure(ApiException e) {
        int status = switch (e.code()) {
            case "sandbox_failed" -> switch (String.valueOf(e.reason())) {
                case "program_not_found" -> 127;
                case "program_not_executable" -> 126;
                default -> ClientException.SETUP_FAILED;
            };
            case "bad_request" -> ClientException.USAGE;
            default -> ClientException.SETUP_FAILED;
        };
        return new ClientException(status == ClientException.USAGE ? RunRequest.refusal(e) : e.getMessage(), status);
    }

    private ClientException lostDaemon(Exception e) {
        return new ClientException("lost the daemon at " + client.endpoint().describe() + ": " + e.getMessage(),
                ClientException.SETUP_FAILED);
    }
}
