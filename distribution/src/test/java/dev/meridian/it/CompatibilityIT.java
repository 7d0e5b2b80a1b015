package dev.meridian.it;

import static dev.meridian.it.Commands.assertSameAsNative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unmodified programs under {@code meridian run} behave as they do natively: same stdout (byte for
 * byte) and same exit status, for each program run both ways here.
 */
class CompatibilityIT {

    private static final Duration SLOW_TIMEOUT = Duration.ofSeconds(180);
    private static final String SH = "/bin/sh";
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path workspace;

    /** A fixed tree (files, nesting, a hidden file, a symlink, odd modes, fixed times) for ls/cat/tar. */
    static Path tree;
    static Path futexRing;
    static Path crash;

    @BeforeAll
    static void prepare() throws IOException {
        tree = workspace.resolve("tree");
        Commands.writeFile(tree.resolve("a/one.txt"), "one\n");
        Commands.writeFile(tree.resolve("a/b/two.txt"), "two\nzwei\ndeux\n");
        Commands.writeFile(tree.resolve("a/b/c/three.txt"), "three\n".repeat(300));
        Commands.writeFile(tree.resolve(".hidden"), "not listed by plain ls\n");
        Commands.writeFile(tree.resolve("empty"), "");
        Files.setPosixFilePermissions(Commands.writeFile(tree.resolve("private.txt"), "secret\n"),
                PosixFilePermissions.fromString("rw-------"));
        byte[] binary = new byte[200_000];
        new Random(42).nextBytes(binary);
        Files.write(tree.resolve("big.bin"), binary);
        Files.createSymbolicLink(tree.resolve("link-to-one"), Path.of("a/one.txt"));
        Random random = new Random(7);
        Commands.writeFile(tree.resolve("data.csv"), IntStream.range(0, 5000)
                .mapToObj(i -> "name" + random.nextInt(1000) + "," + random.nextInt(100000) + "\n")
                .collect(Collectors.joining()));
        try (var paths = Files.walk(tree)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(path)) {
                    Files.setLastModifiedTime(path, FileTime.from(Instant.parse("2025-06-01T12:00:00Z")));
                }
            }
        }
        futexRing = MeridianHome.compileTestProgram("futex_ring", workspace);
        crash = MeridianHome.compileTestProgram("crash", workspace);
    }

    @Test
    void shellPipeline() {
        Commands.Outcome natively = assertSameAsNative(
                List.of(SH, "-c", "seq 1 1000 | sort -rn | head -5 | tr \"\\n\" \" \""));
        assertEquals("1000 999 998 997 996 ", natively.out(), natively::describe);
    }

    @Test
    void programFoundOnPath() {
        assertSameAsNative(List.of("echo", "found", "on", "PATH"));
    }

    @Test
    void lsOfATree() {
        assertSameAsNative(List.of("/bin/ls", "-lAR", "--full-time", tree.toString()));
    }

    @Test
    void catOfTextAndBinaryFiles() {
        Commands.Outcome natively = assertSameAsNative(List.of("/bin/cat", tree.resolve("big.bin").toString(),
                tree.resolve("a/b/two.txt").toString(), tree.resolve("link-to-one").toString()));
        assertEquals(200_000 + 14 + 4, natively.stdout().length, natively::describe);
    }

    @Test
    void sortOfAFile() {
        assertSameAsNative(List.of("/usr/bin/sort", "-t,", "-k2,2n", "-k1,1", tree.resolve("data.csv").toString()));
    }

    @Test
    void tarCreatesTheSameArchiveAndListsIt() throws IOException {
        Path nativeArchive = workspace.resolve("native.tar");
        Path sandboxedArchive = workspace.resolve("sandboxed.tar");
        Commands.Outcome nativeCreate = Commands.runNative(
                List.of("/bin/tar", "-cf", nativeArchive.toString(), "-C", tree.toString(), "."));
        assertEquals(0, nativeCreate.exitCode(), nativeCreate::describe);
        Commands.Outcome sandboxedCreate = Commands.sandboxed(
                List.of("/bin/tar", "-cf", sandboxedArchive.toString(), "-C", tree.toString(), ".")).outcome();
        assertEquals(0, sandboxedCreate.exitCode(), sandboxedCreate::describe);
        assertArrayEquals(Files.readAllBytes(nativeArchive), Files.readAllBytes(sandboxedArchive),
                "tar -c under meridian wrote a different archive from the same tree");

        Commands.Outcome nativeList = Commands.runNative(List.of("/bin/tar", "-tvf", nativeArchive.toString()));
        Commands.Outcome sandboxedList = Commands.sandboxed(
                List.of("/bin/tar", "-tvf", sandboxedArchive.toString())).outcome();
        assertEquals(nativeList.exitCode(), sandboxedList.exitCode(), sandboxedList::describe);
        assertEquals(nativeList.out(), sandboxedList.out(), sandboxedList::describe);
    }

    @Test
    void pythonImportsNativeAndPureModules() {
        Path script = Commands.writeFile(workspace.resolve("imports.py"), """
                import collections, ctypes, datetime, decimal, hashlib, json, math, re, sqlite3, ssl, zlib
                print("sha256", hashlib.sha256(b"meridian" * 1000).hexdigest())
                print("zlib", len(zlib.compress(bytes(range(256)) * 400, 9)))
                db = sqlite3.connect(":memory:")
                db.execute("create table t(n integer)")
                db.executemany("insert into t values (?)", [(i,) for i in range(1000)])
                print("sqlite", db.execute("select count(*), sum(n), max(n) from t").fetchone())
                decimal.getcontext().prec = 40
                print("decimal", decimal.Decimal(2).sqrt())
                print("json", json.dumps({"b": [1, 2.5, None], "a": "\\u00e9"}, sort_keys=True))
                print("re", re.findall(r"\\d+", "a1b22c333"))
                print("ssl", ssl.OPENSSL_VERSION_INFO[:2], ssl.create_default_context().verify_mode)
                print("ctypes", ctypes.CDLL("libc.so.6").abs(-42))
                print("date", datetime.date(2026, 1, 1) + datetime.timedelta(days=100))
                print("counter", collections.Counter("mississippi").most_common(2))
                print("math", math.factorial(30))
                """);
        Commands.Outcome natively = assertSameAsNative(List.of(PYTHON, "-I", script.toString()));
        assertEquals(0, natively.exitCode(), natively::describe);
    }

    @Test
    void pythonSubprocessesForkAndPipes() {
        Path script = Commands.writeFile(workspace.resolve("subprocesses.py"), """
                import os, subprocess, sys
                r = subprocess.run(["/bin/echo", "hello from echo"], capture_output=True, text=True)
                print("echo", r.returncode, r.stdout.strip())
                r = subprocess.run([sys.executable, "-I", "-c", "import sys; print(6 * 7); sys.exit(3)"],
                                   capture_output=True, text=True)
                print("child python", r.returncode, r.stdout.strip())
                p = subprocess.Popen(["sort", "-n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                out, _ = p.communicate("\\n".join(str(n) for n in range(50, 0, -7)) + "\\n")
                print("sort", p.returncode, out.split())
                print("shell", subprocess.run("exit 7", shell=True).returncode)
                print("killed", subprocess.run(["/bin/sh", "-c", "kill -KILL $$"]).returncode)
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(read_end)
                    os.write(write_end, b"from the forked child")
                    os._exit(5)
                os.close(write_end)
                message = os.read(read_end, 100)
                _, status = os.waitpid(pid, 0)
                print("fork", os.WEXITSTATUS(status), message.decode())
                sys.stdout.flush()
                sys.exit(11)
                """);
        Commands.Outcome natively = assertSameAsNative(List.of(PYTHON, "-I", script.toString()));
        assertEquals(11, natively.exitCode(), natively::describe);
    }

    @Test
    void pythonThreads() {
        Path script = Commands.writeFile(workspace.resolve("threads.py"), """
                import concurrent.futures, queue, threading
                def squares(n):
                    return sum(i * i for i in range(n))
                with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                    print("pool", list(pool.map(squares, range(20000, 20008))))
                items = queue.Queue(maxsize=4)
                totals = []
                def produce():
                    for i in range(3000):
                        items.put(i)
                    items.put(None)
                def consume():
                    total = 0
                    while (item := items.get()) is not None:
                        total += item
                    totals.append(total)
                pair = [threading.Thread(target=produce), threading.Thread(target=consume)]
                for t in pair: t.start()
                for t in pair: t.join()
                print("queue", totals)
                turn_changed = threading.Condition()
                turn = 0
                order = []
                def ring(me):
                    global turn
                    for _ in range(200):
                        with turn_changed:
                            turn_changed.wait_for(lambda: turn == me)
                            order.append(me)
                            turn = (me + 1) % 4
                            turn_changed.notify_all()
                ringers = [threading.Thread(target=ring, args=(i,)) for i in range(4)]
                for t in ringers: t.start()
                for t in ringers: t.join()
                print("ring", len(order), order == [0, 1, 2, 3] * 200)
                """);
        Commands.Outcome natively = assertSameAsNative(List.of(PYTHON, "-I", script.toString()));
        assertEquals(0, natively.exitCode(), natively::describe);
    }

    /** gcc (driver, cc1, as, collect2, ld) inside the sandbox, then its binary inside the sandbox. */
    @Test
    void gccCompilesInsideTheSandboxAndTheBinaryRunsThere() throws IOException {
        Path source = MeridianHome.testSource("sieve");
        Path nativeBinary = workspace.resolve("sieve-native");
        Path sandboxedBinary = workspace.resolve("sieve-sandboxed");
        Commands.Outcome nativeCompile = Commands.runNative(
                List.of("/usr/bin/gcc", "-O2", "-o", nativeBinary.toString(), source.toString()),
                new byte[0], SLOW_TIMEOUT);
        assertEquals(0, nativeCompile.exitCode(), nativeCompile::describe);

        Commands.Outcome sandboxedCompile = Commands.sandboxed(List.of(),
                List.of("/usr/bin/gcc", "-O2", "-o", sandboxedBinary.toString(), source.toString()),
                new byte[0], SLOW_TIMEOUT).outcome();
        assertEquals(0, sandboxedCompile.exitCode(), sandboxedCompile::describe);
        assertEquals("", sandboxedCompile.out(), sandboxedCompile::describe);
        assertArrayEquals(Files.readAllBytes(nativeBinary), Files.readAllBytes(sandboxedBinary),
                "gcc under meridian produced a different binary from the same source");

        Commands.Outcome nativeRun = Commands.runNative(List.of(nativeBinary.toString(), "2000000", "x", "y z"));
        Commands.Outcome sandboxedRun = Commands.sandboxed(
                List.of(sandboxedBinary.toString(), "2000000", "x", "y z")).outcome();
        assertEquals(0, nativeRun.exitCode(), nativeRun::describe);
        assertEquals(nativeRun.exitCode(), sandboxedRun.exitCode(), sandboxedRun::describe);
        assertEquals(nativeRun.out(), sandboxedRun.out(), sandboxedRun::describe);
    }

    @Test
    void eightThreadFutexPingPong() {
        Commands.Outcome natively = assertSameAsNative(List.of(futexRing.toString(), "8", "500", "5000"),
                new byte[0], SLOW_TIMEOUT);
        assertEquals(0, natively.exitCode(), natively::describe);
    }

    @Test
    void shellKilledBySigterm() {
        Commands.Outcome natively = assertSameAsNative(List.of(SH, "-c", "echo before; kill -TERM $$; echo after"));
        assertEquals(128 + 15, natively.exitCode(), natively::describe);
        assertEquals("before\n", natively.out(), natively::describe);
    }

    @Test
    void programKilledBySegmentationFault() {
        Commands.Outcome natively = assertSameAsNative(List.of(crash.toString(), "segv"));
        assertEquals(128 + 11, natively.exitCode(), natively::describe);
        assertEquals("about to segv\n", natively.out(), natively::describe);
    }

    @Test
    void programKilledByAbort() {
        Commands.Outcome natively = assertSameAsNative(List.of(crash.toString(), "abort"));
        assertEquals(128 + 6, natively.exitCode(), natively::describe);
    }

    @Test
    void stdinIsPassedThrough() {
        StringBuilder lines = new StringBuilder();
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            lines.append(random.nextInt(1_000_000)).append('\n');
        }
        byte[] input = lines.toString().getBytes(StandardCharsets.US_ASCII);
        Commands.Outcome natively = assertSameAsNative(List.of(SH, "-c", "sort -n | md5sum; echo status $?"),
                input, Commands.DEFAULT_TIMEOUT);
        assertEquals(0, natively.exitCode(), natively::describe);
    }

    @Test
    void stdinReadLineByLine() {
        Commands.Outcome natively = assertSameAsNative(List.of(SH, "-c", "read a; read b; echo \"$b $a\"; cat"),
                "first\nsecond\nrest\nof it\n".getBytes(StandardCharsets.US_ASCII), Commands.DEFAULT_TIMEOUT);
        assertEquals("second first\nrest\nof it\n", natively.out(), natively::describe);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 42})
    void exitStatus(int status) {
        Commands.Outcome natively = assertSameAsNative(List.of(SH, "-c", "echo exiting; exit " + status));
        assertEquals(status, natively.exitCode(), natively::describe);
    }
}
