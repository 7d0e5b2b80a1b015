package dev.meridian.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run and how.
 *
 * @param command the program and its arguments; the program is looked up in {@code PATH} when
 *     it has no slash
 * @param environment the guest's environment
 * @param workingDirectory the guest's working directory
 * @param policies the policies the sandbox is confined by, composed in order (at least one)
 * @param isolation namespaces, mounts and limits
 * @param journalDirectory where the sandbox's calls are journaled
 * @param stdio where the guest's standard streams go
 */
public record SandboxSpec(
        List<String> command,
        Map<String, String> environment,
        Path workingDirectory,
        List<PolicySource> policies,
        Isolation isolation,
        Path journalDirectory,
        Stdio stdio) {

    /** A spec whose guest shares the supervisor's standard streams (an embedded run). */
    public SandboxSpec(List<String> command, Map<String, String> environment, Path workingDirectory,
            List<PolicySource> policies, Isolation isolation, Path journalDirectory) {
        this(command, environment, workingDirectory, policies, isolation, journalDirectory, Stdio.INHERIT);
    }

    public SandboxSpec {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        policies = List.copyOf(policies);
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(journalDirectory, "journalDirectory");
        Objects.requireNonNull(stdio, "stdio");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no program to run");
        }
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("no policy: name at least one profile or file");
        }
    }

    /**
     * The {@code ${NAME}} values policy paths may use, as the guest will see them: {@code CWD},
     * {@code HOME} and {@code TMPDIR}.
     */
    public Map<String, String> policyVariables() {
        return policyVariables(workingDirectory, environment);
    }

    /** {@link #policyVariables()} for a guest that would run in {@code directory} with {@code environment}. */
    public static Map<String, String> policyVariables(Path directory, Map<String, String> environment) {
        return Map.of(
                "CWD", directory.toString(),
                "HOME", environment.getOrDefault("HOME", "/"),
                "TMPDIR", environment.getOrDefault("TMPDIR", "/tmp"));
    }

    /** The policies as the user named them, joined with {@code +}: {@code default+app.yaml}. */
    public String policyLabel() {
        StringBuilder label = new StringBuilder();
        for (PolicySource source : policies) {
            label.append(label.isEmpty() ? "" : "+").append(source);
        }
        return label.toString();
    }
}
