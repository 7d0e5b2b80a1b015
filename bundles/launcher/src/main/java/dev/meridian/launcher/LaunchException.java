package dev.meridian.launcher;

/** A reason the launcher cannot bring Meridian up, worded for the user. */
final class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    LaunchException(String message) {
        super(message);
    }

    LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
