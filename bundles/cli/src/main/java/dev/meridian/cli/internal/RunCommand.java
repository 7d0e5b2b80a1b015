package dev.meridian.cli.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalReader;
import dev.meridian.api.MetricsExporter;
import dev.meridian.api.PolicySource;
import dev.meridian.api.PolicyException;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallBus;
import java.io.Console;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.osgi.service.component.ComponentServiceObjects;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code meridian run}: one sandbox, in the foreground, exiting with the guest's status. */
final class RunCommand {

    static final String HELP = """
            Usage: meridian run [OPTIONS] [--] PROGRAM [ARGS...]

            Runs PROGRAM in a sandbox and exits with its status (128+N if signal N killed it).
            Every notified system call goes through the syscall bus into the journal: all of
            them under --profile trace; under other profiles the kernel decides most calls and
            the supervisor sees only what the policy sends it (denials, supervised rules).

            Options:
              --trace              write one strace-like line per call to stderr
              --trace-file FILE    write the trace to FILE instead
              --journal DIR        journal directory (default: $XDG_STATE_HOME/meridian/journal,
                                   or ~/.local/state/meridian/journal)
              --profile NAME       a built-in policy profile: default, strict, build,
                                   net-client, trace (allow all, see all)
              --policy FILE        a policy file (YAML, or an OCI/Docker seccomp JSON profile)
                                   --profile and --policy repeat and compose in the order given;
                                   without either, the profile is "default"
              --metrics-port N     serve this run's Prometheus metrics on http://127.0.0.1:N/metrics
                                   while it runs (docs/observability.md); the run is then embedded
                                   even when a daemon runs (a daemon's runs are on its own /metrics)
              --state DIR          run through the daemon of DIR (default: $MERIDIAN_STATE, else
                                   $XDG_RUNTIME_DIR/meridian); with none running there, run here
              --embedded           run here even when a daemon runs (or MERIDIAN_EMBEDDED=1)
              --help               show this help

            """;

    private static final String EXIT_STATUS_HELP = """

            Exit status: the program's; 125 if the sandbox could not be set up; 126 if PROGRAM
            is not executable; 127 if it does not exist; 2 for a bad command line.
            """;

    /**
     * Signals the guest should see when they reach Meridian. SIGQUIT stays the JVM's (thread
     * dumps). SIGINT typed at a terminal reaches the guest straight from the tty, so it is
     * forwarded only when Meridian is not on a terminal (a {@code kill -INT} by another program).
     */
    private static final List<String> ALWAYS_FORWARDED = List.of("TERM", "HUP", "USR1", "USR2");

    private static final long TRACE_DRAIN_MILLIS = 30_000;

    private final SandboxManager sandboxes;
    private final SyscallBus bus;
    private final EntryFormat format;
    private final ComponentServiceObjects<MetricsExporter> metrics;

    /** @param metrics the metrics exporter's service objects (got only for --metrics-port), or null when none runs */
    RunCommand(SandboxManager sandboxes, SyscallBus bus, ComponentServiceObjects<MetricsExporter> metrics) {
        this.sandboxes = sandboxes;
        this.bus = bus;
        this.format = new EntryFormat(bus);
        this.metrics = metrics;
    }

    static final String DEFAULT_PROFILE = "default";
    static final Set<String> POLICY_OPTIONS = Set.of("--profile", "--policy");

    /** How a sandbox ended. */
    record Finished(long sandboxId, int status) {
    }

    int run(List<String> args) throws UsageException, CommandException {
        CommandLine line = CommandLine.parse(args, union(Set.of("--trace", "--help"), IsolationOptions.FLAGS),
                union(Set.of("--trace-file", "--journal", "--metrics-port"), IsolationOptions.OPTIONS),
                union(POLICY_OPTIONS, IsolationOptions.REPEATABLE), true);
        if (line.has("--help")) {
            System.out.print(HELP);
            System.out.print(IsolationOptions.HELP);
            System.out.print(EXIT_STATUS_HELP);
            return 0;
        }
        if (line.operands().isEmpty()) {
            throw new UsageException("run: no program given (see meridian run --help)");
        }
        if (line.has("--trace") && line.value("--trace-file") != null) {
            throw new UsageException("run: --trace and --trace-file exclude each other");
        }
        String metricsPortValue = line.value("--metrics-port");
        Integer metricsPort = metricsPortValue == null ? null : MetricsServer.port(metricsPortValue);
        Path journal = line.value("--journal") != null ? Path.of(line.value("--journal")) : Locations.defaultJournal();
        SandboxSpec spec = new SandboxSpec(line.operands(), System.getenv(), Path.of("").toAbsolutePath(),
                policySources(line, List.of(PolicySource.profile(DEFAULT_PROFILE))), IsolationOptions.parse(line),
                journal.toAbsolutePath());
        if (metricsPort == null) {
            try (PrintWriter trace = openTrace(line)) {
                return execute(spec, trace).status();
            }
        }
        // Got before the sandbox starts, so the metrics count its calls from the first on.
        MetricsExporter exporter = metrics == null ? null : metrics.getService();
        if (exporter == null) {
            throw new CommandException("run: --metrics-port needs the metrics of the observability bundle "
                    + "(dev.meridian.observability), which is not running");
        }
        MetricsServer server = null;
        try (PrintWriter trace = openTrace(line)) {
            server = MetricsServer.start(metricsPort, exporter);
            return execute(spec, trace).status();
        } finally {
            if (server != null) {
                server.close();
            }
            metrics.ungetService(exporter);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> union = new HashSet<>(a);
        union.addAll(b);
        return union;
    }

    /** The --profile and --policy options in command-line order, or {@code whenNone}. */
    static List<PolicySource> policySources(CommandLine line, List<PolicySource> whenNone) {
        List<PolicySource> sources = new ArrayList<>();
        for (CommandLine.Option option : line.all(POLICY_OPTIONS)) {
            sources.add(option.name().equals("--profile")
                    ? PolicySource.profile(option.value())
                    : PolicySource.file(Path.of(option.value()).toAbsolutePath()));
        }
        return sources.isEmpty() ? whenNone : sources;
    }

    /**
     * Runs one sandbox in the foreground, forwarding signals to it and writing its calls to
     * {@code trace} (when not null) as they are journaled.
     */
    Finished execute(SandboxSpec spec, PrintWriter trace) throws CommandException {
        Sandbox sandbox = start(spec);
        List<Runnable> handlers = forwardSignals(sandbox);
        try (JournalReader reader = trace == null ? null : bus.reader(spec.journalDirectory());
                JournalReader.Follow follow = reader == null ? null
                        : reader.follow(sandbox.id(), entry -> trace.println(format.traceLine(entry)))) {
            ExitStatus status = sandbox.exit().get();
            if (follow != null && !follow.awaitEnd(TRACE_DRAIN_MILLIS)) {
                throw new CommandException("the trace stopped before the sandbox's end was read");
            }
            return new Finished(sandbox.id(), status.shellStatus());
        } catch (JournalException e) {
            throw new CommandException(e.getMessage());
        } catch (ExecutionException e) {
            throw new CommandException("sandbox " + sandbox.displayId() + " failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sandbox.kill();
            throw new CommandException("interrupted");
        } finally {
            handlers.forEach(Runnable::run);
        }
    }

    private Sandbox start(SandboxSpec spec) throws CommandException {
        try {
            return sandboxes.start(spec);
        } catch (SandboxException e) {
            int status = switch (e.kind()) {
                case PROGRAM_NOT_FOUND -> 127;
                case PROGRAM_NOT_EXECUTABLE -> 126;
                default -> CommandException.SETUP_FAILED;
            };
            throw new CommandException(e.getMessage(), status);
        } catch (PolicyException e) {
            throw new CommandException(e.getMessage());
        }
    }

    private static PrintWriter openTrace(CommandLine line) throws CommandException {
        if (line.has("--trace")) {
            // Straight to fd 2, flushed line by line, so trace and guest stderr interleave in order.
            return new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                    StandardCharsets.UTF_8), true) {
                @Override
                public void close() {
                    flush();
                }
            };
        }
        String file = line.value("--trace-file");
        if (file == null) {
            return null;
        }
        try {
            // A file is written in blocks and flushed when the run ends.
            return new PrintWriter(Files.newBufferedWriter(Path.of(file), StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException e) {
            throw new CommandException("cannot write trace file " + file + ": " + IoErrors.describe(e));
        }
    }

    /** Installs the forwarding handlers; each returned action puts the previous handler back. */
    private static List<Runnable> forwardSignals(Sandbox sandbox) {
        List<Runnable> restorers = new ArrayList<>();
        List<String> forwarded = new ArrayList<>(ALWAYS_FORWARDED);
        Console console = System.console();
        if (console == null || !console.isTerminal()) {
            forwarded.add("INT");
        }
        for (String name : forwarded) {
            Signal signal = new Signal(name);
            SignalHandler previous = Signal.handle(signal, received -> sandbox.process().signal(received.getNumber()));
            restorers.add(() -> Signal.handle(signal, previous));
        }
        return restorers;
    }
}
