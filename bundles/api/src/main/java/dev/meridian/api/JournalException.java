package dev.meridian.api;

/** The journal cannot be opened, written or read; the message names the directory and cause. */
public final class JournalException extends Exception {
    private static final long serialVersionUID = 1L;

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
