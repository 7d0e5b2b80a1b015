package dev.meridian.cli.internal;

import dev.meridian.api.Isolation;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallBus;
import dev.meridian.policy.PolicyExplanation;
import dev.meridian.policy.PolicyWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
                                             smallest policy that lets it run again: alone, it
                                             denies every other call, file, port and socket
                                             family; with --extends, it adds to that profile

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
        System.out.print(PolicyExplanation.explain(policy));
        return 0;
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
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new UsageException("policy learn: a policy name is letters, digits, '.', '_' and '-': " + name
                    + " (use --name)");
        }
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
            yaml = PolicyWriter.learned(name, line.value("--extends"), learner.getFirst().observed(),
                    SandboxSpec.policyVariables(directory, System.getenv()));
            if (learner.getFirst().unresolved() > 0) {
                System.err.println("meridian: " + learner.getFirst().unresolved() + " file accesses or socket families"
                        + " could not be resolved from the journal (paths relative to directory descriptors, or cut"
                        + " at the capture bound): if the program needs them, grant them by hand");
            }
        } catch (JournalException e) {
            throw new CommandException(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandException("cannot write the learned policy: " + e.getMessage());
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
        System.err.println("meridian: wrote " + output + " from sandboxed run " + SandboxIds.format(finished.sandboxId())
                + " (the program exited with status " + finished.status() + ")");
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
