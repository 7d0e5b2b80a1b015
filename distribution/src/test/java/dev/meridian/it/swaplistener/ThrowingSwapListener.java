package dev.meridian.it.swaplistener;

import dev.meridian.api.BundleManager;
import dev.meridian.api.BundleSwapListener;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of a test bundle that registers a {@link BundleSwapListener} which throws at every deploy: the bundle
 * manager must log it and go on telling the other listeners (the metrics).
 */
public final class ThrowingSwapListener implements BundleActivator, BundleSwapListener {

    @Override
    public void start(BundleContext context) {
        context.registerService(BundleSwapListener.class, this, null);
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service.
    }

    @Override
    public void deployed(String symbolicName, BundleManager.Action action, long swapNanos) {
        throw new IllegalStateException("a swap listener that always fails (" + symbolicName + ")");
    }

    @Override
    public void rejected(String symbolicName, String reason) {
        throw new IllegalStateException("a swap listener that always fails (" + symbolicName + ")");
    }
}
