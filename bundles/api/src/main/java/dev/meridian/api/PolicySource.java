package dev.meridian.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One policy a sandbox is confined by: a built-in profile or a policy file (YAML, or an
 * OCI/Docker seccomp JSON profile). A sandbox's sources are composed in order, later ones
 * refining earlier ones.
 *
 * @param profile the built-in profile's name, or {@code null} for a file
 * @param file the policy file, or {@code null} for a profile
 */
public record PolicySource(String profile, Path file) {

    public PolicySource {
        if ((profile == null) == (file == null)) {
            throw new IllegalArgumentException("a policy source is a profile or a file, not both or neither");
        }
    }

    public static PolicySource profile(String name) {
        return new PolicySource(Objects.requireNonNull(name, "name"), null);
    }

    public static PolicySource file(Path file) {
        return new PolicySource(null, Objects.requireNonNull(file, "file"));
    }

    /** The profile name or the file path, as a user wrote it. */
    @Override
    public String toString() {
        return profile != null ? profile : file.toString();
    }
}
