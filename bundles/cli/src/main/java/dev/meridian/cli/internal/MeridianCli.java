package dev.meridian.cli.internal;

import dev.meridian.api.MetricsExporter;
import dev.meridian.api.NorthShim;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SyscallBus;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code meridian} command. The launcher finds this service by the {@code meridian.cli}
 * property and hands it the command line; the result is the process's exit status.
 */
@Component(service = ToIntFunction.class, property = "meridian.cli=true")
public final class MeridianCli implements ToIntFunction<String[]> {

    static final String HELP = """
            Usage: meridian COMMAND [OPTIONS]

            Runs unmodified Linux programs in sandboxes, every system call on the syscall bus.

            Commands:
              run       run a program in a sandbox          (meridian run --help)
              ps        list the daemon's sandboxes         (meridian ps --help)
              kill      kill or signal a daemon's sandbox   (meridian kill --help)
              trace     follow a sandbox's system calls     (meridian trace --help)
              top       live call rates of the daemon       (meridian top --help)
              bundles   list, install, remove bundles       (meridian bundles --help)
              journal   show what sandboxes recorded        (meridian journal --help)
              policy    check, explain and learn policies   (meridian policy --help)

            Set MERIDIAN_DEBUG=1 to see stack traces of internal errors.
            """;

    @Reference
    private SandboxManager sandboxes;

    @Reference
    private SyscallBus bus;

    @Reference
    private PolicyEngine policies;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<NorthShim> shims;

    /**
     * Service objects, not the service: the metrics component is delayed, and only a run with --metrics-port gets it,
     * so other commands do not start counting (or load the Prometheus client).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ComponentServiceObjects<MetricsExporter> metrics;

    @Override
    public int applyAsInt(String[] argv) {
        List<String> args = Arrays.asList(argv);
        try {
            if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("help")) {
                System.out.print(HELP);
                return args.isEmpty() ? 2 : 0;
            }
            List<String> rest = args.subList(1, args.size());
            return switch (args.getFirst()) {
                case "run" -> new RunCommand(sandboxes, bus, metrics).run(rest);
                case "policy" -> new PolicyCommand(policies, bus, new RunCommand(sandboxes, bus, null)).run(rest);
                case "journal" -> new JournalCommand(bus, () -> shims == null ? List.of() : shims).run(rest);
                default -> throw new UsageException("unknown command: " + args.getFirst() + " (see meridian --help)");
            };
        } catch (UsageException e) {
            System.err.println("meridian: " + e.getMessage());
            return 2;
        } catch (CommandException e) {
            System.err.println("meridian: " + e.getMessage());
            return e.status();
        } catch (RuntimeException e) {
            System.err.println("meridian: internal error: " + e);
            if (System.getenv("MERIDIAN_DEBUG") != null) {
                e.printStackTrace();
            }
            return CommandException.SETUP_FAILED;
        }
    }
}
