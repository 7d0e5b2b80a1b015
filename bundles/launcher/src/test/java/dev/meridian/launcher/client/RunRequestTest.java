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
        assertEquals(Map.of("mounts", List.of(Map.of("ro", "/usr"), Map.of("tmpfs", "/tmp")), "net", "loopback",
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
    void reportsMistakesAsTheEmbeddedRunDoes() {
        Map<List<String>, String> mistakes = Map.of(
                List.of("--bogus", "x"), "unknown option: --bogus",
                List.of("--journal"), "option --journal needs a value",
                List.of("--trace=1", "x"), "option --trace takes no value",
                List.of("--net", "wifi", "x"), "run: --net takes none, loopback or host, not 'wifi'",
                List.of("--ro", "rel", "x"), "run: --ro needs an absolute path: rel",
                List.of("--allow-bind", "9-8", "x"), "run: --allow-bind: empty port range 9-8",
                List.of("--limit", "mem=1", "x"), "run: --limit takes NAME=VALUE with NAME one of cpu, as, nproc, "
                        + "fsize, nofile: mem=1",
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
