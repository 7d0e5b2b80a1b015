package dev.meridian.api;

import java.nio.file.Path;
import java.util.List;

/**
 * Installs, updates and removes bundles while sandboxes run, from the deploy directory and the
 * control API alike. An update that does not resolve or start is rolled back: the previous
 * version keeps serving. An OSGi service of the daemon.
 */
public interface BundleManager {

    /** What a deploy did. */
    enum Action { INSTALLED, UPDATED, UNCHANGED }

    /** The outcome of a deploy: the bundle as it now runs, and how long its services were away. */
    record Deployed(BundleInfo bundle, Action action, long swapNanos) {
    }

    List<BundleInfo> list();

    /**
     * Installs the bundle in {@code jar}, or updates the installed bundle of the same symbolic
     * name, and starts it.
     *
     * @throws BundleRejectedException when the jar is no bundle, or it does not resolve or start
     *     (the previous version is restored and keeps serving)
     */
    Deployed deploy(Path jar) throws BundleRejectedException;

    /**
     * Stops and uninstalls the deployed bundle {@code symbolicName}.
     *
     * @return whether such a bundle was deployed
     * @throws BundleRejectedException when it is one of the installation's own bundles
     */
    boolean remove(String symbolicName) throws BundleRejectedException;
}
