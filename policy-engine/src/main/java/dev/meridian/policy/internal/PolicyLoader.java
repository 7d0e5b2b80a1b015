package dev.meridian.policy.internal;

import dev.meridian.api.PolicySource;
import dev.meridian.policy.internal.PolicyDocument.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads policy sources and everything they extend, in composition order: each document's
 * {@code extends} come before it, and a document included twice counts once, where it first came.
 */
final class PolicyLoader {

    /** The built-in profiles, in the order {@code PolicyEngine.profiles()} lists them. */
    static final List<String> PROFILES = List.of("trace", "default", "strict", "build", "net-client");
    private static final String PROFILE_DIRECTORY = "/dev/meridian/policy/profiles/";

    private final Problems problems;
    private final List<PolicyDocument> documents = new ArrayList<>();
    private final Set<String> included = new HashSet<>();
    private final Deque<String> including = new ArrayDeque<>();
    private boolean extendsFiles;

    /** Whether a loaded policy extends a file: then the sources alone do not say what was loaded. */
    boolean extendsFiles() {
        return extendsFiles;
    }

    PolicyLoader(Problems problems) {
        this.problems = problems;
    }

    /** The documents of {@code sources} and what they extend, in composition order. */
    List<PolicyDocument> load(List<PolicySource> sources) {
        for (PolicySource source : sources) {
            if (source.profile() != null) {
                includeProfile(source.profile(), null);
            } else {
                includeFile(source.file().toAbsolutePath().normalize(), null);
            }
        }
        return List.copyOf(documents);
    }

    /** The text of built-in profile {@code name}, or null if there is none. */
    static String profileText(String name) {
        if (!PROFILES.contains(name)) {
            return null;
        }
        try (InputStream in = PolicyLoader.class.getResourceAsStream(PROFILE_DIRECTORY + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("built-in profile " + name + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in profile " + name, e);
        }
    }

    /** The file label positions of built-in profile {@code name} carry. */
    static String profileLabel(String name) {
        return "builtin:" + name + ".yaml";
    }

    private void includeProfile(String name, Position referencedAt) {
        String text = profileText(name);
        if (text == null) {
            problems.add(referencedAt == null ? Position.of("--profile " + name) : referencedAt,
                    "unknown profile '" + name + "' (known: " + String.join(", ", PROFILES) + ")"
                            + Suggestions.didYouMean(name, PROFILES));
            return;
        }
        include("profile:" + name, profileLabel(name), name, text, null, referencedAt);
    }

    private void includeFile(Path file, Position referencedAt) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            problems.add(referencedAt == null ? Position.of(file.toString()) : referencedAt,
                    "cannot read policy file " + file + ": " + e);
            return;
        }
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String defaultName = dot > 0 ? fileName.substring(0, dot) : fileName;
        include("file:" + file, file.toString(), defaultName, text, file.getParent(), referencedAt);
    }

    private void include(String key, String label, String defaultName, String text, Path directory, Position referencedAt) {
        if (including.contains(key)) {
            problems.add(referencedAt, "extends cycle: " + String.join(" -> ", including) + " -> " + key);
            return;
        }
        if (!included.add(key)) {
            return;
        }
        PolicyDocument document = read(label, defaultName, text, problems);
        if (document == null) {
            return;
        }
        including.push(key);
        for (Reference reference : document.extendsList()) {
            if (looksLikeFile(reference.target())) {
                if (directory == null) {
                    problems.add(reference.at(), "a built-in profile cannot extend a file");
                } else {
                    extendsFiles = true;
                    includeFile(directory.resolve(reference.target()).normalize(), reference.at());
                }
            } else {
                includeProfile(reference.target(), reference.at());
            }
        }
        including.pop();
        documents.add(document);
    }

    /** Parses one policy: the language, or a Docker seccomp profile recognised by its keys. */
    static PolicyDocument read(String label, String defaultName, String text, Problems problems) {
        YamlReader yaml = new YamlReader(label, problems);
        Node root = yaml.parse(text);
        if (root == null) {
            return null;
        }
        return DockerSeccompImport.recognises(root) ? DockerSeccompImport.parse(yaml, root, defaultName)
                : PolicyParser.parse(yaml, root, defaultName);
    }

    private static boolean looksLikeFile(String target) {
        return target.contains("/") || target.endsWith(".yaml") || target.endsWith(".yml") || target.endsWith(".json");
    }
}
