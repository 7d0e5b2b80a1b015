package dev.meridian.launcher.client;

/** The daemon answered with an error: its HTTP status, its stable code and its message. */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String code;

    ApiException(int httpStatus, String code, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    int httpStatus() {
        return httpStatus;
    }

    String code() {
        return code;
    }
}
