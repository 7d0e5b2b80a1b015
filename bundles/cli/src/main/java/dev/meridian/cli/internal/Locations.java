package dev.meridian.cli.internal;

import java.nio.file.Path;

/** Where Meridian keeps its files when the user does not say. */
final class Locations {

    private Locations() {
    }

    /** {@code $XDG_STATE_HOME/meridian/journal}, or {@code ~/.local/state/meridian/journal}. */
    static Path defaultJournal() {
        String stateHome = System.getenv("XDG_STATE_HOME");
        Path base = stateHome != null && !stateHome.isBlank()
                ? Path.of(stateHome)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("meridian").resolve("journal");
    }
}
