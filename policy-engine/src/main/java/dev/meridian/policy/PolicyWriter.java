package dev.meridian.policy;

import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the policy {@code meridian policy learn} learned from a traced run, in the policy
 * language: it allows exactly what was seen, either on top of a base profile (e.g.
 * {@code strict}) or, without one, as a policy of its own that denies everything else (system
 * calls, files, TCP ports, socket families).
 * Paths under a variable's value are written with the variable, so the policy moves with the
 * working directory and the home directory.
 */
public final class PolicyWriter {

    /**
     * What a traced run used. Paths are canonical and absolute.
     *
     * @param syscalls system call names (x86-64 kernel names)
     * @param read files and directories read
     * @param written existing files written
     * @param created files created (their directories get the create grant Landlock needs)
     * @param deleted files removed or renamed away (their directories get the delete grant)
     * @param executed programs executed
     * @param connectPorts TCP ports connected to
     * @param bindPorts TCP ports bound
     * @param families socket families used, by the policy language's names ({@code unix}, {@code inet}...)
     */
    public record Observed(Collection<String> syscalls, Collection<String> read, Collection<String> written,
            Collection<String> created, Collection<String> deleted, Collection<String> executed, Collection<Integer> connectPorts,
            Collection<Integer> bindPorts, Collection<String> families) {
    }

    private PolicyWriter() {
    }

    /**
     * The policy text.
     *
     * @param name the policy's name (letters, digits, '.', '_', '-')
     * @param base the profile it extends, e.g. {@code strict}, or {@code null} for a policy that
     *     stands alone and denies what the run did not use
     * @param variables e.g. CWD, HOME, TMPDIR with their values, to write paths with
     * @throws IllegalArgumentException for a system call x86-64 does not have or a path the
     *     language cannot hold (relative, or with glob characters)
     */
    public static String learned(String name, String base, Observed observed, Map<String, String> variables) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("# Learned by meridian policy learn: allows what one traced run used")
                .append(base == null ? ", and nothing else" : ", on top of " + base).append(".\n");
        yaml.append("meridian-policy: 1\n");
        yaml.append("name: ").append(name).append('\n');
        if (base != null) {
            yaml.append("extends: [").append(base).append("]\n");
        }
        TreeSet<String> syscalls = new TreeSet<>();
        for (String call : observed.syscalls()) {
            if (LinuxX86_64Syscalls.byName(call) == null) {
                throw new IllegalArgumentException("unknown system call " + call);
            }
            syscalls.add(call);
        }
        boolean alone = base == null;
        if (!syscalls.isEmpty()) {
            yaml.append("\nsyscalls:\n").append(alone ? "  default: deny\n" : "")
                    .append("  rules:\n    - id: learned\n      action: allow\n      names: ")
                    .append(flow(new ArrayList<>(syscalls))).append('\n');
        }
        List<String> grants = new ArrayList<>();
        grant(grants, "read", observed.read(), "read", variables);
        grant(grants, "write", observed.written(), "read, write", variables);
        grant(grants, "create", observed.created().stream().map(PolicyWriter::parent).toList(), "read, write, create", variables);
        grant(grants, "delete", observed.deleted().stream().map(PolicyWriter::parent).toList(), "read, delete", variables);
        grant(grants, "exec", observed.executed(), "read, exec", variables);
        if (!grants.isEmpty()) {
            yaml.append("\nfiles:\n  allow:\n");
            grants.forEach(yaml::append);
        }
        if (alone || !observed.connectPorts().isEmpty() || !observed.bindPorts().isEmpty()) {
            // On a base, ports need the inet families whatever the base allows; alone, exactly those used.
            List<String> families = alone ? new ArrayList<>(new TreeSet<>(observed.families()))
                    : List.of("unix", "inet", "inet6");
            yaml.append("\nnetwork:\n  families: ").append(flow(families)).append("\n  tcp:\n");
            yaml.append("    connect: ").append(flow(sortedPorts(observed.connectPorts()))).append('\n');
            yaml.append("    bind: ").append(flow(sortedPorts(observed.bindPorts()))).append('\n');
        }
        return yaml.toString();
    }

    private static void grant(List<String> grants, String id, Collection<String> paths, String access, Map<String, String> variables) {
        TreeSet<String> written = new TreeSet<>();
        for (String path : paths) {
            if (!path.startsWith("/") || path.indexOf('*') >= 0 || path.indexOf('?') >= 0) {
                throw new IllegalArgumentException("a learned path must be absolute and without glob characters: " + path);
            }
            written.add(quote(withVariables(path, variables)));
        }
        if (!written.isEmpty()) {
            grants.add("    - id: " + id + "\n      access: [" + access + "]\n      paths: [" + String.join(", ", written) + "]\n");
        }
    }

    /** {@code path} with the longest matching variable value replaced by the variable. */
    static String withVariables(String path, Map<String, String> variables) {
        return variables.entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue().startsWith("/") && e.getValue().length() > 1)
                .map(e -> Map.entry(e.getKey(), e.getValue().endsWith("/") ? e.getValue().substring(0, e.getValue().length() - 1) : e.getValue()))
                .filter(e -> path.equals(e.getValue()) || path.startsWith(e.getValue() + "/"))
                .max(Comparator.comparingInt(e -> e.getValue().length()))
                .map(e -> "${" + e.getKey() + "}" + path.substring(e.getValue().length()))
                .orElse(path);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private static List<String> sortedPorts(Collection<Integer> ports) {
        return new TreeSet<>(ports).stream().map(String::valueOf).toList();
    }

    private static String flow(List<String> items) {
        return items.stream().collect(Collectors.joining(", ", "[", "]"));
    }

    /** A YAML double-quoted string (JSON escapes are valid YAML). */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
