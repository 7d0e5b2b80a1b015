package dev.meridian.api;

/** A policy could not be loaded; the message names the cause (and position, when known). */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }
}
