package dev.meridian.api;

/** Where a sandbox is in its life: created → running → exited or killed. */
public enum SandboxState {
    /** Checked and its policy loaded; the guest is not started yet. */
    CREATED,
    /** The guest runs under supervision. */
    RUNNING,
    /** The guest ended by itself (any exit code or signal it did not get from Meridian). */
    EXITED,
    /** The guest was killed through Meridian (kill command, API, daemon shutdown). */
    KILLED;

    public boolean finished() {
        return this == EXITED || this == KILLED;
    }
}
