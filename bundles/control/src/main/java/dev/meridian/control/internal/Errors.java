package dev.meridian.control.internal;

import dev.meridian.api.BundleRejectedException;
import dev.meridian.api.JournalException;
import dev.meridian.api.PolicyException;
import dev.meridian.api.SandboxException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the API answers for a failure: the table of docs/control-api.md. */
final class Errors {

    private Errors() {
    }

    /** The error for {@code failure}, or null when it is none the API expects (a fault: 500, logged). */
    static ApiException map(Throwable failure) {
        Throwable cause = unwrap(failure);
        return switch (cause) {
            case ApiException api -> api;
            case SandboxException sandbox -> (sandbox.kind() == SandboxException.Kind.PLATFORM_UNAVAILABLE
                    ? ApiException.unavailable(sandbox.getMessage())
                    : ApiException.sandboxFailed(sandbox.getMessage()))
                    .with("reason", sandbox.kind().name().toLowerCase(java.util.Locale.ROOT));
            case PolicyException policy -> ApiException.policyInvalid(policy.getMessage());
            case BundleRejectedException bundle -> ApiException.bundleRejected(bundle.getMessage());
            case JournalException journal -> ApiException.sandboxFailed(journal.getMessage());
            // The service behind the call does not do this (yet): the daemon is not ready for it, not broken.
            case UnsupportedOperationException unsupported -> ApiException.unavailable(
                    "the running supervisor cannot do this: " + describe(unsupported));
            case io.vertx.core.http.HttpClosedException closed -> ApiException.badRequest("the connection closed");
            default -> null;
        };
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The exception's message, or its type when it has none. */
    static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
