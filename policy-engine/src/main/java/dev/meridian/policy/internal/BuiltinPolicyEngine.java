package dev.meridian.policy.internal;

import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** Serves the built-in profiles. Policy files and composition come with the policy language. */
@Component(service = PolicyEngine.class)
public final class BuiltinPolicyEngine implements PolicyEngine {

    private static final Policy TRACE = new TraceProfile();

    @Override
    public List<String> profiles() {
        return List.of(TraceProfile.NAME);
    }

    @Override
    public Policy load(List<PolicySource> sources, Map<String, String> variables) throws PolicyException {
        if (sources.size() == 1 && TraceProfile.NAME.equals(sources.getFirst().profile())) {
            return TRACE;
        }
        throw new PolicyException("unknown profile '" + sources.getFirst() + "' (known: "
                + String.join(", ", profiles()) + ")");
    }
}
