package dev.meridian.api;

/**
 * One bundle of the running daemon.
 *
 * @param id the framework's bundle id
 * @param symbolicName its Bundle-SymbolicName
 * @param version its Bundle-Version
 * @param state INSTALLED, RESOLVED, STARTING, ACTIVE or STOPPING
 * @param location where it was installed from
 * @param deployed whether it came from the deploy directory or the API (and so may be replaced
 *     or removed there), not from the installation's own bundles
 */
public record BundleInfo(long id, String symbolicName, String version, String state, String location,
        boolean deployed) {
}
