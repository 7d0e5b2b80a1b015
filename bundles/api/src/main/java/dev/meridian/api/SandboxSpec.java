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
 * @param profile the policy profile the calls are judged by
 * @param journalDirectory where the sandbox's calls are journaled
 */
public record SandboxSpec(
        List<String> command,
        Map<String, String> environment,
        Path workingDirectory,
        String profile,
        Path journalDirectory) {

    public SandboxSpec {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(journalDirectory, "journalDirectory");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no program to run");
        }
    }
}
