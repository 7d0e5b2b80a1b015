package dev.meridian.launcher.client;

/** The daemon answered with an error: its HTTP status, its stable code and its message. */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String code;
    private final String reason;

    /** @param reason the error's "reason" field (the kind of a sandbox_failed), or null */
    ApiException(int httpStatus, String code, String message, String reason) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
        this.reason = reason;
    }

    String reason() {
        return reason;
    }

    int httpStatus() {
        return httpStatus;
    }

    String code() {
        return code;
    }
}
