package dev.meridian.api;

/**
 * How a sandbox's main program ended.
 *
 * @param code the exit code when it exited normally
 * @param signal the signal that killed it, or 0
 */
public record ExitStatus(int code, int signal) {

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(0, signal);
    }

    public boolean signaled() {
        return signal != 0;
    }

    /** The status as a POSIX shell reports it: the code, or 128 + the signal. */
    public int shellStatus() {
        return signaled() ? 128 + signal : code;
    }
}
