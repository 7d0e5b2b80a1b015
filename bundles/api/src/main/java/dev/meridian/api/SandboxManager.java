package dev.meridian.api;

import java.util.List;
import java.util.Optional;

/**
 * Creates and starts sandboxes: picks the platform, loads the policy, wires the bus, and keeps
 * every sandbox it made, finished ones up to a configured bound. An OSGi service.
 */
public interface SandboxManager {

    /**
     * Checks {@code spec} and loads its policy; the sandbox is {@link SandboxState#CREATED} and
     * listed until it is started and finished.
     *
     * @throws SandboxException naming the cause (no platform)
     * @throws PolicyException when the policy cannot be loaded
     */
    Sandbox create(SandboxSpec spec) throws SandboxException, PolicyException;

    /**
     * Creates and starts {@code spec}. Returns once the guest runs under supervision.
     *
     * @throws SandboxException naming the cause (no platform, program missing, journal unwritable)
     * @throws PolicyException when the profile cannot be loaded
     */
    default Sandbox start(SandboxSpec spec) throws SandboxException, PolicyException {
        Sandbox sandbox = create(spec);
        sandbox.start();
        return sandbox;
    }

    /** The sandboxes not yet finished, and with {@code includeFinished} the retained finished ones. */
    List<SandboxInfo> list(boolean includeFinished);

    /** The sandbox with this id, while it is running or retained. */
    Optional<Sandbox> find(long id);

    /**
     * Forgets a finished sandbox.
     *
     * @return whether it was retained
     * @throws IllegalStateException if it has not finished
     */
    boolean remove(long id);
}
