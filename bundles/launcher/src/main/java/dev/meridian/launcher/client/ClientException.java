package dev.meridian.launcher.client;

/** A client command cannot do its work: printed as {@code meridian: MESSAGE}, the process exits with the status. */
final class ClientException extends Exception {
    private static final long serialVersionUID = 1L;

    static final int USAGE = 2;
    static final int FAILED = 1;
    /** Meridian's own failure in {@code run}, apart from the guest's statuses (as docker run uses it). */
    static final int SETUP_FAILED = 125;

    private final int status;

    ClientException(String message, int status) {
        super(message);
        this.status = status;
    }

    static ClientException usage(String message) {
        return new ClientException(message, USAGE);
    }

    int status() {
        return status;
    }
}
