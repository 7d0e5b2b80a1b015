package dev.meridian.it;

import static dev.meridian.it.JournalQueries.number;
import static dev.meridian.it.JournalQueries.syscall;
import static dev.meridian.it.JournalQueries.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code meridian run} journals, read back through {@code meridian journal}. */
class JournalIT {

    private static final String CAT = "/usr/bin/cat";
    private static final Set<String> VERDICTS = Set.of("allow", "deny", "emulate", "kill");

    @TempDir
    static Path workspace;

    static Path knownFile;
    static Path futexRing;

    @BeforeAll
    static void prepare() {
        knownFile = Commands.writeFile(workspace.resolve("known.txt"), "known contents\n");
        futexRing = MeridianHome.compileTestProgram("futex_ring", workspace);
    }

    @Test
    void catOfAKnownFileIsJournaledInOrderAndEveryCallWasAnswered() {
        Commands.Sandboxed run = Commands.sandboxed(List.of(CAT, knownFile.toString()));
        assertEquals(0, run.outcome().exitCode(), run.outcome()::describe);
        assertEquals("known contents\n", run.outcome().out(), run.outcome()::describe);

        List<Map<String, Object>> calls = JournalQueries.calls(run.journal());
        assertFalse(calls.isEmpty(), "the journal of a cat run holds no calls");
        calls.forEach(JournalIT::assertWellFormed);
        Set<Object> sandboxIds = calls.stream().map(call -> call.get("sandbox")).collect(Collectors.toSet());
        assertEquals(1, sandboxIds.size(), () -> "one run, several sandbox ids: " + sandboxIds);

        Map<String, Object> execve = calls.stream()
                .filter(call -> syscall(call).equals("execve") && text(call).contains(CAT))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no execve of " + CAT + " in\n" + render(calls)));
        Map<String, Object> open = calls.stream()
                .filter(call -> syscall(call).equals("openat") && text(call).contains(knownFile.toString()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no openat of " + knownFile + " in\n" + render(calls)));
        // null when the supervisor let the kernel run the call (CONTINUE) and so never saw its result.
        assertTrue(open.get("result") == null || number(open, "result") >= 0,
                () -> "cat read the file, yet its openat failed: " + open);
        assertEquals(false, open.get("interrupted"), open::toString);

        long mainPid = number(execve, "pid");
        List<Map<String, Object>> mainCalls = calls.stream().filter(call -> number(call, "pid") == mainPid).toList();
        assertEquals("exit_group", syscall(mainCalls.getLast()),
                () -> "the last call of pid " + mainPid + " is not exit_group:\n" + render(calls));
        assertSequencedPerThread(calls);

        List<Map<String, Object>> sandboxes = JournalQueries.sandboxes(run.journal());
        assertEquals(1, sandboxes.size(), sandboxes::toString);
        Map<String, Object> sandbox = sandboxes.getFirst();
        assertEquals(sandboxIds.iterator().next(), sandbox.get("sandbox"), sandbox::toString);
        assertEquals(List.of(CAT, knownFile.toString()), sandbox.get("command"), sandbox::toString);
        assertEquals(0L, sandbox.get("exit"), sandbox::toString);
        assertEquals(calls.size(), number(sandbox, "calls"),
                () -> "--sandboxes counts other calls than journal lists: " + sandbox);
        assertEquals(number(sandbox, "calls"), number(sandbox, "answered"),
                () -> "journaled calls differ from answered calls: " + sandbox);
    }

    @Test
    void everyThreadOfAThreadedProgramIsJournaledInOrder() {
        List<String> program = List.of(futexRing.toString(), "4", "50", "200");
        Commands.Outcome natively = Commands.runNative(program);
        Commands.Sandboxed run = Commands.sandboxed(program);
        assertEquals(0, run.outcome().exitCode(), run.outcome()::describe);
        assertEquals(natively.out(), run.outcome().out(), run.outcome()::describe);

        List<Map<String, Object>> calls = JournalQueries.calls(run.journal());
        calls.forEach(JournalIT::assertWellFormed);
        long pid = number(calls.getFirst(), "pid");
        assertTrue(calls.stream().allMatch(call -> number(call, "pid") == pid),
                () -> "a single-process program journaled under several pids:\n" + render(calls));
        Set<Long> threads = calls.stream().map(call -> number(call, "tid")).collect(Collectors.toSet());
        assertEquals(5, threads.size(), () -> "main + 4 threads ran, the journal shows tids " + threads);
        assertEquals(1, calls.stream().filter(call -> syscall(call).equals("exit_group")).count(),
                () -> "expected one exit_group:\n" + render(calls));
        assertEquals("exit_group", syscall(calls.getLast()),
                () -> "the program's last call is not exit_group:\n" + render(calls));
        assertSequencedPerThread(calls);

        List<Long> futexSequence = calls.stream().filter(call -> syscall(call).equals("futex"))
                .map(call -> number(call, "seq")).toList();
        List<Long> filtered = JournalQueries.calls(run.journal(), "--syscall", "futex").stream()
                .map(call -> number(call, "seq")).toList();
        assertFalse(futexSequence.isEmpty(), "a mutex/condvar ring made no futex calls");
        assertEquals(futexSequence, filtered, "--syscall futex lists other calls than the futex calls");

        Map<String, Object> sandbox = JournalQueries.sandboxes(run.journal()).getFirst();
        assertEquals(calls.size(), number(sandbox, "calls"), sandbox::toString);
        assertEquals(number(sandbox, "calls"), number(sandbox, "answered"),
                () -> "journaled calls differ from answered calls: " + sandbox);
    }

    @Test
    void twoSandboxesInOneJournalAreListedAndFilteredApart() {
        Path journal = MeridianHome.freshJournal();
        Commands.Outcome first = Commands.sandboxedInto(journal, List.of(), List.of("/bin/echo", "first"),
                new byte[0], Commands.DEFAULT_TIMEOUT).outcome();
        Commands.Outcome second = Commands.sandboxedInto(journal, List.of(), List.of("/bin/sh", "-c", "exit 3"),
                new byte[0], Commands.DEFAULT_TIMEOUT).outcome();
        assertEquals(0, first.exitCode(), first::describe);
        assertEquals("first\n", first.out(), first::describe);
        assertEquals(3, second.exitCode(), second::describe);

        List<Map<String, Object>> sandboxes = JournalQueries.sandboxes(journal);
        assertEquals(2, sandboxes.size(), sandboxes::toString);
        Map<List<Object>, Map<String, Object>> byCommand = new HashMap<>();
        sandboxes.forEach(sandbox -> byCommand.put(List.copyOf((List<?>) sandbox.get("command")), sandbox));
        Map<String, Object> echo = byCommand.get(List.of("/bin/echo", "first"));
        Map<String, Object> shell = byCommand.get(List.of("/bin/sh", "-c", "exit 3"));
        assertTrue(echo != null && shell != null, () -> "commands not recorded as run: " + sandboxes);
        assertNotEquals(echo.get("sandbox"), shell.get("sandbox"), sandboxes::toString);
        assertEquals(0L, echo.get("exit"), echo::toString);
        assertEquals(3L, shell.get("exit"), shell::toString);

        List<Map<String, Object>> all = JournalQueries.calls(journal);
        assertEquals(number(echo, "calls") + number(shell, "calls"), all.size(),
                () -> "the journal lists other calls than the sandboxes count: " + sandboxes);
        for (Map<String, Object> sandbox : sandboxes) {
            String id = (String) sandbox.get("sandbox");
            List<Map<String, Object>> own = JournalQueries.calls(journal, "--sandbox", id);
            assertEquals(number(sandbox, "calls"), own.size(), () -> "--sandbox " + id + " lists " + own.size()
                    + " calls, --sandboxes says " + sandbox);
            assertTrue(own.stream().allMatch(call -> id.equals(call.get("sandbox"))),
                    () -> "--sandbox " + id + " lists calls of another sandbox:\n" + render(own));
        }

        Commands.Outcome plain = Commands.meridian(List.of("journal", "--journal", journal.toString()));
        assertEquals(0, plain.exitCode(), plain::describe);
        assertEquals(all.size(), Commands.lines(plain.out()).size(),
                () -> "the plain listing should print one line per journaled call\n" + plain.describe());
        Commands.Outcome plainSandboxes = Commands.meridian(
                List.of("journal", "--journal", journal.toString(), "--sandboxes"));
        assertEquals(0, plainSandboxes.exitCode(), plainSandboxes::describe);
        for (Map<String, Object> sandbox : sandboxes) {
            assertTrue(plainSandboxes.out().contains((String) sandbox.get("sandbox")), plainSandboxes::describe);
        }
        assertTrue(plainSandboxes.out().contains("/bin/echo"), plainSandboxes::describe);
    }

    /** The documented fields, with their documented types. */
    private static void assertWellFormed(Map<String, Object> call) {
        String where = "journal entry " + call;
        assertTrue(call.get("sandbox") instanceof String id && id.matches("[0-9a-f]{16}"), where + ": sandbox");
        number(call, "seq");
        assertTrue(number(call, "pid") > 0, where + ": pid");
        assertTrue(number(call, "tid") > 0, where + ": tid");
        assertTrue(call.get("syscall") instanceof String name && name.matches("[a-z_0-9]+"), where + ": syscall");
        assertTrue(number(call, "nr") >= 0, where + ": nr");
        assertTrue(call.get("args") instanceof List<?> args && args.size() == 6
                && args.stream().allMatch(arg -> arg instanceof String hex && hex.matches("(0x)?[0-9a-fA-F]+")),
                where + ": args must be 6 hex strings");
        assertTrue(call.get("text") instanceof String text && text.contains(syscall(call) + "("), where + ": text");
        assertTrue(VERDICTS.contains(call.get("verdict")), where + ": verdict");
        assertTrue(call.containsKey("rule") && (call.get("rule") == null || call.get("rule") instanceof String),
                where + ": rule");
        assertInstanceOf(Boolean.class, call.get("interrupted"), where + ": interrupted");
        assertTrue(call.containsKey("result") && (call.get("result") == null || call.get("result") instanceof Long),
                where + ": result");
        assertTrue(number(call, "latency_ns") >= 0, where + ": latency_ns");
    }

    /** Within each thread the journal lists calls in the order they were made: seq rising. */
    private static void assertSequencedPerThread(List<Map<String, Object>> calls) {
        Map<Long, Long> lastSequenceByThread = new HashMap<>();
        Set<Long> sequences = new HashSet<>();
        for (Map<String, Object> call : calls) {
            long tid = number(call, "tid");
            long seq = number(call, "seq");
            assertTrue(sequences.add(seq), () -> "seq " + seq + " appears twice:\n" + render(calls));
            Long previous = lastSequenceByThread.put(tid, seq);
            assertTrue(previous == null || previous < seq,
                    () -> "tid " + tid + ": seq " + seq + " listed after " + previous + "\n" + render(calls));
        }
    }

    private static String render(List<Map<String, Object>> calls) {
        return Commands.excerpt(calls.stream()
                .map(call -> call.get("seq") + " pid " + call.get("pid") + " tid " + call.get("tid") + " " + text(call))
                .collect(Collectors.joining("\n")));
    }
}
