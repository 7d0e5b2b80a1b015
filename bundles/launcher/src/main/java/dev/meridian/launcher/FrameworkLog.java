package dev.meridian.launcher;

import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** Felix's own log (cache, resolver, event dispatch) on the console instead of raw stack traces on stdout. */
final class FrameworkLog extends Logger {
    private final Console console;

    FrameworkLog(Console console) {
        this.console = console;
    }

    /** The value of {@code felix.log.level}: errors, and warnings too when debugging. */
    static String levelFor(Console console) {
        return Integer.toString(console.debug() ? LOG_WARNING : LOG_ERROR);
    }

    @Override
    @SuppressWarnings("rawtypes") // Felix declares the raw type.
    protected void doLog(Bundle bundle, ServiceReference reference, int level, String message, Throwable failure) {
        String text = bundle == null || bundle.getBundleId() == 0 ? message : bundle.getSymbolicName() + ": " + message;
        if (level == LOG_ERROR) {
            console.error(text, failure);
        } else {
            console.warn(text, failure);
        }
    }
}
