package dev.meridian.api;

/**
 * Told of every deploy the {@link BundleManager} finishes, for the swap metrics. Whiteboard: register
 * an implementation as an OSGi service and the bundle manager calls it, on the deploying thread,
 * after the deploy (so it must be quick). A listener that throws is logged and skipped.
 */
public interface BundleSwapListener {

    /**
     * A deploy succeeded.
     *
     * @param symbolicName the bundle
     * @param action what it did
     * @param swapNanos how long the bundle's services were away (0 for a new or unchanged bundle)
     */
    void deployed(String symbolicName, BundleManager.Action action, long swapNanos);

    /** A deploy was refused and the previous version (if any) kept serving. */
    void rejected(String symbolicName, String reason);
}
