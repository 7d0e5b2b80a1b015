package dev.meridian.api;

/** Starts sandboxes: picks the platform, loads the policy, wires the bus. An OSGi service. */
public interface SandboxManager {

    /**
     * Starts {@code spec}. Returns once the guest runs under supervision.
     *
     * @throws SandboxException naming the cause (no platform, program missing, journal unwritable)
     * @throws PolicyException when the profile cannot be loaded
     */
    Sandbox start(SandboxSpec spec) throws SandboxException, PolicyException;
}
