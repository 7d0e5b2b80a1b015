package dev.meridian.it;

import static dev.meridian.it.JournalQueries.syscall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** The policy commands end to end: check, explain, learn, denials in the journal, reload. */
class PolicyIT {

    /** Denies uname with EACCES in the supervisor, under the rule {@code no-uname/no-uname}. */
    static final String NO_UNAME = """
            meridian-policy: 1
            name: no-uname
            syscalls:
              rules:
                - id: no-uname
                  names: [uname]
                  action: deny
                  errno: EACCES
            """;

    @TempDir
    Path workspace;

    @Test
    void badPoliciesAreReportedWithTheirPositionAndNothingStarts() {
        Path syntax = Commands.writeFile(workspace.resolve("syntax.yaml"), "meridian-policy: 1\nsyscalls: [\n");
        Path unknownKey = Commands.writeFile(workspace.resolve("key.yaml"),
                "meridian-policy: 1\nsyscals:\n  default: allow\n");
        Path unknownSyscall = Commands.writeFile(workspace.resolve("nr.yaml"), """
                meridian-policy: 1
                syscalls:
                  rules:
                    - names: [read, no_such_call]
                      action: deny
                """);
        for (Path bad : List.of(syntax, unknownKey, unknownSyscall)) {
            Commands.Outcome check = Commands.meridian(List.of("policy", "check", bad.toString()));
            assertEquals(1, check.exitCode(), check::describe);
            assertTrue(check.out().matches("(?s).*" + Pattern.quote(bad.toString()) + ":\\d+:\\d+: .*"),
                    () -> "no FILE:LINE:COLUMN in\n" + check.describe());

            Path marker = workspace.resolve("ran-" + bad.getFileName());
            Commands.Outcome run = Commands.meridian(List.of("run", "--policy", bad.toString(), "--",
                    "/usr/bin/touch", marker.toString()));
            assertEquals(125, run.exitCode(), run::describe);
            assertFalse(Files.exists(marker), "a sandbox ran under a policy that does not load");
        }
        assertTrue(Commands.meridian(List.of("policy", "check", unknownSyscall.toString())).out()
                .contains("no_such_call"), "the unknown system call is not named");
    }

    /** Docker's default profile as moby publishes it (a byte-identical copy of ../shared/data's). */
    static final Path DOCKER_DEFAULT = MeridianHome.moduleDirectory()
            .resolve("../policy-engine/src/test/resources/dev/meridian/policy/docker-default-seccomp.json").normalize();

    static List<List<String>> everydayPrograms() {
        return List.of(
                List.of("/bin/sh", "-c", "seq 1 2000 | sort -r | head -n 3; ls / | wc -l; echo done >&2"),
                List.of("/usr/bin/python3", "-c", """
                        import json, subprocess, threading, tempfile, os
                        out = []
                        t = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(8)]
                        [x.start() for x in t]; [x.join() for x in t]
                        with tempfile.NamedTemporaryFile('w', delete=True) as f:
                            f.write('scratch'); f.flush()
                            size = os.path.getsize(f.name)
                        print(json.dumps(sorted(out)), size, subprocess.run(['echo', 'child'], capture_output=True, text=True).stdout.strip())
                        """),
                List.of("/bin/sh", "-c", "tar -cf - -C /usr/share/doc dpkg 2>/dev/null | tar -tf - | sort | head -n 5"));
    }

    @ParameterizedTest
    @MethodSource("everydayPrograms")
    void everydayProgramsRunUnderTheDefaultProfileAsNatively(List<String> program) {
        Commands.assertSameAsNative(List.of("--profile", "default"), program, new byte[0], Commands.DEFAULT_TIMEOUT);
    }

    @ParameterizedTest
    @MethodSource("everydayPrograms")
    void everydayProgramsRunUnderDockersDefaultProfileAsNatively(List<String> program) {
        Commands.assertSameAsNative(List.of("--policy", DOCKER_DEFAULT.toString()), program, new byte[0],
                Commands.DEFAULT_TIMEOUT);
    }

    @Test
    void dockersProfileDeniesWhatDockerDenies() {
        List<String> unshare = List.of("/usr/bin/python3", "-c", """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                print('unshared' if libc.unshare(0x10000000) == 0 else os.strerror(ctypes.get_errno()))
                """);
        assertEquals("unshared\n", Commands.runNative(unshare).out(), "natively a new user namespace is made");
        Commands.Sandboxed run = Commands.sandboxed(List.of("--policy", DOCKER_DEFAULT.toString()), unshare,
                new byte[0], Commands.DEFAULT_TIMEOUT);
        assertEquals("Operation not permitted\n", run.outcome().out(), run.outcome()::describe);
        List<Map<String, Object>> unshares = JournalQueries.calls(run.journal(), "--syscall", "unshare");
        assertEquals("deny", unshares.getFirst().get("verdict"), unshares::toString);
    }

    @Test
    void explainPlacesEveryRuleOfTheDefaultProfile() {
        Commands.Outcome explain = Commands.meridian(List.of("policy", "explain", "--profile", "default"));
        assertEquals(0, explain.exitCode(), explain::describe);
        assertTrue(explain.out().contains("Landlock"), explain::describe);
        assertTrue(explain.out().contains("seccomp-BPF"), explain::describe);
        assertTrue(explain.out().contains("default/read-everywhere"), explain::describe);
        assertTrue(explain.out().contains("kernel layers:"), explain::describe);
    }

    @Test
    void aDeniedCallGetsTheRulesErrnoAndTheJournalNamesTheRule() {
        Path policy = Commands.writeFile(workspace.resolve("no-uname.yaml"), NO_UNAME);
        Commands.Sandboxed run = Commands.sandboxed(List.of("--policy", policy.toString()), List.of("/usr/bin/uname"),
                new byte[0], Commands.DEFAULT_TIMEOUT);
        assertNotEquals(0, run.outcome().exitCode(), run.outcome()::describe);
        assertTrue(run.outcome().err().contains("Permission denied"), run.outcome()::describe);

        List<Map<String, Object>> unames = JournalQueries.calls(run.journal(), "--syscall", "uname");
        assertEquals(1, unames.size(), unames::toString);
        assertEquals("deny", unames.getFirst().get("verdict"), unames::toString);
        assertEquals("no-uname/no-uname", unames.getFirst().get("rule"), unames::toString);
        assertEquals(1L, JournalQueries.sandboxes(run.journal()).getFirst().get("denied"));
    }

    @Test
    void learnWritesAPolicyThatRunsTheProgramAgainAndDeniesAVariant() throws Exception {
        Path data = Files.createDirectory(workspace.resolve("data"));
        Path known = Commands.writeFile(data.resolve("known.txt"), "learned\n");
        Path other = Commands.writeFile(data.resolve("other.txt"), "not learned\n");
        Path learned = workspace.resolve("app.yaml");
        try (Listener allowed = new Listener(); Listener forbidden = new Listener()) {
            Commands.Outcome learn = Commands.meridian(List.of("policy", "learn", "-o", learned.toString(),
                    "--journal", MeridianHome.freshJournal().toString(), "--", "/usr/bin/python3", "-c", CLIENT,
                    known.toString(), Integer.toString(allowed.port())));
            assertEquals(0, learn.exitCode(), learn::describe);
            assertTrue(learn.out().contains("learned"), learn::describe);
            assertEquals(0, Commands.meridian(List.of("policy", "check", learned.toString())).exitCode(),
                    () -> "the learned policy does not check:\n" + read(learned));

            Commands.Outcome again = runUnder(learned, known, allowed.port());
            assertEquals(0, again.exitCode(), () -> again.describe() + "\npolicy:\n" + read(learned));
            assertEquals("learned\n", again.out(), again::describe);

            Commands.Outcome newFile = runUnder(learned, other, allowed.port());
            assertNotEquals(0, newFile.exitCode(), newFile::describe);
            assertTrue(newFile.err().contains("PermissionError"), newFile::describe);

            Commands.Outcome newPort = runUnder(learned, known, forbidden.port());
            assertNotEquals(0, newPort.exitCode(), newPort::describe);
            assertTrue(newPort.err().contains("PermissionError"), newPort::describe);
            assertEquals(0, forbidden.accepted(), "the forbidden port was reached");
            assertEquals(2, allowed.accepted(), "learn run + rerun should both have connected");
        }
    }

    @Test
    void aChangedPolicyFileJudgesTheRunningSandboxsNextCalls() throws Exception {
        Path policy = Commands.writeFile(workspace.resolve("live.yaml"), livePolicy("log"));
        Path progress = workspace.resolve("progress.txt");
        String loop = """
                import os, sys, time
                for _ in range(600):
                    try:
                        os.uname()
                        open(sys.argv[1], 'a').write('ok\\n')
                    except PermissionError:
                        print('denied'); sys.exit(0)
                    time.sleep(0.05)
                sys.exit(3)
                """;
        CompletableFuture<Commands.Sandboxed> run = CompletableFuture.supplyAsync(() -> Commands.sandboxed(
                List.of("--policy", policy.toString()), List.of("/usr/bin/python3", "-c", loop, progress.toString()),
                new byte[0], Duration.ofSeconds(90)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(progress) && Files.readString(progress).contains("ok"))) {
            assertTrue(System.nanoTime() < deadline && !run.isDone(), "the guest never made progress");
            Thread.sleep(50);
        }
        Files.writeString(policy, livePolicy("deny"));
        Commands.Sandboxed done = run.get(90, TimeUnit.SECONDS);
        assertEquals(0, done.outcome().exitCode(), done.outcome()::describe);
        assertEquals("denied\n", done.outcome().out(), done.outcome()::describe);

        List<Map<String, Object>> unames = JournalQueries.calls(done.journal(), "--syscall", "uname");
        assertEquals("live/uname", unames.getFirst().get("rule"), unames::toString);
        assertEquals("allow", unames.getFirst().get("verdict"), unames::toString);
        Map<String, Object> last = unames.getLast();
        assertEquals("deny", last.get("verdict"), unames::toString);
        assertEquals("live/uname", last.get("rule"), unames::toString);
        assertTrue(unames.stream().allMatch(call -> syscall(call).equals("uname")));
    }

    private static String livePolicy(String action) {
        return """
                meridian-policy: 1
                name: live
                syscalls:
                  rules:
                    - id: uname
                      names: [uname]
                      action: %s
                """.formatted(action);
    }

    /** Prints a file, then connects to a loopback port and says hello. */
    private static final String CLIENT = """
            import socket, sys
            print(open(sys.argv[1]).read(), end='')
            with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as s:
                s.sendall(b'hello')
            """;

    private static Commands.Outcome runUnder(Path policy, Path file, int port) {
        return Commands.meridian(List.of("run", "--policy", policy.toString(), "--journal",
                MeridianHome.freshJournal().toString(), "--", "/usr/bin/python3", "-c", CLIENT, file.toString(),
                Integer.toString(port)));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback TCP listener that counts the connections it accepted. */
    private static final class Listener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();
        private final List<Socket> clients = new ArrayList<>();

        Listener() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket client = socket.accept();
                        accepted.incrementAndGet();
                        synchronized (clients) {
                            clients.add(client);
                        }
                    }
                } catch (IOException closed) {
                    // done
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (clients) {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }
}
