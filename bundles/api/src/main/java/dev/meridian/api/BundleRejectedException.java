package dev.meridian.api;

/** A bundle was not installed or updated; the message names the cause. What served before still serves. */
public final class BundleRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public BundleRejectedException(String message) {
        super(message);
    }

    public BundleRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
