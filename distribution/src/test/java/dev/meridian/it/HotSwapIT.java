package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles replaced in a running daemon through its deploy directory, under a guest that makes
 * system calls the whole time: no call lost, none answered twice, the stall of each swap measured;
 * broken bundles rejected while the previous version keeps serving.
 */
class HotSwapIT {

    private static final int SWAPS = 5;
    private static final long MIN_CALLS = 100_000;
    /** The deploy directory looked at often: the test renames whole jars in, nothing to settle. */
    private static final Map<String, String> FAST_DEPLOY =
            Map.of("dev.meridian.deploy", "poll.millis = 50\nsettle.millis = 100");
    private static final Pattern STALL = Pattern.compile("services away ([0-9.]+) ms");
    private static final Pattern LOOP_OUTPUT = Pattern.compile("getppid_loop calls=(\\d+) wrong=(\\d+)");

    @TempDir
    static Path workspace;

    static Path loop;

    @BeforeAll
    static void compile() {
        loop = MeridianHome.compileTestProgram("getppid_loop", workspace);
    }

    @Test
    void theShimReplacedFiveTimesUnderABusyGuestLosesNoCall() {
        swapUnderLoad(TestBundles.SHIM, "shim");
    }

    @Test
    void thePolicyEngineReplacedFiveTimesUnderABusyGuestLosesNoCall() {
        swapUnderLoad(TestBundles.POLICY_ENGINE, "policy");
    }

    /** A running sandbox keeps the supervisor of the platform it started on: it runs on, every call answered. */
    @Test
    void theLinuxPlatformReplacedFiveTimesLeavesARunningSandboxRunning() {
        swapUnderLoad(TestBundles.PLATFORM, "platform");
    }

    private static void swapUnderLoad(String symbolicName, String tag) {
        Path root = workspace.resolve(tag);
        Path journal = MeridianHome.freshJournal();
        Path result = root.resolve("result");
        Path stop = root.resolve("stop");
        try (DaemonProcess daemon = DaemonProcess.start(root, FAST_DEPLOY).awaitStarted()) {
            daemon.drop(TestBundles.starter("dev.meridian.it.load." + tag, Map.of(
                    "Meridian-Test-Command", loop + "\t" + MIN_CALLS + "\t" + stop,
                    "Meridian-Test-Journal", journal.toString(),
                    "Meridian-Test-Result", result.toString())), "load-" + tag + ".jar");
            awaitFile(result.resolveSibling("result.started"), daemon);

            byte[] original = TestBundles.installed(symbolicName);
            List<Double> stalls = new ArrayList<>();
            for (int swap = 1; swap <= SWAPS; swap++) {
                daemon.drop(TestBundles.variant(original, tag + " swap " + swap, Map.of()), symbolicName + ".jar");
                List<String> deployed = daemon.awaitLogLines(
                        line -> line.contains("deployed " + symbolicName + " ") && line.contains("(updated"), swap,
                        Duration.ofSeconds(60));
                Matcher stall = STALL.matcher(deployed.getLast());
                assertTrue(stall.find(), () -> "no stall in " + deployed.getLast());
                stalls.add(Double.parseDouble(stall.group(1)));
                assertFalse(Files.exists(result), () -> "the guest ended before the swaps did: " + read(result)
                        + "\n" + daemon.log());
            }
            assertEquals(List.of(), daemon.logLines(line -> line.contains("rejected")), daemon::log);
            Files.createFile(stop);
            awaitFile(result, daemon);
            assertEquals("exit 0 signal 0", read(result).strip(), daemon::log);
            Matcher counts = LOOP_OUTPUT.matcher(daemon.awaitOutput(line -> line.startsWith("getppid_loop"),
                    Duration.ofSeconds(10)));
            assertTrue(counts.find());
            long calls = Long.parseLong(counts.group(1));
            assertEquals("0", counts.group(2), "calls answered wrongly");
            assertTrue(calls >= MIN_CALLS, () -> "only " + calls + " calls");
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);

            List<Map<String, Object>> sandboxes = JournalQueries.sandboxes(journal);
            assertEquals(1, sandboxes.size(), sandboxes::toString);
            Map<String, Object> sandbox = sandboxes.getFirst();
            assertEquals(JournalQueries.number(sandbox, "calls"), JournalQueries.number(sandbox, "answered"),
                    () -> "journaled calls differ from answered calls: " + sandbox);
            long journaledGetppid = JournalQueries.calls(journal, "--syscall", "getppid").size();
            assertEquals(calls, journaledGetppid, "the guest's getppid calls and the journal's differ");

            stalls.sort(null);
            System.out.printf("HotSwapIT %s: %d swaps under %d calls, services away min %.3f ms, median %.3f ms,"
                    + " max %.3f ms%n", symbolicName, SWAPS, calls, stalls.getFirst(), stalls.get(stalls.size() / 2),
                    stalls.getLast());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void brokenBundlesAreRejectedAndThePreviousVersionKeepsServing() {
        Path root = workspace.resolve("broken");
        try (DaemonProcess daemon = DaemonProcess.start(root, FAST_DEPLOY).awaitStarted()) {
            byte[] shim = TestBundles.installed(TestBundles.SHIM);
            String imports = TestBundles.manifest(shim).getMainAttributes().getValue("Import-Package");
            daemon.drop(TestBundles.variant(shim, "unresolvable", Map.of("Import-Package",
                    imports + ",dev.meridian.no.such.package;version=\"[1,2)\"")), TestBundles.SHIM + ".jar");
            String unresolved = daemon.awaitLog(line -> line.contains("rejected"), Duration.ofSeconds(60));
            assertTrue(unresolved.contains("dev.meridian.no.such.package") && unresolved.contains("restored"),
                    unresolved);

            daemon.drop(TestBundles.starter("dev.meridian.it.throwing",
                    Map.of("Meridian-Test-Fail", "this activator refuses on purpose")), "throwing.jar");
            String thrown = daemon.awaitLog(line -> line.contains("rejected") && line.contains("throwing.jar"),
                    Duration.ofSeconds(60));
            assertTrue(thrown.contains("this activator refuses on purpose"), thrown);

            daemon.drop("not a jar".getBytes(), "garbage.jar");
            String garbage = daemon.awaitLog(line -> line.contains("rejected") && line.contains("garbage.jar"),
                    Duration.ofSeconds(60));
            assertTrue(garbage.contains("not a bundle"), garbage);

            // The previous shim still serves: a traced guest's every call goes through it.
            Path journal = MeridianHome.freshJournal();
            Path result = root.resolve("after");
            daemon.drop(TestBundles.starter("dev.meridian.it.after", Map.of(
                    "Meridian-Test-Command", loop + "\t1000",
                    "Meridian-Test-Journal", journal.toString(),
                    "Meridian-Test-Result", result.toString())), "after.jar");
            awaitFile(result, daemon);
            assertEquals("exit 0 signal 0", read(result).strip(), daemon::log);
            assertEquals("getppid_loop calls=1000 wrong=0",
                    daemon.awaitOutput(line -> line.startsWith("getppid_loop"), Duration.ofSeconds(10)));
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon::log);
            assertEquals(1000, JournalQueries.calls(journal, "--syscall", "getppid").size());
        }
    }

    static void awaitFile(Path file, DaemonProcess daemon) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline > 0 || !daemon.process().isAlive()) {
                throw new AssertionError("no " + file + "; daemon log:\n" + daemon.log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no result)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
