package dev.meridian.api;

import java.util.List;

/** Turns profile names and policy files into {@link Policy} objects. An OSGi service. */
public interface PolicyEngine {

    /** The built-in profiles this engine knows, e.g. {@code trace}. */
    List<String> profiles();

    /**
     * Loads a built-in profile.
     *
     * @throws PolicyException naming the cause when the profile is unknown or invalid
     */
    Policy load(String profile) throws PolicyException;
}
