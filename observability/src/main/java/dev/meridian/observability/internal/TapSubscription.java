package dev.meridian.observability.internal;

import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap;

/**
 * A listener subscribed to whichever {@link TrafficTap} is bound now. The tap (a dynamic reference) may come before
 * or after the listener is made, and may be replaced while it runs (the bus bundle updated): the subscription follows.
 * Records journaled while no tap is bound are not counted.
 */
final class TapSubscription {
    private volatile TrafficTap tap;
    private TrafficListener listener;
    private TrafficTap.Subscription subscription;

    /** A tap was bound; it replaces any other. */
    synchronized void tap(TrafficTap newTap) {
        close();
        tap = newTap;
        open();
    }

    /** A tap went away. */
    synchronized void untap(TrafficTap goneTap) {
        if (tap == goneTap) {
            close();
            tap = null;
        }
    }

    /** Starts delivering to {@code newListener}, now if a tap is bound, else once one is. */
    synchronized void start(TrafficListener newListener) {
        close();
        listener = newListener;
        open();
    }

    /** Stops delivering (a call in progress finishes first). */
    synchronized void stop() {
        close();
        listener = null;
    }

    /** The tap bound now, or null. */
    TrafficTap current() {
        return tap;
    }

    private void open() {
        if (tap != null && listener != null) {
            subscription = tap.subscribe(listener);
        }
    }

    private void close() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }
}
