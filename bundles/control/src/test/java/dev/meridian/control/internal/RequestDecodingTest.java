package dev.meridian.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.Isolation;
import dev.meridian.api.PolicySource;
import dev.meridian.api.Stdio;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestDecodingTest {

    @TempDir
    Path state;

    private SandboxRequest decode(String json) {
        return SandboxRequest.decode(StrictJson.object(Buffer.buffer(json)), new PolicyStore(state.resolve("policies")),
                state.resolve("journal"));
    }

    private ApiException refused(String json) {
        return assertThrows(ApiException.class, () -> decode(json));
    }

    @Test
    void onlyTheCommandIsRequiredAndTheDefaultsAreTheDocumentedOnes() {
        SandboxRequest request = decode("{\"command\": [\"true\"]}");
        assertEquals(List.of("true"), request.spec().command());
        assertEquals(Map.of(), request.spec().environment());
        assertEquals(Path.of("/"), request.spec().workingDirectory());
        assertEquals(List.of(PolicySource.profile("default")), request.spec().policies());
        assertEquals(Isolation.DEFAULT, request.spec().isolation());
        assertEquals(Stdio.PIPE, request.spec().stdio());
        assertEquals(state.resolve("journal"), request.spec().journalDirectory());
        assertTrue(request.start());
        assertFalse(request.discardOutput());
        assertNull(request.terminalSize());
    }

    @Test
    void everyFieldOfTheDocumentedExampleIsRead() throws IOException {
        Files.createDirectories(state.resolve("policies"));
        Files.writeString(state.resolve("policies/ci.yaml"), "name: ci\n");
        SandboxRequest request = decode("""
                {"command": ["python3", "-c", "print(1)"], "env": {"PATH": "/usr/bin:/bin"}, "cwd": "/home/me",
                 "policies": [{"profile": "default"}, {"file": "/etc/meridian/app.yaml"}, {"stored": "ci"}],
                 "isolation": {"net": "none", "mounts": [{"ro": "/opt"}, {"tmpfs": "/tmp"}], "allowConnect": "80,443",
                   "allowBind": "8000-8002", "hostname": "box", "limits": {"cpu": "10", "as": "1G", "nofile": 64},
                   "cgroup": "memory=1G,pids=64"},
                 "stdio": "tty", "tty": {"rows": 24, "columns": 80}, "journal": "/var/lib/meridian/journal",
                 "start": false}""");
        assertEquals(Map.of("PATH", "/usr/bin:/bin"), request.spec().environment());
        assertEquals(Path.of("/home/me"), request.spec().workingDirectory());
        assertEquals(List.of(PolicySource.profile("default"), PolicySource.file(Path.of("/etc/meridian/app.yaml")),
                PolicySource.file(state.resolve("policies/ci.yaml"))), request.spec().policies());
        Isolation isolation = request.spec().isolation();
        assertEquals(Isolation.Network.NONE, isolation.network());
        assertEquals(List.of(new Isolation.Mount(Isolation.Mount.Kind.READ_ONLY, Path.of("/opt")),
                new Isolation.Mount(Isolation.Mount.Kind.TMPFS, Path.of("/tmp"))), isolation.mounts());
        assertEquals(Set.of(80, 443), isolation.connectPorts());
        assertEquals(Set.of(8000, 8001, 8002), isolation.bindPorts());
        assertEquals("box", isolation.hostname());
        assertEquals(Map.of(Isolation.Limit.CPU_SECONDS, 10L, Isolation.Limit.ADDRESS_SPACE, 1L << 30,
                Isolation.Limit.OPEN_FILES, 64L), isolation.limits());
        assertEquals(new Isolation.CgroupLimits(1L << 30, 64, 0), isolation.cgroup());
        assertEquals(Stdio.TTY, request.spec().stdio());
        assertEquals(new SandboxRequest.TerminalSize(24, 80), request.terminalSize());
        assertEquals(Path.of("/var/lib/meridian/journal"), request.spec().journalDirectory());
        assertFalse(request.start());
    }

    @Test
    void nullStdioIsPipesWhoseOutputTheDaemonDrops() {
        SandboxRequest request = decode("{\"command\": [\"true\"], \"stdio\": \"null\"}");
        assertEquals(Stdio.PIPE, request.spec().stdio());
        assertTrue(request.discardOutput());
    }

    @Test
    void anUnknownFieldIsNamedWithTheKnownOnes() {
        ApiException error = refused("{\"comand\": [\"true\"]}");
        assertEquals(400, error.status());
        assertEquals("bad_request", error.code());
        assertEquals("unknown field \"comand\" (known: command, env, cwd, policies, isolation, stdio, tty, journal, "
                + "start)", error.getMessage());
        assertTrue(refused("{\"command\": [\"true\"], \"isolation\": {\"network\": \"none\"}}").getMessage()
                .startsWith("unknown field \"isolation.network\" (known: rootfs, keep, mounts, net,"));
        assertEquals("isolation.limits.mem is not a limit (known: cpu, as, nproc, fsize, nofile)",
                refused("{\"command\": [\"true\"], \"isolation\": {\"limits\": {\"mem\": 1}}}").getMessage());
    }

    @Test
    void wrongTypesAndMissingFieldsAreRefusedByName() {
        assertEquals("missing required field \"command\"", refused("{}").getMessage());
        assertEquals("\"command\" must be an array, not a string", refused("{\"command\": \"ls\"}").getMessage());
        assertEquals("\"command[1]\" must be a string, not a number", refused("{\"command\": [\"ls\", 1]}").getMessage());
        assertEquals("\"env.A\" must be a string, not a boolean",
                refused("{\"command\": [\"ls\"], \"env\": {\"A\": true}}").getMessage());
        assertEquals("\"start\" must be true or false, not a string",
                refused("{\"command\": [\"ls\"], \"start\": \"no\"}").getMessage());
        assertEquals("\"command\" is empty: name the program to run", refused("{\"command\": []}").getMessage());
        assertEquals("\"tty\" sets a terminal's size; it needs \"stdio\": \"tty\"",
                refused("{\"command\": [\"ls\"], \"tty\": {\"rows\": 2, \"columns\": 3}}").getMessage());
    }

    @Test
    void isolationIsCheckedAsTheRunCommandChecksIt() {
        assertEquals("isolation.net takes none, loopback or host, not 'all'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"net\": \"all\"}}").getMessage());
        assertEquals("isolation.keep keeps the writable layer of a rootfs; there is none",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"keep\": true}}").getMessage());
        assertEquals("isolation.allowConnect takes ports 0 to 65535, not '70000'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"allowConnect\": \"80,70000\"}}").getMessage());
        assertEquals("isolation.allowBind takes ranges from low to high, not '9-8'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"allowBind\": \"9-8\"}}").getMessage());
        assertEquals("isolation.mounts[0].ro needs an absolute path: opt",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"mounts\": [{\"ro\": \"opt\"}]}}").getMessage());
        assertEquals("isolation.hostname takes 1 to 64 letters, digits, '.' and '-', not 'a b'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"hostname\": \"a b\"}}").getMessage());
        assertEquals("isolation.cgroup takes memory=BYTES,pids=N,cpu=PERCENT, not 'io=1'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"cgroup\": \"io=1\"}}").getMessage());
        assertEquals("isolation.limits.as takes a non-negative number (K, M, G allowed), not '1T'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"limits\": {\"as\": \"1T\"}}}").getMessage());
        assertEquals("isolation.limits.nofile takes a non-negative number (K, M, G allowed), not '-1'",
                refused("{\"command\": [\"ls\"], \"isolation\": {\"limits\": {\"nofile\": -1}}}").getMessage());
    }

    @Test
    void aBadIsolationValueNamesItsFieldForClients() {
        assertEquals(Map.of("field", "isolation.allowConnect"),
                refused("{\"command\": [\"ls\"], \"isolation\": {\"allowConnect\": \"x\"}}").details());
        assertEquals(Map.of("field", "isolation.limits.mem"),
                refused("{\"command\": [\"ls\"], \"isolation\": {\"limits\": {\"mem\": 1}}}").details());
        assertEquals(Map.of("field", "isolation.mounts[1].tmpfs"), refused(
                "{\"command\": [\"ls\"], \"isolation\": {\"mounts\": [{\"ro\": \"/a\"}, {\"tmpfs\": \"b\"}]}}")
                .details());
        // A mistake in the JSON itself is no value's: nothing to name beside the message.
        assertEquals(Map.of(), refused("{\"command\": [\"ls\"], \"isolation\": {\"net\": 1}}").details());
    }

    @Test
    void policiesAreOneKindEachAndStoredOnesMustExist() {
        assertTrue(refused("{\"command\": [\"ls\"], \"policies\": [{\"profile\": \"a\", \"file\": \"/b\"}]}")
                .getMessage().startsWith("\"policies[0]\" must be one of"));
        assertEquals("unknown field \"policies[0].name\" (known: profile, file, stored)",
                refused("{\"command\": [\"ls\"], \"policies\": [{\"name\": \"a\"}]}").getMessage());
        ApiException missing = refused("{\"command\": [\"ls\"], \"policies\": [{\"stored\": \"ci\"}]}");
        assertEquals(422, missing.status());
        assertEquals("policy_invalid", missing.code());
        assertEquals(400, refused("{\"command\": [\"ls\"], \"policies\": [{\"stored\": \"../x\"}]}").status());
    }

    @Test
    void malformedJsonAndNonObjectsAreBadRequests() {
        ApiException malformed = assertThrows(ApiException.class, () -> StrictJson.object(Buffer.buffer("{\"a\": ")));
        assertEquals(400, malformed.status());
        assertTrue(malformed.getMessage().startsWith("malformed JSON: "), malformed.getMessage());
        assertEquals("the body must be a JSON object, not an array",
                assertThrows(ApiException.class, () -> StrictJson.object(Buffer.buffer("[1]"))).getMessage());
        assertEquals(400, assertThrows(ApiException.class,
                () -> StrictJson.object(Buffer.buffer("{\"a\": 1} trailing"))).status());
    }

    @Test
    void signalsByNameOrNumber() {
        assertEquals(2, Signals.number("signal", "INT"));
        assertEquals(2, Signals.number("signal", "sigint"));
        assertEquals(15, Signals.number("signal", 15));
        assertEquals(28, Signals.number("signal", "WINCH"));
        assertTrue(assertThrows(ApiException.class, () -> Signals.number("signal", "NOPE")).getMessage()
                .contains("unknown signal 'NOPE'"));
        assertEquals(400, assertThrows(ApiException.class, () -> Signals.number("signal", 0)).status());
        assertEquals(400, assertThrows(ApiException.class, () -> Signals.number("signal", new JsonObject())).status());
    }
}
