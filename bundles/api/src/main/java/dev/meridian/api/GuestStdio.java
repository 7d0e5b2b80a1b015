package dev.meridian.api;

import java.io.InputStream;
import java.io.OutputStream;

/** The supervisor's ends of a guest's standard streams, for {@link Stdio#PIPE} and {@link Stdio#TTY}. */
public interface GuestStdio {

    /** Writes to the guest's standard input; closing it is end of input. */
    OutputStream input();

    /** Reads the guest's standard output (for a terminal: everything the terminal shows). */
    InputStream output();

    /** Reads the guest's standard error, or {@code null} for a terminal. */
    InputStream errors();

    /** Sets the terminal's window size (and so sends the guest SIGWINCH); ignored for pipes. */
    void resize(int rows, int columns);
}
