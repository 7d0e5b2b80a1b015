package dev.meridian.launcher.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The client's terminal during a tty run: raw (every key goes to the guest's terminal as typed, whose line
 * discipline does echo, editing and ^C), then restored. Done with stty(1) on the inherited stdin, so no native code
 * is needed in the client.
 */
final class Terminal {
    private final String saved;
    private volatile boolean restored;

    private Terminal(String saved) {
        this.saved = saved;
    }

    /**
     * Whether stdin and stdout are both a terminal. bin/meridian knows it for free ({@code [[ -t 0 && -t 1 ]]}) and
     * says so in {@code meridian.terminal}; System.console() is the fallback, as it searches the module layer for
     * console providers, 20 ms and more of a client start.
     */
    static boolean interactive() {
        String known = System.getProperty("meridian.terminal");
        if (known != null) {
            return known.equals("true");
        }
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    /**
     * Saves the settings, reads the size and makes the terminal raw.
     *
     * @return the terminal and its size (rows, columns) in {@code size}
     */
    static Terminal enterRaw(int[] size) throws IOException {
        List<String> lines = stty("stty -g && stty size && stty raw -echo");
        if (lines.size() < 2) {
            throw new IOException("stty printed no settings and size");
        }
        parseSize(lines.get(1), size);
        Terminal terminal = new Terminal(lines.get(0).strip());
        Runtime.getRuntime().addShutdownHook(new Thread(terminal::restore, "meridian-terminal-restore"));
        return terminal;
    }

    /** The current size into {@code size} (rows, columns). */
    static void size(int[] size) throws IOException {
        List<String> lines = stty("stty size");
        if (lines.isEmpty()) {
            throw new IOException("stty size printed nothing");
        }
        parseSize(lines.getFirst(), size);
    }

    private static void parseSize(String line, int[] size) throws IOException {
        String[] parts = line.strip().split(" ");
        try {
            size[0] = Integer.parseInt(parts[0]);
            size[1] = Integer.parseInt(parts[1]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("stty size printed '" + line + "'");
        }
    }

    /** Puts the settings back (once; also the shutdown hook's job). */
    void restore() {
        if (restored) {
            return;
        }
        restored = true;
        try {
            stty("stty '" + saved.replace("'", "") + "'");
        } catch (IOException e) {
            System.err.println("meridian: cannot restore the terminal (run 'stty sane'): " + e.getMessage());
        }
    }

    private static List<String> stty(String script) throws IOException {
        Process process = new ProcessBuilder("/bin/sh", "-c", script)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int status = process.waitFor();
            if (status != 0) {
                throw new IOException("'" + script + "' exited with " + status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stty");
        }
        return output.lines().toList();
    }
}
