package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines and bad programs: a one-line error on stderr naming the cause, a non-zero
 * status (2 usage, 126 not executable, 127 not found), never a stack trace. And help that works.
 */
class BadInputIT {

    @TempDir
    static Path workspace;

    static Path notExecutable;
    static Path plainFile;

    @BeforeAll
    static void prepare() throws Exception {
        notExecutable = Commands.writeFile(workspace.resolve("script.sh"), "#!/bin/sh\necho should not run\n");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
        plainFile = Commands.writeFile(workspace.resolve("plain-file"), "a file, not a directory\n");
    }

    @Test
    void unknownRunFlag() {
        Commands.Outcome outcome = Commands.meridian(List.of("run", "--frobnicate", "--", "/bin/true"));
        assertOneLineError(outcome, 2, "--frobnicate");
    }

    @Test
    void unknownJournalFlag() {
        Commands.Outcome outcome = Commands.meridian(
                List.of("journal", "--journal", MeridianHome.freshJournal().toString(), "--frobnicate"));
        assertOneLineError(outcome, 2, "--frobnicate");
    }

    @Test
    void unknownCommand() {
        Commands.Outcome outcome = Commands.meridian(List.of("frobnicate"));
        assertOneLineError(outcome, 2, "frobnicate");
    }

    @Test
    void runWithoutAProgram() {
        Commands.Outcome outcome = Commands.meridian(
                List.of("run", "--journal", MeridianHome.freshJournal().toString()));
        assertOneLineError(outcome, 2, "program");
    }

    @Test
    void missingProgramByPath() {
        Commands.Outcome outcome = Commands.sandboxed(List.of("/nonexistent/meridian-it-program", "arg")).outcome();
        assertOneLineError(outcome, 127, "/nonexistent/meridian-it-program");
    }

    @Test
    void missingProgramByName() {
        Commands.Outcome outcome = Commands.sandboxed(List.of("meridian-it-no-such-command")).outcome();
        assertOneLineError(outcome, 127, "meridian-it-no-such-command");
    }

    @Test
    void programWithoutExecutePermission() {
        Commands.Outcome outcome = Commands.sandboxed(List.of(notExecutable.toString())).outcome();
        assertOneLineError(outcome, 126, notExecutable.toString());
        assertEquals("", outcome.out(), outcome::describe);
    }

    @Test
    void directoryAsProgram() {
        Commands.Outcome outcome = Commands.sandboxed(List.of(workspace.toString())).outcome();
        assertOneLineError(outcome, 126, workspace.toString());
    }

    /**
     * A journal that cannot be written (its parent is a plain file; root may write anywhere else) is
     * reported before the guest runs: a program must not run unjournaled.
     */
    @Test
    void unwritableJournalDirectory() {
        Path journal = plainFile.resolve("journal");
        Commands.Outcome outcome = Commands.meridian(
                List.of("run", "--journal", journal.toString(), "--", "/bin/echo", "ran unjournaled"));
        assertNotEquals(0, outcome.exitCode(), outcome::describe);
        assertOneLineError(outcome, outcome.exitCode(), journal.toString());
        assertEquals("", outcome.out(), () -> "the guest ran although its journal cannot be written\n"
                + outcome.describe());
    }

    @Test
    void unwritableTraceFile() {
        Path traceFile = plainFile.resolve("trace");
        Commands.Outcome outcome = Commands.sandboxed(List.of("--trace-file", traceFile.toString()),
                List.of("/bin/echo", "ran untraced"), new byte[0], Commands.DEFAULT_TIMEOUT).outcome();
        assertNotEquals(0, outcome.exitCode(), outcome::describe);
        assertOneLineError(outcome, outcome.exitCode(), traceFile.toString());
    }

    @Test
    void topLevelHelp() {
        Commands.Outcome outcome = Commands.meridian(List.of("--help"));
        assertHelp(outcome, "run", "journal");
    }

    @Test
    void runHelp() {
        Commands.Outcome outcome = Commands.meridian(List.of("run", "--help"));
        assertHelp(outcome, "--trace", "--trace-file", "--journal", "--profile");
    }

    @Test
    void journalHelp() {
        Commands.Outcome outcome = Commands.meridian(List.of("journal", "--help"));
        assertHelp(outcome, "--journal", "--sandbox", "--sandboxes", "--syscall", "--json");
    }

    private static void assertOneLineError(Commands.Outcome outcome, int expectedStatus, String namedCause) {
        assertEquals(expectedStatus, outcome.exitCode(), outcome::describe);
        assertNoStackTrace(outcome);
        List<String> lines = Commands.lines(outcome.err()).stream().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), () -> "expected a one-line error on stderr\n" + outcome.describe());
        assertTrue(lines.getFirst().contains(namedCause),
                () -> "the error does not name " + namedCause + "\n" + outcome.describe());
    }

    private static void assertHelp(Commands.Outcome outcome, String... mentioned) {
        assertEquals(0, outcome.exitCode(), outcome::describe);
        assertNoStackTrace(outcome);
        for (String word : mentioned) {
            assertTrue(outcome.out().contains(word), () -> "help on stdout does not mention " + word + "\n"
                    + outcome.describe());
        }
    }

    private static void assertNoStackTrace(Commands.Outcome outcome) {
        String all = outcome.out() + outcome.err();
        assertFalse(all.contains("Exception") || all.contains("\tat ") || all.contains("Caused by:"),
                () -> "a stack trace reached the user\n" + outcome.describe());
    }
}
