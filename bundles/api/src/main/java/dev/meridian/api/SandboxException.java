package dev.meridian.api;

/** A sandbox could not be created or started; the message names the cause for a user. */
public final class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the sandbox did not start, so a command line can answer as a shell would. */
    public enum Kind {
        /** The program does not exist (a shell exits 127). */
        PROGRAM_NOT_FOUND,
        /** The program exists but cannot be executed (a shell exits 126). */
        PROGRAM_NOT_EXECUTABLE,
        /** No platform can run guests on this host. */
        PLATFORM_UNAVAILABLE,
        /** Anything else: the message says what. */
        FAILED
    }

    private final Kind kind;

    public SandboxException(String message) {
        this(Kind.FAILED, message);
    }

    public SandboxException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
        this.kind = Kind.FAILED;
    }

    public Kind kind() {
        return kind;
    }
}
