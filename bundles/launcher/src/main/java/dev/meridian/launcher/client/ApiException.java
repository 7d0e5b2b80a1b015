package dev.meridian.launcher.client;

/** The daemon answered with an error: its HTTP status, its stable code and its message. */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String code;
    private final String reason;
    private final String field;

    /**
     * @param reason the error's "reason" field (the kind of a sandbox_failed), or null
     * @param field the error's "field" (the request field whose value a bad_request refuses), or null
     */
    ApiException(int httpStatus, String code, String message, String reason, String field) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
        this.reason = reason;
        this.field = field;
    }

    String field() {
        return field;
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
