package dev.meridian.policy.internal;

import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * Loads the built-in profiles and policy files (the Meridian policy language, or Docker seccomp
 * JSON), composes them in order and compiles the result to the host's layers.
 */
@Component(service = PolicyEngine.class)
public final class BuiltinPolicyEngine implements PolicyEngine {

    private final CompiledPolicyCache cache = new CompiledPolicyCache();

    @Override
    public List<String> profiles() {
        return PolicyLoader.PROFILES;
    }

    @Override
    public Policy load(List<PolicySource> sources, Map<String, String> variables) throws PolicyException {
        if (sources.isEmpty()) {
            throw new PolicyException("no policy given: name a profile (" + String.join(", ", profiles()) + ") or a file");
        }
        CompiledPolicyCache.Key key = CompiledPolicyCache.keyOf(sources, variables);
        CompiledPolicy cached = key == null ? null : cache.get(key);
        if (cached != null) {
            return cached;
        }
        Problems problems = new Problems();
        PolicyLoader loader = new PolicyLoader(problems);
        List<PolicyDocument> documents = loader.load(sources);
        // Compiled even after load problems, so that one run reports everything wrong in the files.
        CompiledPolicy policy = PolicyCompiler.compile(name(sources), documents, variables, problems);
        problems.throwIfAny();
        if (key != null && !loader.extendsFiles()) {
            cache.put(key, policy);
        }
        return policy;
    }

    /** {@code default+app.yaml}: the sources as the user named them. */
    static String name(List<PolicySource> sources) {
        return sources.stream()
                .map(source -> source.profile() != null ? source.profile() : source.file().getFileName().toString())
                .collect(Collectors.joining("+"));
    }
}
