package dev.meridian.supervisor.internal.deploy;

import java.util.HashSet;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Measures how long a swapped bundle's services were away: each time one of its services unregisters (the old
 * revision stopping, or a refresh restarting it) until every service type it had is registered again, summed. For
 * the linux-x86_64 shim that is the time the bus had no shim for the ABI, during which calls wait
 * ({@code shim.wait.millis}).
 */
final class ServiceGap implements ServiceListener, AutoCloseable {

    private final BundleContext context;
    private final Set<String> away = new HashSet<>();
    /** When the current gap began, 0 while every service is there. */
    private long awaySinceNanos;
    private long closedGapsNanos;

    private ServiceGap(BundleContext context) {
        this.context = context;
    }

    /** Starts listening to the services of bundle {@code bundleId}; close it when the swap is over. */
    static ServiceGap watch(BundleContext context, long bundleId) {
        ServiceGap gap = new ServiceGap(context);
        try {
            context.addServiceListener(gap, "(" + Constants.SERVICE_BUNDLEID + "=" + bundleId + ")");
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        return gap;
    }

    @Override
    public synchronized void serviceChanged(ServiceEvent event) {
        String[] types = (String[]) event.getServiceReference().getProperty(Constants.OBJECTCLASS);
        long now = System.nanoTime();
        if (event.getType() == ServiceEvent.UNREGISTERING) {
            if (awaySinceNanos == 0) {
                awaySinceNanos = now;
            }
            away.addAll(Set.of(types));
        } else if (event.getType() == ServiceEvent.REGISTERED && awaySinceNanos != 0) {
            away.removeAll(Set.of(types));
            if (away.isEmpty()) {
                closedGapsNanos += now - awaySinceNanos;
                awaySinceNanos = 0;
            }
        }
    }

    /**
     * The gap in nanoseconds: 0 if no service went away; up to {@code endNanos} if some never came back.
     *
     * @param endNanos when the swap ended ({@link System#nanoTime()})
     */
    synchronized long nanos(long endNanos) {
        return closedGapsNanos + (awaySinceNanos == 0 ? 0 : endNanos - awaySinceNanos);
    }

    @Override
    public void close() {
        try {
            context.removeServiceListener(this);
        } catch (IllegalStateException contextGone) {
            // The manager's own bundle is stopping; nothing left to remove.
        }
    }
}
