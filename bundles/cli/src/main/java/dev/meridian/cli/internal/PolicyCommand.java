package dev.meridian.cli.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.FileRules;
import dev.meridian.api.Isolation;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.SyscallFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** {@code meridian policy}: list, check, explain and learn policies. */
final class PolicyCommand {

    static final String HELP = """
            Usage: meridian policy COMMAND [OPTIONS]

            Commands:
              profiles                       list the built-in profiles
              check FILE...                  check policy files; problems are reported as
                                             FILE:LINE:COLUMN: cause, and the status is 1
              explain [--profile NAME]... [--policy FILE]... [FILE...]
                                             show, rule by rule, which layer enforces the
                                             composed policy (Landlock, seccomp-BPF, supervisor)
                                             and why
              learn -o FILE [--extends NAME] [--name NAME] [--journal DIR] -- PROGRAM [ARGS...]
                                             run PROGRAM under the trace profile and write the
                                             smallest policy that lets it run again

            Policies compose in the order given; see docs/policy.md for the language.
            """;

    private final PolicyEngine engine;
    private final SyscallBus bus;
    private final RunCommand runner;

    PolicyCommand(PolicyEngine engine, SyscallBus bus, RunCommand runner) {
        this.engine = engine;
        this.bus = bus;
        this.runner = runner;
    }

    int run(List<String> args) throws UsageException, CommandException {
        if (args.isEmpty() || args.getFirst().equals("--help")) {
            System.out.print(HELP);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "profiles" -> profiles(rest);
            case "check" -> check(rest);
            case "explain" -> explain(rest);
            case "learn" -> learn(rest);
            default -> throw new UsageException("policy: unknown command: " + args.getFirst()
                    + " (see meridian policy --help)");
        };
    }

    private int profiles(List<String> args) throws UsageException {
        CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of(), false);
        if (line.has("--help") || !line.operands().isEmpty()) {
            return helpOrUsage(line, "policy profiles takes no arguments");
        }
        engine.profiles().forEach(System.out::println);
        return 0;
    }

    private int check(List<String> args) throws UsageException {
        CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of(), false);
        if (line.has("--help") || line.operands().isEmpty()) {
            return helpOrUsage(line, "policy check: no policy file given");
        }
        int status = 0;
        for (String file : line.operands()) {
            try {
                Policy policy = load(List.of(PolicySource.file(Path.of(file).toAbsolutePath())));
                System.out.println(file + ": ok (" + policy.placements().size() + " rules)");
            } catch (PolicyException e) {
                System.out.println(e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    private int explain(List<String> args) throws UsageException, CommandException {
        CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of(), RunCommand.POLICY_OPTIONS, false);
        if (line.has("--help")) {
            System.out.print(HELP);
            return 0;
        }
        List<PolicySource> sources = new ArrayList<>(RunCommand.policySources(line, List.of()));
        line.operands().forEach(file -> sources.add(PolicySource.file(Path.of(file).toAbsolutePath())));
        if (sources.isEmpty()) {
            sources.add(PolicySource.profile(RunCommand.DEFAULT_PROFILE));
        }
        Policy policy;
        try {
            policy = load(sources);
        } catch (PolicyException e) {
            throw new CommandException(e.getMessage(), 1);
        }
        System.out.print(explanation(policy));
        return 0;
    }

    /** The placements as a table, then what each kernel layer holds. */
    static String explanation(Policy policy) {
        StringBuilder text = new StringBuilder("policy ").append(policy.name()).append('\n');
        List<RulePlacement> placements = policy.placements();
        int ruleWidth = placements.stream().mapToInt(p -> p.rule().length()).max().orElse(4);
        String format = "  %-15s %-" + ruleWidth + "s  %s%n";
        text.append(String.format(format, "LAYER", "RULE", "WHY"));
        for (RulePlacement placement : placements) {
            text.append(String.format(format, layerName(placement.layer()), placement.rule(), placement.reason()));
        }
        Confinement confinement = policy.confinement();
        SyscallFilter filter = confinement.syscalls();
        long numbers = filter.rules().stream().mapToInt(SyscallFilter.Rule::number).distinct().count();
        long notified = filter.rules().stream().filter(r -> r.action() == SyscallFilter.Action.NOTIFY)
                .mapToInt(SyscallFilter.Rule::number).distinct().count();
        text.append("kernel layers:\n");
        text.append("  seccomp-bpf:    default ").append(actionName(filter.defaultAction())).append(", ")
                .append(filter.rules().size()).append(" rules on ").append(numbers).append(" system calls, ")
                .append(notified).append(" of them sent to the supervisor\n");
        FileRules files = confinement.files();
        text.append("  landlock files: ").append(files == null ? "not restricted"
                : files.grants().size() + " grants; restricts " + files.handled().stream()
                        .map(a -> a.name().toLowerCase(Locale.ROOT)).sorted().collect(Collectors.joining(", ")))
                .append('\n');
        NetworkRules network = confinement.network();
        text.append("  landlock tcp:   ").append(network == null ? "not restricted"
                : "connect " + ports(network, NetworkRules.Direction.CONNECT) + "; bind "
                        + ports(network, NetworkRules.Direction.BIND)).append('\n');
        List<String> scopes = new ArrayList<>();
        if (confinement.scopeSignals()) {
            scopes.add("signals");
        }
        if (confinement.scopeAbstractUnixSockets()) {
            scopes.add("abstract unix sockets");
        }
        text.append("  landlock scope: ").append(scopes.isEmpty() ? "none" : String.join(", ", scopes)).append('\n');
        return text.toString();
    }

    private static String ports(NetworkRules network, NetworkRules.Direction direction) {
        TreeSet<Integer> ports = network.grants().stream().filter(g -> g.direction() == direction)
                .map(NetworkRules.Grant::port).collect(Collectors.toCollection(TreeSet::new));
        return ports.isEmpty() ? "none" : ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String layerName(RulePlacement.Layer layer) {
        return switch (layer) {
            case ACCESS_CONTROL -> "landlock";
            case SYSCALL_FILTER -> "seccomp-bpf";
            case SUPERVISOR -> "supervisor";
            case ISOLATION -> "namespaces";
        };
    }

    private static String actionName(SyscallFilter.Action action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    private int learn(List<String> args) throws UsageException, CommandException {
        CommandLine line = CommandLine.parse(args, Set.of("--help"),
                Set.of("-o", "--output", "--extends", "--name", "--journal"), true);
        if (line.has("--help")) {
            System.out.print(HELP);
            return 0;
        }
        String output = line.value("-o") != null ? line.value("-o") : line.value("--output");
        if (output == null) {
            throw new UsageException("policy learn: say where to write the policy with -o FILE");
        }
        if (line.operands().isEmpty()) {
            throw new UsageException("policy learn: no program given (see meridian policy --help)");
        }
        Path target = Path.of(output).toAbsolutePath();
        if (target.getParent() != null && !Files.isDirectory(target.getParent())) {
            throw new CommandException("cannot write " + output + ": " + target.getParent() + " is not a directory");
        }
        Path journal = (line.value("--journal") != null ? Path.of(line.value("--journal")) : Locations.defaultJournal())
                .toAbsolutePath();
        Path directory = Path.of("").toAbsolutePath();
        SandboxSpec spec = new SandboxSpec(line.operands(), System.getenv(), directory,
                List.of(PolicySource.profile("trace")), Isolation.DEFAULT, journal);
        RunCommand.Finished finished = runner.execute(spec, null);

        String name = line.value("--name") != null ? line.value("--name") : baseName(target);
        String origin = "sandbox " + SandboxIds.format(finished.sandboxId()) + ": " + String.join(" ", line.operands());
        String yaml;
        try (JournalReader reader = bus.reader(journal)) {
            List<PolicyLearner> learner = new ArrayList<>(1);
            reader.entries(new JournalQuery(finished.sandboxId(), null, null, null, null), entry -> {
                if (learner.isEmpty()) {
                    NorthShim shim = bus.shimFor(entry.abi());
                    if (shim == null) {
                        return;
                    }
                    learner.add(new PolicyLearner(shim, directory));
                }
                learner.getFirst().accept(entry);
            });
            if (learner.isEmpty()) {
                throw new CommandException("the run journaled no calls with a known ABI: nothing to learn from");
            }
            yaml = learner.getFirst().toYaml(name, origin, line.value("--extends"));
        } catch (JournalException e) {
            throw new CommandException(e.getMessage());
        }
        try {
            Files.writeString(target, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandException("cannot write " + output + ": " + IoErrors.describe(e));
        }
        try {
            load(List.of(PolicySource.file(target)));
        } catch (PolicyException e) {
            throw new CommandException("the learned policy does not load (please report this): " + e.getMessage());
        }
        System.err.println("meridian: wrote " + output + " (the program exited with status " + finished.status() + ")");
        return finished.status();
    }

    private Policy load(List<PolicySource> sources) throws PolicyException {
        Path directory = Path.of("").toAbsolutePath();
        Map<String, String> variables = SandboxSpec.policyVariables(directory, System.getenv());
        return engine.load(sources, variables);
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static int helpOrUsage(CommandLine line, String problem) throws UsageException {
        if (line.has("--help")) {
            System.out.print(HELP);
            return 0;
        }
        throw new UsageException(problem);
    }
}
