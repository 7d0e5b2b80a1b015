package dev.meridian.cli.internal;

/** A command could not do its work; the message names the cause. */
final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Like env(1) and docker run: Meridian's own failure, apart from the guest's statuses. */
    static final int SETUP_FAILED = 125;

    private final int status;

    CommandException(String message) {
        this(message, SETUP_FAILED);
    }

    CommandException(String message, int status) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
