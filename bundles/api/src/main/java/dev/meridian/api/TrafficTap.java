package dev.meridian.api;

/**
 * Everything the bus journals in this process, delivered live by a tailer of its journals: the
 * feed of metrics and of {@code meridian top}. Being a tailer, a tap never slows the guest path and
 * never makes the journal lose a record; a slow listener only makes the tap fall behind, which
 * {@link #status()} shows. An OSGi service of the bus bundle.
 */
public interface TrafficTap {

    /**
     * Delivers to {@code listener} every record journaled from now on by the gateways of this bus,
     * in journal order, on the tap's own thread (listeners are called one after the other, so each
     * must be quick and must not block). Close the subscription to stop.
     */
    Subscription subscribe(TrafficListener listener);

    /** How the tap keeps up with the journals, for the bus lag and loss metrics. */
    Status status();

    /** A live subscription; closing it stops delivery (a call in progress finishes first). */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param deliveredRecords records read and delivered since the tap started
     * @param lostRecords records the tap could not deliver (damaged, or gone before it read them); stays 0
     * @param lagRecords records journaled but not yet delivered, summed over the tapped journals
     * @param lagSeconds how long the oldest undelivered record has waited (0 when caught up)
     * @param journalBytes size on disk of the tapped journals' files
     * @param journals how many journal directories the tap follows
     */
    record Status(long deliveredRecords, long lostRecords, long lagRecords, double lagSeconds, long journalBytes,
            int journals) {
    }
}
