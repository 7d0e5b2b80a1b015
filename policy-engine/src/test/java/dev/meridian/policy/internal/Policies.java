package dev.meridian.policy.internal;

import dev.meridian.api.Policy;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Test helpers: load profiles and policy texts with fixed variables. */
final class Policies {

    static final Map<String, String> VARIABLES = Map.of("CWD", "/home/ann/project", "HOME", "/home/ann", "TMPDIR", "/tmp");
    static final BuiltinPolicyEngine ENGINE = new BuiltinPolicyEngine();

    private Policies() {
    }

    static Policy profiles(String... names) throws PolicyException {
        return ENGINE.load(Arrays.stream(names).map(PolicySource::profile).toList(), VARIABLES);
    }

    /** Writes {@code text} to {@code dir/fileName} and loads it after {@code profiles}. */
    static Policy text(Path dir, String fileName, String text, String... profiles) throws PolicyException, IOException {
        Path file = write(dir, fileName, text);
        List<PolicySource> sources = new java.util.ArrayList<>(Arrays.stream(profiles).map(PolicySource::profile).toList());
        sources.add(PolicySource.file(file));
        return ENGINE.load(sources, VARIABLES);
    }

    static Path write(Path dir, String fileName, String text) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        return file;
    }

    /** The problems a policy text has, one per line. */
    static String problems(Path dir, String fileName, String text) throws IOException {
        try {
            text(dir, fileName, text);
        } catch (PolicyException e) {
            return e.getMessage();
        }
        throw new AssertionError("the policy loaded without problems:\n" + text);
    }
}
