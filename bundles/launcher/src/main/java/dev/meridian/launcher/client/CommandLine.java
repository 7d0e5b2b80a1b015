package dev.meridian.launcher.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --flag}, {@code --option VALUE}, {@code --option=VALUE} and operands, with the same rules and messages as
 * the CLI bundle's parser (a client run must answer a bad command line as an embedded one does): with
 * {@code stopAtOperand} the first operand or {@code --} ends the options; {@code repeatable} options keep their
 * order.
 */
final class CommandLine {

    record Option(String name, String value) {
    }

    private final Set<String> flags = new HashSet<>();
    private final Map<String, String> values = new HashMap<>();
    private final List<Option> given = new ArrayList<>();
    private final List<String> operands = new ArrayList<>();
    /** An option or flag as it stands in the arguments: its name and the index of its last argument (its value). */
    private record Span(String name, int last) {
    }

    /** By the index of each option's first argument. */
    private final Map<Integer, Span> spans = new HashMap<>();

    private CommandLine() {
    }

    static CommandLine parse(List<String> args, Set<String> knownFlags, Set<String> knownOptions,
            Set<String> repeatable, boolean stopAtOperand) throws ClientException {
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
            int first = i;
            if (knownFlags.contains(name) && inlineValue == null) {
                parsed.flags.add(name);
                parsed.spans.put(first, new Span(name, first));
                i++;
            } else if (knownOptions.contains(name) || repeatable.contains(name)) {
                String value = inlineValue;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw ClientException.usage("option " + name + " needs a value");
                    }
                    value = args.get(i + 1);
                    i++;
                }
                if (parsed.values.put(name, value) != null && !repeatable.contains(name)) {
                    throw ClientException.usage("option " + name + " given twice");
                }
                parsed.given.add(new Option(name, value));
                parsed.spans.put(first, new Span(name, i));
                i++;
            } else if (knownFlags.contains(name)) {
                throw ClientException.usage("option " + name + " takes no value");
            } else {
                throw ClientException.usage("unknown option: " + arg);
            }
        }
        parsed.operands.addAll(args.subList(i, args.size()));
        return parsed;
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    String value(String option) {
        return values.get(option);
    }

    List<Option> all(Set<String> options) {
        List<Option> matching = new ArrayList<>();
        for (Option option : given) {
            if (options.contains(option.name())) {
                matching.add(option);
            }
        }
        return matching;
    }

    List<String> values(String name) {
        List<String> matching = new ArrayList<>();
        for (Option option : all(Set.of(name))) {
            matching.add(option.value());
        }
        return matching;
    }

    List<String> operands() {
        return operands;
    }

    /**
     * The arguments without the options and flags named in {@code drop} (with their values), operands untouched:
     * what the embedded command line gets when these are client-only.
     */
    List<String> argumentsWithout(List<String> args, Set<String> drop) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Span span = spans.get(i);
            if (span != null && drop.contains(span.name())) {
                i = span.last();
                continue;
            }
            kept.add(args.get(i));
        }
        return kept;
    }
}
