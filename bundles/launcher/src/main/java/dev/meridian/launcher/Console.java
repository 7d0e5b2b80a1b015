package dev.meridian.launcher;

import java.io.PrintStream;

import org.osgi.framework.BundleException;

/**
 * Where the launcher, the framework and the bundles report problems: one line per problem on stderr, prefixed
 * "meridian:". Stack traces and warnings appear only when debugging (MERIDIAN_DEBUG=1), so a normal run stays quiet
 * and its stdout belongs to the command alone.
 */
final class Console {
    private final PrintStream err;
    private final boolean debug;

    Console(PrintStream err, boolean debug) {
        this.err = err;
        this.debug = debug;
    }

    boolean debug() {
        return debug;
    }

    synchronized void error(String message, Throwable cause) {
        print("", message, cause);
    }

    synchronized void warn(String message, Throwable cause) {
        if (debug) {
            print("warning: ", message, cause);
        }
    }

    /** Messages only worth seeing when debugging, such as the bundles the launcher installs or updates. */
    synchronized void debug(String message) {
        if (debug) {
            print("debug: ", message, null);
        }
    }

    private void print(String kind, String message, Throwable cause) {
        err.println("meridian: " + kind + message + (cause == null ? "" : ": " + describe(cause)));
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
