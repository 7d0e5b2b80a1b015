package dev.meridian.launcher;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.osgi.framework.BundleException;

/**
 * Where the launcher, the framework and the bundles report problems: one line per problem on stderr, prefixed
 * "meridian:". Stack traces and warnings appear only when debugging (MERIDIAN_DEBUG=1), so a normal run stays quiet
 * and its stdout belongs to the command alone.
 *
 * <p>The daemon's console is a log: every line starts with a UTC timestamp, and informational events (started,
 * bundle deployed, stopping) and warnings are shown too.
 */
final class Console {
    private final PrintStream err;
    private final boolean debug;
    private final boolean log;

    Console(PrintStream err, boolean debug) {
        this(err, debug, false);
    }

    /** @param log whether this is the daemon's log: timestamped lines, info and warnings shown */
    Console(PrintStream err, boolean debug, boolean log) {
        this.err = err;
        this.debug = debug;
        this.log = log;
    }

    /** The daemon's console: timestamped lines, informational events shown. */
    Console asLog() {
        return new Console(err, debug, true);
    }

    boolean log() {
        return log;
    }

    boolean debug() {
        return debug;
    }

    synchronized void error(String message, Throwable cause) {
        print("", message, cause);
    }

    synchronized void warn(String message, Throwable cause) {
        if (debug || log) {
            print("warning: ", message, cause);
        }
    }

    /** Events of the daemon's life; shown only on the daemon's log (a command's run stays quiet). */
    synchronized void info(String message) {
        if (log) {
            print("", message, null);
        }
    }

    /** Messages only worth seeing when debugging, such as the bundles the launcher installs or updates. */
    synchronized void debug(String message) {
        if (debug) {
            print("debug: ", message, null);
        }
    }

    private void print(String kind, String message, Throwable cause) {
        String stamp = log ? Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " : "";
        err.println(stamp + "meridian: " + kind + message + (cause == null ? "" : ": " + describe(cause)));
        if (debug && cause != null) {
            cause.printStackTrace(err);
        }
        err.flush();
    }

    /** The message of {@code failure} followed by its root cause, which usually names what actually went wrong. */
    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = summary(failure);
        return root == failure ? outer : outer + ": " + summary(root);
    }

    private static String summary(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        // These two already speak in sentences; for the rest (NoSuchFileException: /x) the type says what happened.
        return failure instanceof BundleException || failure instanceof LaunchException ? message
                : failure.getClass().getSimpleName() + ": " + message;
    }
}
