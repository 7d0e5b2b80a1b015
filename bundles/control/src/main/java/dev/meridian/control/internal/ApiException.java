package dev.meridian.control.internal;

/**
 * A request the API answers with an error: the HTTP status, the stable code of docs/control-api.md and a message a
 * person can act on. Control flow, not a fault: no stack trace is recorded or shown.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** Adds a field to the error object beside code and message, for clients that act on it. */
    ApiException with(String field, Object value) {
        details.put(field, value);
        return this;
    }

    java.util.Map<String, Object> details() {
        return details;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "method_not_allowed", message);
    }

    static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message);
    }

    static ApiException payloadTooLarge(String message) {
        return new ApiException(413, "payload_too_large", message);
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "unsupported_media_type", message);
    }

    static ApiException policyInvalid(String message) {
        return new ApiException(422, "policy_invalid", message);
    }

    static ApiException bundleRejected(String message) {
        return new ApiException(422, "bundle_rejected", message);
    }

    static ApiException sandboxFailed(String message) {
        return new ApiException(422, "sandbox_failed", message);
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable", message);
    }
}
