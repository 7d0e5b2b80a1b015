package dev.meridian.policy.internal;

import dev.meridian.api.PolicySource;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies compiled lately, by what they were compiled from: a daemon starts many sandboxes
 * with the same profiles, and compiling costs milliseconds of every start. Compiled policies are
 * immutable, so sandboxes share them. A file source is keyed by its content, so an edited file
 * is compiled again; profiles are resources of this bundle and never change under it. Policies
 * that extend files are not cached (the engine's choice): their sources do not name every file.
 */
final class CompiledPolicyCache {

    static final int CAPACITY = 64;

    /** What a policy was compiled from; files by a digest of their bytes. */
    record Key(List<PolicySource> sources, List<String> fileDigests, Map<String, String> variables) {
    }

    private final LinkedHashMap<Key, CompiledPolicy> policies = new LinkedHashMap<>(16, 0.75f, true);

    /** The key of {@code sources} as they are now, or {@code null} when a file cannot be read (not cached then). */
    static Key keyOf(List<PolicySource> sources, Map<String, String> variables) {
        List<String> digests = new ArrayList<>();
        for (PolicySource source : sources) {
            if (source.file() != null) {
                try {
                    digests.add(sha256(Files.readAllBytes(source.file())));
                } catch (IOException | RuntimeException e) {
                    return null; // the loader reports it
                }
            }
        }
        return new Key(List.copyOf(sources), digests, Map.copyOf(variables));
    }

    synchronized CompiledPolicy get(Key key) {
        return policies.get(key);
    }

    synchronized void put(Key key, CompiledPolicy policy) {
        policies.put(key, policy);
        if (policies.size() > CAPACITY) {
            Iterator<CompiledPolicy> eldest = policies.values().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
