package dev.meridian.launcher.client;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The commands that talk to a running daemon ({@code run}, {@code ps}, {@code kill}, {@code trace},
 * {@code bundles}, {@code top}), with the JDK alone: a client start loads no OSGi framework. {@code run} without a daemon (or
 * with {@code --embedded}, {@code MERIDIAN_EMBEDDED=1}) goes to the embedded framework as before.
 */
public final class DaemonClient {

    /** What the launcher does next: exit with {@code status}, or run {@code embeddedArgs} embedded. */
    public record Route(int status, String[] embeddedArgs) {
        static Route exit(int status) {
            return new Route(status, null);
        }

        static Route embedded(List<String> args) {
            return new Route(0, args.toArray(String[]::new));
        }

        public boolean isEmbedded() {
            return embeddedArgs != null;
        }
    }

    static final String PS_HELP = """
            Usage: meridian ps [-a] [--json] [--state DIR]

            Lists the daemon's sandboxes: created and running ones, with -a the finished ones
            it keeps too. --json prints the control API's sandbox objects as one JSON array.
            """;
    static final String KILL_HELP = """
            Usage: meridian kill [--signal SIG] [--state DIR] ID

            Kills the whole process tree of sandbox ID (a unique prefix is enough); with
            --signal, sends SIG (a name like TERM or a number) to its main program instead.
            """;
    static final String TRACE_HELP = """
            Usage: meridian trace [--syscall NAMES] [--verdict VERDICTS] [--state DIR] [ID]

            Prints system calls as they are journaled, one strace-like line each:
              [pid 4242] openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3
            With ID (a unique prefix is enough): the calls of that sandbox from its start,
            until it ends. Without: the calls of every sandbox from now on, each line after
            the sandbox's short id, until interrupted (Ctrl-C; the exit status is then 130).

              --syscall NAMES      only these system calls (openat,execve; or repeat it)
              --verdict VERDICTS   only calls answered so: allow, deny, emulate, kill
                                   (comma separated, or repeat it)

            Only calls the supervisor sees are traced: under most profiles the kernel
            decides many by itself (--profile trace sends every call to the supervisor).
            """;
    static final String BUNDLES_HELP = """
            Usage: meridian bundles [list] [--state DIR]
                   meridian bundles install JAR [--state DIR]
                   meridian bundles remove NAME [--state DIR]

            Lists the daemon's bundles; installs or updates (by its symbolic name) the bundle in
            JAR while sandboxes run, rolled back if it does not resolve or start; removes a
            bundle that was deployed.
            """;
    static final String STATE_HELP = """

            The daemon is found through --state DIR, else $MERIDIAN_STATE, else
            $XDG_RUNTIME_DIR/meridian (/run/meridian for root); MERIDIAN_HOST=127.0.0.1:PORT
            with MERIDIAN_TOKEN (else STATE/token) talks to its TCP port instead.
            """;

    private static final Set<String> CLIENT_COMMANDS = Set.of("ps", "kill", "trace", "bundles", "top");
    /** The filter options of {@code trace}, each the query parameter of the same name without dashes. */
    private static final Set<String> TRACE_FILTERS = Set.of("--syscall", "--verdict");
    /** Signals that end a trace: the stream is closed and the exit status is 128 + the signal's number. */
    private static final Map<String, Integer> TRACE_STOPPERS = Map.of("INT", 2, "TERM", 15, "HUP", 1);
    private static final int SIGPIPE = 13;

    private final Map<String, String> environment;
    private final PrintStream out;

    private DaemonClient(Map<String, String> environment) {
        this.environment = environment;
        // Not System.out's default: unflushed at exit is not a risk here, and the encoding must be UTF-8.
        this.out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    }

    /** Set by bin/meridian when it started this JVM as a client: the launcher jar alone on the classpath. */
    static final String CLIENT_ONLY = "meridian.client.only";

    /** Decides how {@code args} run; runs the client commands itself. */
    public static Route route(String[] args, Map<String, String> environment) {
        Route route = decide(args, environment);
        if (route.isEmbedded() && Boolean.getBoolean(CLIENT_ONLY)) {
            // bin/meridian saw a live daemon, which then did not answer: embedded after all, over the whole lib/.
            return Route.exit(FullClassPath.runEmbedded(route.embeddedArgs()));
        }
        return route;
    }

    private static Route decide(String[] args, Map<String, String> environment) {
        if (args.length == 0) {
            return Route.embedded(List.of());
        }
        DaemonClient client = new DaemonClient(environment);
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            if (args[0].equals("run")) {
                return client.run(rest);
            }
            if (CLIENT_COMMANDS.contains(args[0])) {
                return Route.exit(client.command(args[0], rest));
            }
        } catch (ClientException e) {
            System.err.println("meridian: " + e.getMessage());
            return Route.exit(e.status());
        }
        return Route.embedded(Arrays.asList(args));
    }

    private Route run(List<String> rest) throws ClientException {
        RunRequest request = RunRequest.parse(rest);
        List<String> embedded = new ArrayList<>();
        embedded.add("run");
        embedded.addAll(request.line().argumentsWithout(rest, RunRequest.CLIENT_ONLY));
        String forced = environment.getOrDefault("MERIDIAN_EMBEDDED", "");
        if (request.help() || request.embedded() || (!forced.isEmpty() && !forced.equals("0"))) {
            return Route.embedded(embedded);
        }
        ControlEndpoint endpoint;
        try {
            endpoint = ControlEndpoint.locate(request.state(), environment);
        } catch (ClientException noStateDirectory) {
            if (request.state() != null) {
                throw noStateDirectory;
            }
            return Route.embedded(embedded);
        }
        SocketChannel connection = probe(endpoint);
        if (connection == null) {
            return Route.embedded(embedded);
        }
        return Route.exit(new RemoteRun(new ControlClient(endpoint, connection), request).run(environment));
    }

    /** A connection to the daemon, or null when none listens there. */
    private static SocketChannel probe(ControlEndpoint endpoint) {
        if (endpoint.tcp() == null && !Files.exists(endpoint.socket())) {
            return null;
        }
        try {
            return endpoint.connect();
        } catch (IOException | RuntimeException nobodyListens) {
            return null;
        }
    }

    private int command(String name, List<String> args) throws ClientException {
        Set<String> flags = switch (name) {
            case "ps" -> Set.of("-a", "--all", "--json", "--help");
            case "top" -> Set.of("-b", "--batch", "--help");
            default -> Set.of("--help");
        };
        Set<String> options = switch (name) {
            case "kill" -> Set.of("--state", "--signal");
            case "top" -> Set.of("--state", "-n", "--iterations", "--interval");
            default -> Set.of("--state");
        };
        Set<String> repeatable = name.equals("trace") ? TRACE_FILTERS : Set.of();
        CommandLine line = CommandLine.parse(args, flags, options, repeatable, false);
        if (line.has("--help")) {
            out.print(switch (name) {
                case "ps" -> PS_HELP;
                case "kill" -> KILL_HELP;
                case "trace" -> TRACE_HELP;
                case "top" -> Top.HELP;
                default -> BUNDLES_HELP;
            });
            out.print(STATE_HELP);
            return 0;
        }
        // Checked before the daemon is looked for: a bad command line is a usage error either way.
        Top.Options topOptions = name.equals("top") ? Top.Options.parse(line) : null;
        ControlEndpoint endpoint = ControlEndpoint.locate(line.value("--state"), environment);
        SocketChannel connection = probe(endpoint);
        if (connection == null) {
            throw new ClientException("no daemon runs at " + endpoint.describe() + " (start one with: meridian daemon"
                    + (endpoint.tcp() == null ? " --state " + endpoint.state() : "") + ")", ClientException.FAILED);
        }
        ControlClient client = new ControlClient(endpoint, connection);
        try {
            return switch (name) {
                case "ps" -> {
                    operands(line, 0, "ps");
                    yield new Listing(out).ps(client, line.has("-a") || line.has("--all"), line.has("--json"));
                }
                case "kill" -> kill(client, line);
                case "trace" -> trace(client, line);
                case "top" -> new Top(out).run(client, topOptions);
                default -> bundles(client, line);
            };
        } catch (ApiException e) {
            throw new ClientException(e.getMessage(), ClientException.FAILED);
        } catch (IOException | Json.ParseException e) {
            throw new ClientException("lost the daemon at " + endpoint.describe() + ": " + e.getMessage(),
                    ClientException.FAILED);
        }
    }

    private static List<String> operands(CommandLine line, int count, String command) throws ClientException {
        if (line.operands().size() != count) {
            throw ClientException.usage(command + ": " + (count == 0 ? "takes no operands" : "takes " + count
                    + " operand" + (count == 1 ? "" : "s")) + " (see meridian " + command + " --help)");
        }
        return line.operands();
    }

    private static String single(CommandLine line, String command, String what) throws ClientException {
        if (line.operands().size() != 1) {
            throw ClientException.usage(command + ": " + (line.operands().isEmpty() ? "no " + what + " given"
                    : "one " + what + " only") + " (see meridian " + command + " --help)");
        }
        return line.operands().getFirst();
    }

    private int kill(ControlClient client, CommandLine line)
            throws ClientException, IOException, ApiException, Json.ParseException {
        String id = resolve(client, single(line, "kill", "ID"));
        String signal = line.value("--signal");
        if (signal == null) {
            client.call("POST", "/v1/sandboxes/" + id + "/kill", null);
        } else {
            Object value = signal.chars().allMatch(Character::isDigit) && !signal.isEmpty()
                    ? (Object) Long.parseLong(signal) : signal;
            client.call("POST", "/v1/sandboxes/" + id + "/signal", Map.of("signal", value));
        }
        return 0;
    }

    /**
     * One sandbox through its {@code events} stream (from its start, ends with it), or every sandbox through
     * {@code trace} (from now, until a signal stops it).
     */
    private int trace(ControlClient client, CommandLine line)
            throws ClientException, IOException, ApiException, Json.ParseException {
        if (line.operands().size() > 1) {
            throw ClientException.usage("trace: one ID only (see meridian trace --help)");
        }
        String id = line.operands().isEmpty() ? null : resolve(client, line.operands().getFirst());
        String path = (id != null ? "/v1/sandboxes/" + id + "/events" : "/v1/trace") + traceQuery(line);
        WebSocket stream;
        try {
            stream = client.webSocket(path);
        } catch (ApiException e) {
            if ("bad_request".equals(e.code()) && e.field() != null && TRACE_FILTERS.contains("--" + e.field())) {
                // "syscall names system calls no shim knows: x" is about the option of that name.
                throw ClientException.usage("trace: --" + e.getMessage());
            }
            throw e;
        }
        TraceFollower follower = new TraceFollower(stream, out, id == null,
                () -> System.err.println("meridian: tracing every sandbox; Ctrl-C stops"));
        int[] stoppedBy = {0};
        List<Runnable> restorers = new ArrayList<>();
        for (Map.Entry<String, Integer> stopper : TRACE_STOPPERS.entrySet()) {
            Signal signal = new Signal(stopper.getKey());
            SignalHandler previous = Signal.handle(signal, received -> {
                stoppedBy[0] = stopper.getValue();
                follower.closeStream();
            });
            restorers.add(() -> Signal.handle(signal, previous));
        }
        try {
            // On this thread: the command is the trace.
            follower.run();
        } finally {
            restorers.forEach(Runnable::run);
            out.flush();
        }
        if (stoppedBy[0] != 0) {
            return 128 + stoppedBy[0];
        }
        if (follower.outputClosed()) {
            return 128 + SIGPIPE;
        }
        if (follower.failure() != null) {
            throw new ClientException("the trace" + (id != null ? " of " + id : "") + " stopped: "
                    + follower.failure(), ClientException.FAILED);
        }
        return 0;
    }

    /** {@code ?syscall=..&verdict=..} from the filter options (a repeated option is one comma list). */
    private static String traceQuery(CommandLine line) {
        StringBuilder query = new StringBuilder();
        for (String option : List.of("--syscall", "--verdict")) {
            List<String> values = line.values(option);
            if (!values.isEmpty()) {
                query.append(query.isEmpty() ? '?' : '&').append(option.substring(2)).append('=')
                        .append(URLEncoder.encode(String.join(",", values), StandardCharsets.UTF_8));
            }
        }
        return query.toString();
    }

    private int bundles(ControlClient client, CommandLine line)
            throws ClientException, IOException, ApiException, Json.ParseException {
        List<String> operands = line.operands();
        String action = operands.isEmpty() ? "list" : operands.getFirst();
        switch (action) {
            case "list" -> {
                operands(line, operands.isEmpty() ? 0 : 1, "bundles");
                new Listing(out).bundles(client);
            }
            case "install" -> {
                String jar = operands.size() == 2 ? operands.get(1) : null;
                if (jar == null) {
                    throw ClientException.usage("bundles install takes one JAR (see meridian bundles --help)");
                }
                install(client, Path.of(jar));
            }
            case "remove" -> {
                if (operands.size() != 2) {
                    throw ClientException.usage("bundles remove takes one NAME (see meridian bundles --help)");
                }
                client.exchange("DELETE", "/v1/bundles/" + pathSegment(operands.get(1)), null, null);
                out.println("removed " + operands.get(1));
            }
            default -> throw ClientException.usage("bundles: unknown action " + action
                    + " (list, install or remove; see meridian bundles --help)");
        }
        return 0;
    }

    private void install(ControlClient client, Path jar)
            throws ClientException, IOException, ApiException, Json.ParseException {
        String symbolicName;
        byte[] bytes;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String header = manifest == null ? null : manifest.getMainAttributes().getValue(
                    new Attributes.Name("Bundle-SymbolicName"));
            if (header == null || header.isBlank()) {
                throw new ClientException(jar + " is no OSGi bundle: its manifest has no Bundle-SymbolicName",
                        ClientException.FAILED);
            }
            // Directives such as ";singleton:=true" follow the name.
            symbolicName = header.split(";", 2)[0].strip();
            bytes = Files.readAllBytes(jar);
        } catch (IOException e) {
            throw new ClientException("cannot read the bundle " + jar + ": " + e.getMessage(),
                    ClientException.FAILED);
        }
        Http.Response response = client.exchange("PUT", "/v1/bundles/" + pathSegment(symbolicName),
                "application/java-archive", bytes);
        Map<String, Object> answer = Json.parseObject(response.text());
        Map<String, Object> bundle = Json.object(answer, "bundle");
        out.println(Json.string(answer, "action") + " " + Json.string(bundle, "symbolicName") + " "
                + Json.string(bundle, "version") + " (services away " + Json.integerOr(answer, "swapMillis", 0)
                + " ms)");
    }

    /** A symbolic name is letters, digits, '.', '-' and '_'; anything else would change the request's path. */
    private static String pathSegment(String name) throws ClientException {
        if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-'
                || c == '_')) {
            throw ClientException.usage("not a bundle symbolic name: " + name);
        }
        return name;
    }

    /** A full id, or the one sandbox whose id starts with {@code given}. */
    static String resolve(ControlClient client, String given)
            throws ClientException, IOException, ApiException, Json.ParseException {
        String prefix = given.toLowerCase(java.util.Locale.ROOT);
        if (prefix.isEmpty() || !prefix.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw ClientException.usage("not a sandbox id: " + given + " (16 hex digits, or a unique prefix)");
        }
        if (prefix.length() == 16) {
            return prefix;
        }
        List<String> matches = new ArrayList<>();
        for (Map<String, Object> sandbox : Listing.sandboxes(client, true)) {
            String id = Json.string(sandbox, "id");
            if (id.startsWith(prefix)) {
                matches.add(id);
            }
        }
        if (matches.isEmpty()) {
            throw new ClientException("no sandbox " + given, ClientException.FAILED);
        }
        if (matches.size() > 1) {
            throw new ClientException("the id prefix " + given + " is ambiguous: " + String.join(", ", matches),
                    ClientException.FAILED);
        }
        return matches.getFirst();
    }
}
