package dev.meridian.api;

/** Where a guest's standard input, output and error go. */
public enum Stdio {
    /** The supervisor's own descriptors 0, 1 and 2 (an embedded {@code meridian run}). */
    INHERIT,
    /** Three pipes the supervisor holds: {@link GuestProcess#stdio()} reads and writes them. */
    PIPE,
    /**
     * A new pseudo-terminal: the guest's 0, 1 and 2 are its slave side, the supervisor holds the
     * master ({@link GuestStdio#errors()} is {@code null}: a terminal has one output).
     */
    TTY
}
