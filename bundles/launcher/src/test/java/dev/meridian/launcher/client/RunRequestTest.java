package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunRequestTest {
    private static final Path CWD = Path.of("/home/me/work");

    private static Map<String, Object> body(String... args) throws ClientException {
        return RunRequest.parse(List.of(args)).body(Map.of("PATH", "/bin"), CWD, null);
    }

    @Test
    void mapsTheRunOptionsOntoACreateRequest() throws ClientException {
        Map<String, Object> body = body("--profile", "strict", "--policy", "app.yaml", "--journal=j", "--net",
                "LOOPBACK", "--ro", "/usr", "--tmpfs", "/tmp", "--allow-connect", "80,443", "--limit", "as=1G",
                "--cgroup", "pids=64", "--hostname", "box", "--", "sh", "-c", "echo --profile");
        assertEquals(List.of("sh", "-c", "echo --profile"), body.get("command"));
        assertEquals(Map.of("PATH", "/bin"), body.get("env"));
        assertEquals("/home/me/work", body.get("cwd"));
        assertEquals(List.of(Map.of("profile", "strict"), Map.of("file", "/home/me/work/app.yaml")),
                body.get("policies"));
        assertEquals("/home/me/work/j", body.get("journal"));
        assertEquals("pipe", body.get("stdio"));
        assertEquals(false, body.get("start"));
        assertEquals(Map.of("mounts", List.of(Map.of("ro", "/usr"), Map.of("tmpfs", "/tmp")), "net", "LOOPBACK",
                "allowConnect", "80,443", "hostname", "box", "limits", Map.of("as", "1G"), "cgroup", "pids=64"),
                body.get("isolation"));
        assertTrue(Json.write(body).startsWith("{\"command\":[\"sh\",\"-c\",\"echo --profile\"],"), Json.write(body));
    }

    @Test
    void aTerminalRunAsksForATty() throws ClientException {
        Map<String, Object> body = RunRequest.parse(List.of("vi")).body(Map.of(), CWD, new int[] {40, 120});
        assertEquals("tty", body.get("stdio"));
        assertEquals(Map.of("rows", 40, "columns", 120), body.get("tty"));
        assertTrue(!body.containsKey("policies") && !body.containsKey("isolation"), "the daemon's defaults apply");
    }

    @Test
    void reportsCommandLineMistakesAsTheEmbeddedRunDoes() {
        Map<List<String>, String> mistakes = Map.of(
                List.of("--bogus", "x"), "unknown option: --bogus",
                List.of("--journal"), "option --journal needs a value",
                List.of("--trace=1", "x"), "option --trace takes no value",
                List.of("--limit", "cpu", "x"), "run: --limit takes NAME=VALUE, not 'cpu'",
                List.of("--limit", "as=1G", "--limit", "as=2G", "x"), "run: --limit as given twice",
                List.of("--keep", "x"), "run: --keep keeps the writable layer of a --rootfs; there is none",
                List.of("--trace", "--trace-file", "f", "x"), "run: --trace and --trace-file exclude each other",
                List.of(), "run: no program given (see meridian run --help)");
        for (Map.Entry<List<String>, String> mistake : mistakes.entrySet()) {
            ClientException e = assertThrows(ClientException.class,
                    () -> RunRequest.parse(mistake.getKey()).body(Map.of(), CWD, null), mistake.getKey()::toString);
            assertEquals(mistake.getValue(), e.getMessage());
            assertEquals(ClientException.USAGE, e.status());
        }
    }

    @Test
    void optionValuesGoToTheDaemonAsGivenForItToCheck() throws ClientException {
        Map<String, Object> body = body("--net", "wifi", "--allow-bind", "9-8", "--ro", "rel", "--limit", "mem=x",
                "--cgroup", "io=1", "--hostname", "a b", "x");
        assertEquals(Map.of("mounts", List.of(Map.of("ro", "rel")), "net", "wifi", "allowBind", "9-8", "hostname",
                "a b", "limits", Map.of("mem", "x"), "cgroup", "io=1"), body.get("isolation"));
    }

    @Test
    void theDaemonsRefusalOfAValueNamesTheOption() {
        Map<String, String> refusals = Map.of(
                "isolation.net takes none, loopback or host, not 'wifi'",
                "run: --net takes none, loopback or host, not 'wifi'",
                "isolation.allowConnect takes ports 0 to 65535, not 'x'",
                "run: --allow-connect takes ports 0 to 65535, not 'x'",
                "isolation.limits.mem is not a limit (known: cpu, as, nproc, fsize, nofile)",
                "run: --limit mem is not a limit (known: cpu, as, nproc, fsize, nofile)",
                "isolation.mounts[1].tmpfs needs an absolute path: b",
                "run: --tmpfs needs an absolute path: b",
                "isolation.cgroup memory takes a non-negative number (K, M, G allowed), not 'x'",
                "run: --cgroup memory takes a non-negative number (K, M, G allowed), not 'x'");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String message = refusal.getKey();
            ClientException e = RemoteRun.failure(new ApiException(400, "bad_request", message, null,
                    message.substring(0, message.indexOf(' '))));
            assertEquals(refusal.getValue(), e.getMessage());
            assertEquals(ClientException.USAGE, e.status());
        }
        // Without a field of the isolation, the message is the daemon's as it is.
        assertEquals("cwd needs an absolute path: x", RemoteRun.failure(
                new ApiException(400, "bad_request", "cwd needs an absolute path: x", null, "cwd")).getMessage());
        assertEquals("isolation.keep keeps the writable layer of a rootfs; there is none", RemoteRun.failure(
                new ApiException(400, "bad_request", "isolation.keep keeps the writable layer of a rootfs; there is none",
                        null, null)).getMessage());
    }

    @Test
    void refusesDescriptorsItCannotPass() {
        ClientException e = assertThrows(ClientException.class, () -> body("--fd", "3", "cat"));
        assertTrue(e.getMessage().contains("--embedded"), e.getMessage());
        assertEquals(ClientException.USAGE, e.status());
    }

    @Test
    void theEmbeddedRunGetsTheCommandLineWithoutClientOptions() throws ClientException {
        List<String> args = List.of("--embedded", "--profile=trace", "--state=/t", "--journal", "j", "--", "prog",
                "--state", "x");
        RunRequest request = RunRequest.parse(args);
        assertEquals("/t", request.state());
        assertTrue(request.embedded());
        assertEquals(List.of("--profile=trace", "--journal", "j", "--", "prog", "--state", "x"),
                request.line().argumentsWithout(args, RunRequest.CLIENT_ONLY));
        List<String> spaced = List.of("--state", "/s", "--trace", "prog");
        assertEquals(List.of("--trace", "prog"), RunRequest.parse(spaced).line().argumentsWithout(spaced,
                RunRequest.CLIENT_ONLY));
    }
}
