package dev.meridian.api;

import java.util.List;
import java.util.Map;

/** Turns profile names and policy files into compiled {@link Policy} objects. An OSGi service. */
public interface PolicyEngine {

    /** The built-in profiles this engine knows, e.g. {@code trace}, {@code default}. */
    List<String> profiles();

    /**
     * Loads and composes {@code sources} in order (later ones refine earlier ones) and compiles
     * the result for the host's layers.
     *
     * @param variables values for the {@code ${NAME}} placeholders policies may use in paths:
     *     at least {@code CWD} (the guest's working directory), {@code HOME} and {@code TMPDIR}
     *
     * @throws PolicyException naming every problem found, with file, line and column where the
     *     problem is in a file: unknown profile, syntax error, unknown key, unknown system call,
     *     contradictory rules
     */
    Policy load(List<PolicySource> sources, Map<String, String> variables) throws PolicyException;
}
