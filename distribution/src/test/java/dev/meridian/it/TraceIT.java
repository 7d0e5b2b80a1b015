package dev.meridian.it;

import static dev.meridian.it.JournalQueries.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meridian run --trace} and {@code --trace-file}: one strace-like line per journaled call. */
class TraceIT {

    /** {@code [pid 1234] openat(...) ...}: the thread, then the call's name and its opening parenthesis. */
    private static final Pattern TRACE_LINE = Pattern.compile("^\\[pid (\\d+)] ([a-z_0-9]+)\\(.*");

    @TempDir
    static Path workspace;

    static Path knownFile;

    @BeforeAll
    static void prepare() {
        knownFile = Commands.writeFile(workspace.resolve("traced.txt"), "traced contents\n");
    }

    @Test
    void traceFileHasOneLinePerJournaledCallInJournalOrder() throws IOException {
        Path traceFile = workspace.resolve("cat.trace");
        Commands.Sandboxed run = Commands.sandboxed(List.of("--trace-file", traceFile.toString()),
                List.of("/usr/bin/cat", knownFile.toString()), new byte[0], Commands.DEFAULT_TIMEOUT);
        assertEquals(0, run.outcome().exitCode(), run.outcome()::describe);
        assertEquals("traced contents\n", run.outcome().out(), run.outcome()::describe);
        assertEquals("", run.outcome().err(), () -> "the trace went to a file; stderr should stay the guest's\n"
                + run.outcome().describe());

        List<String> trace = Commands.lines(Files.readString(traceFile));
        List<Map<String, Object>> calls = JournalQueries.calls(run.journal());
        String both = "\ntrace file:" + Commands.excerpt(String.join("\n", trace)) + "\njournal has " + calls.size()
                + " calls";
        assertEquals(calls.size(), trace.size(), () -> "one trace line per journaled call expected" + both);
        for (int i = 0; i < trace.size(); i++) {
            Matcher line = TRACE_LINE.matcher(trace.get(i));
            int index = i;
            assertTrue(line.matches(), () -> "not a trace line: " + trace.get(index) + both);
            assertEquals(syscall(calls.get(i)), line.group(2),
                    () -> "trace line " + index + " is not journal entry " + index + ": " + calls.get(index) + both);
        }
        assertTrue(trace.stream().anyMatch(line -> line.contains("openat(") && line.contains(knownFile.toString())),
                () -> "no openat of " + knownFile + both);
        assertTrue(trace.stream().anyMatch(line -> line.contains("execve(") && line.contains("/usr/bin/cat")),
                () -> "no execve of /usr/bin/cat" + both);
    }

    @Test
    void traceOnStderrLeavesTheGuestsStdoutAlone() {
        List<String> program = List.of("/bin/sh", "-c", "cat " + knownFile + "; echo done");
        Commands.Outcome natively = Commands.runNative(program);
        Commands.Sandboxed run = Commands.sandboxed(List.of("--trace"), program, new byte[0], Commands.DEFAULT_TIMEOUT);
        assertEquals(natively.exitCode(), run.outcome().exitCode(), run.outcome()::describe);
        assertEquals(natively.out(), run.outcome().out(), run.outcome()::describe);

        List<String> stderr = Commands.lines(run.outcome().err());
        long traceLines = stderr.stream().filter(line -> TRACE_LINE.matcher(line).matches()).count();
        List<Map<String, Object>> calls = JournalQueries.calls(run.journal());
        assertEquals(calls.size(), traceLines,
                () -> "one trace line on stderr per journaled call (" + calls.size() + ")\n" + run.outcome().describe());
        assertEquals(stderr.size(), traceLines,
                () -> "the guest wrote nothing to stderr, yet stderr has non-trace lines\n" + run.outcome().describe());
        assertTrue(stderr.stream().anyMatch(line -> line.contains("openat(") && line.contains(knownFile.toString())),
                run.outcome()::describe);
    }
}
