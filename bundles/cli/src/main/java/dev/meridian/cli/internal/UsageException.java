package dev.meridian.cli.internal;

/** The command line is wrong; the message says how, and the command exits 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
