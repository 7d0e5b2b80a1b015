package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The terminal passes through: a guest started from a terminal sees that terminal as its stdin and
 * stdout, as it would natively. {@code script} (util-linux) gives each run a fresh pseudo-terminal.
 */
class TerminalIT {

    private static final String PROBE =
            "tty; test -t 0 && echo stdin-is-a-terminal; test -t 1 && echo stdout-is-a-terminal";

    @Test
    void aGuestStartedOnATerminalSeesIt() {
        Commands.Outcome natively = onTerminal("sh -c '" + PROBE + "'");
        Commands.Outcome sandboxed = onTerminal(MeridianHome.launcher() + " run --journal "
                + MeridianHome.freshJournal() + " -- sh -c '" + PROBE + "'");
        assertEquals(0, natively.exitCode(), natively::describe);
        assertEquals(0, sandboxed.exitCode(), sandboxed::describe);
        assertTrue(natively.out().contains("stdout-is-a-terminal"), natively::describe);
        assertEquals(normalized(natively.out()), normalized(sandboxed.out()), sandboxed::describe);
    }

    private static Commands.Outcome onTerminal(String commandLine) {
        return Commands.runNative(List.of("script", "--quiet", "--return", "--command", commandLine, "/dev/null"));
    }

    /** Each run gets its own pseudo-terminal number; the line discipline adds carriage returns. */
    private static String normalized(String output) {
        return output.replace("\r\n", "\n").replaceAll("/dev/pts/[0-9]+", "/dev/pts/N");
    }
}
