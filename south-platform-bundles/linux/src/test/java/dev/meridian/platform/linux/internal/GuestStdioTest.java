package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.GuestStdio;
import dev.meridian.api.Isolation;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.Stdio;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipes and terminals of real guests, and their CPU time, under the real kernel. */
class GuestStdioTest {

    static final LinuxPlatform PLATFORM = NativePrograms.platform();

    @TempDir
    Path directory;

    SandboxSpec spec(Stdio stdio, String... command) {
        return new SandboxSpec(List.of(command), Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"), directory,
                List.of(PolicySource.profile("trace")), Isolation.DEFAULT, directory.resolve("journal"), stdio);
    }

    GuestProcess launch(Stdio stdio, String... command) throws Exception {
        return PLATFORM.launch(spec(stdio, command), TestConfinements.SUPERVISE_ALL, new RecordingGateway());
    }

    static CompletableFuture<String> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Reads from a terminal until {@code text} was shown; returns everything read. */
    static String readUntil(InputStream terminal, ByteArrayOutputStream seen, String text) throws IOException {
        byte[] buffer = new byte[1024];
        while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
            int count = terminal.read(buffer);
            if (count < 0) {
                throw new AssertionError("the terminal ended before \"" + text + "\": " + seen);
            }
            seen.write(buffer, 0, count);
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    static long ptmxDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> "/dev/ptmx".equals(LinuxSyscalls.readlink(fd.toString()))).count();
        }
    }

    @Test
    void inheritedStreamsHaveNoSupervisorEnds() throws Exception {
        GuestProcess guest = launch(Stdio.INHERIT, "/bin/true");
        assertNull(guest.stdio());
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
    }

    @Test
    void pipesCarryStdinToCatAndKeepStderrApart() throws Exception {
        GuestProcess guest = launch(Stdio.PIPE, "sh", "-c", "cat; echo done >&2");
        GuestStdio stdio = guest.stdio();
        assertNotNull(stdio);
        CompletableFuture<String> output = readAll(stdio.output());
        CompletableFuture<String> errors = readAll(stdio.errors());
        stdio.input().write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
        assertFalse(output.isDone(), "cat waits for more input until end of file");
        stdio.input().close();
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        assertEquals("hello\nworld\n", output.get(10, TimeUnit.SECONDS));
        assertEquals("done\n", errors.get(10, TimeUnit.SECONDS));
        stdio.resize(40, 100); // pipes have no window: nothing happens
    }

    @Test
    void pipedGuestLeavesTheSupervisorsSessionAndHasNoTerminal() throws Exception {
        GuestProcess guest = launch(Stdio.PIPE, "sh", "-c",
                "test -t 0 || echo not-a-tty; [ \"$(cut -d' ' -f6 /proc/$$/stat)\" = $$ ] && echo session-leader");
        CompletableFuture<String> output = readAll(guest.stdio().output());
        guest.stdio().input().close();
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        assertEquals("not-a-tty\nsession-leader\n", output.get(10, TimeUnit.SECONDS));
    }

    @Test
    void daemonGuestsStartWithDefaultSignalHandlingWhateverTheSupervisorInherited() throws Exception {
        // As a daemon started in the background of a script: SIGINT ignored, which children inherit.
        sun.misc.Signal interrupt = new sun.misc.Signal("INT");
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(interrupt, sun.misc.SignalHandler.SIG_IGN);
        GuestProcess guest;
        try {
            guest = launch(Stdio.PIPE, "grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status");
        } finally {
            sun.misc.Signal.handle(interrupt, previous);
        }
        CompletableFuture<String> output = readAll(guest.stdio().output());
        guest.stdio().input().close();
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        assertEquals("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", output.get(10, TimeUnit.SECONDS));
    }

    @Test
    void terminalIsTheGuestsControllingTerminal() throws Exception {
        long ptmxBefore = ptmxDescriptors();
        GuestProcess guest = launch(Stdio.TTY, "sh", "-c",
                "test -t 0 && test -t 1 && test -t 2 && echo all-ttys; tty; stty size; "
                        + "readlink /proc/$$/fd/* | grep -c ptmx; read line; echo got:$line");
        GuestStdio stdio = guest.stdio();
        assertNull(stdio.errors(), "a terminal has one output");
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        readUntil(stdio.output(), seen, "\n0\r\n");
        stdio.input().write("typed\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        String shown = readUntil(stdio.output(), seen, "got:typed");
        assertEquals(-1, stdio.output().read(), "end of output once the guest is gone");
        assertTrue(shown.contains("all-ttys\r\n"), shown);
        assertTrue(Pattern.compile("\r\n/dev/pts/\\d+\r\n").matcher(shown).find(), shown);
        assertTrue(shown.contains("\r\n" + GuestTerminal.DEFAULT_ROWS + " " + GuestTerminal.DEFAULT_COLUMNS + "\r\n"),
                shown);
        assertTrue(shown.contains("\r\n0\r\n"), "no descriptor of the master reached the guest: " + shown);
        assertTrue(shown.contains("typed\r\n"), "the terminal echoes what is typed: " + shown);
        assertEquals(ptmxBefore, ptmxDescriptors(), "the supervisor closed the master");
        assertThrows(IOException.class, () -> stdio.input().write('x'));
        stdio.resize(30, 90); // ignored once the guest is gone
    }

    @Test
    void resizeReachesTheGuestAsSigwinch() throws Exception {
        GuestProcess guest = launch(Stdio.TTY, "sh", "-c",
                "trap 'stty size; exit 7' WINCH; echo ready; while :; do sleep 0.05; done");
        GuestStdio stdio = guest.stdio();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        readUntil(stdio.output(), seen, "ready\r\n");
        stdio.resize(40, 123);
        assertEquals(ExitStatus.exited(7), guest.exit().get(60, TimeUnit.SECONDS));
        assertTrue(readUntil(stdio.output(), seen, "40 123\r\n").endsWith("40 123\r\n"));
        assertThrows(IllegalArgumentException.class, () -> stdio.resize(0, 80));
    }

    @Test
    void outputWrittenJustBeforeTheEndIsKeptForALateReader() throws Exception {
        GuestProcess guest = launch(Stdio.TTY, "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done");
        assertEquals(ExitStatus.exited(0), guest.exit().get(60, TimeUnit.SECONDS));
        String shown = new String(guest.stdio().output().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("line0\r\n") && shown.endsWith("line199\r\n"), shown);
    }

    @Test
    void killedTerminalGuestEndsItsOutput() throws Exception {
        GuestProcess guest = launch(Stdio.TTY, "sh", "-c", "echo ready; exec sleep 60");
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        readUntil(guest.stdio().output(), seen, "ready\r\n");
        CompletableFuture<String> rest = readAll(guest.stdio().output());
        guest.kill();
        assertEquals(ExitStatus.killed(9), guest.exit().get(60, TimeUnit.SECONDS));
        assertEquals("", rest.get(10, TimeUnit.SECONDS));
    }

    @Test
    void cpuTimeOfABusyGuestIsCountedWhileItRunsAndInAllAtTheEnd() throws Exception {
        // A shell loop without system calls in a child the main program reaps: about a second of CPU.
        String busy = "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done";
        long started = System.nanoTime();
        GuestProcess guest = launch(Stdio.INHERIT, "sh", "-c", "(" + busy + ") & " + busy + "; wait");
        Thread.sleep(400);
        long running = guest.cpuNanos();
        assertTrue(running > 0, "the main program's time is counted while it runs: " + running);
        assertEquals(ExitStatus.exited(0), guest.exit().get(120, TimeUnit.SECONDS));
        long wallNanos = System.nanoTime() - started;
        long total = guest.cpuNanos();
        assertTrue(total >= running, total + " < " + running);
        assertTrue(total > TimeUnit.MILLISECONDS.toNanos(200), "two busy loops: " + total);
        // Two processes on at most two cores, plus the supervisor's rounding.
        assertTrue(total <= 2 * wallNanos + TimeUnit.MILLISECONDS.toNanos(50),
                "cpu " + total + " ns in " + wallNanos + " ns of wall time");
        assertEquals(total, guest.cpuNanos(), "final once the guest is gone");
    }
}
