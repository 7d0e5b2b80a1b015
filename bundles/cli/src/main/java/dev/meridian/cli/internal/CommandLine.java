package dev.meridian.cli.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --flag}, {@code --option VALUE}, {@code --option=VALUE} and the operands after
 * them. With {@code stopAtOperand}, the first operand (or {@code --}) ends option parsing, so a
 * program's own flags reach the program untouched. Options named in {@code repeatable} may be
 * given more than once; their values keep the order they were given in.
 */
final class CommandLine {

    /** One option as given, in command-line order. */
    record Option(String name, String value) {
    }

    private final Set<String> flags = new HashSet<>();
    private final Map<String, String> values = new HashMap<>();
    private final List<Option> given = new ArrayList<>();
    private final List<String> operands = new ArrayList<>();

    private CommandLine() {
    }

    static CommandLine parse(List<String> args, Set<String> knownFlags, Set<String> knownOptions,
            boolean stopAtOperand) throws UsageException {
        return parse(args, knownFlags, knownOptions, Set.of(), stopAtOperand);
    }

    static CommandLine parse(List<String> args, Set<String> knownFlags, Set<String> knownOptions,
            Set<String> repeatable, boolean stopAtOperand) throws UsageException {
        CommandLine parsed = new CommandLine();
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                if (stopAtOperand) {
                    break;
                }
                parsed.operands.add(arg);
                i++;
                continue;
            }
            String name = arg;
            String inlineValue = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                inlineValue = arg.substring(equals + 1);
            }
            if (knownFlags.contains(name) && inlineValue == null) {
                parsed.flags.add(name);
                i++;
            } else if (knownOptions.contains(name) || repeatable.contains(name)) {
                String value = inlineValue;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("option " + name + " needs a value");
                    }
                    value = args.get(i + 1);
                    i++;
                }
                if (parsed.values.put(name, value) != null && !repeatable.contains(name)) {
                    throw new UsageException("option " + name + " given twice");
                }
                parsed.given.add(new Option(name, value));
                i++;
            } else if (knownFlags.contains(name)) {
                throw new UsageException("option " + name + " takes no value");
            } else {
                throw new UsageException("unknown option: " + arg);
            }
        }
        parsed.operands.addAll(args.subList(i, args.size()));
        return parsed;
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    /** The value of a non-repeatable option, or {@code null}. */
    String value(String option) {
        return values.get(option);
    }

    /** Every value given for the named options, in command-line order. */
    List<Option> all(Set<String> options) {
        return given.stream().filter(option -> options.contains(option.name())).toList();
    }

    /** Every value of one repeatable option, in command-line order. */
    List<String> values(String option) {
        return all(Set.of(option)).stream().map(Option::value).toList();
    }

    List<String> operands() {
        return operands;
    }
}
