package dev.meridian.launcher;

import java.util.function.Consumer;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handled by the daemon itself: a graceful stop that ends in exit status 0, where the JVM's default
 * handling would run the shutdown hooks and report 143 or 130.
 */
final class SignalStop {
    private SignalStop() {
    }

    /** {@code onSignal} gets the signal's name (TERM, INT), on the JVM's signal dispatch thread. */
    static void install(Consumer<String> onSignal) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> onSignal.accept(signal.getName()));
        }
    }
}
