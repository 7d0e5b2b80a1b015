package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Policies.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad policy gets FILE:LINE:COLUMN and its cause; all problems of a file at once. */
class PolicyErrorsTest {

    @TempDir
    Path dir;

    private String only(String text) throws Exception {
        String problems = problems(dir, "app.yaml", text);
        assertEquals(1, problems.lines().count(), problems);
        return problems;
    }

    private String at(int line, int column) {
        return dir.resolve("app.yaml") + ":" + line + ":" + column + ": ";
    }

    @Test
    void syntaxErrorHasLineAndColumn() throws Exception {
        String problems = only("""
                meridian-policy: 1
                syscalls:
                  default: [allow
                """);
        assertTrue(problems.startsWith(dir.resolve("app.yaml") + ":4:1: syntax error"), problems);
    }

    @Test
    void unknownKeySuggestsTheClosest() throws Exception {
        assertEquals(at(2, 1) + "unknown key 'syscals' in a policy (did you mean 'syscalls'?)", only("""
                meridian-policy: 1
                syscals:
                  default: allow
                """));
        assertEquals(at(3, 3) + "unknown key 'defualt' in syscalls (did you mean 'default'?)", only("""
                meridian-policy: 1
                syscalls:
                  defualt: allow
                """));
    }

    @Test
    void wrongTypesNameWhatWasWritten() throws Exception {
        assertEquals(at(3, 12) + "syscalls.rules must be a list, not the string 'read'", only("""
                meridian-policy: 1
                syscalls:
                  rules:   read
                """));
        assertEquals(at(5, 15) + "syscalls.rules[0].audit must be true or false, not the string 'yes'", only("""
                meridian-policy: 1
                syscalls:
                  rules:
                    - {name: keyctl, action: deny,
                       audit: yes}
                """));
    }

    @Test
    void unknownSyscallAndErrnoNamesSuggestTheClosest() throws Exception {
        assertEquals(at(4, 21) + "unknown system call 'opneat' on x86-64 (did you mean 'openat'?)", only("""
                meridian-policy: 1
                syscalls:
                  rules:
                    - names: [read, opneat]
                      action: allow
                """));
        assertEquals(at(3, 10) + "unknown errno 'EPREM' (did you mean 'EPERM'?)", only("""
                meridian-policy: 1
                syscalls:
                  errno: EPREM
                """));
    }

    @Test
    void unknownVariableAndRelativePathsAreErrorsAtThePath() throws Exception {
        assertEquals(at(5, 21) + "unknown variable ${WORKDIR} (known: CWD, HOME, TMPDIR)", only("""
                meridian-policy: 1
                files:
                  allow:
                    - access: [read]
                      paths: [/usr, "${WORKDIR}/src"]
                """));
        assertEquals(at(4, 15) + "'etc/passwd' is a relative path: write it absolute (or start it with **/)", only("""
                meridian-policy: 1
                files:
                  deny:
                    - paths: [etc/passwd]
                      access: read
                """));
    }

    @Test
    void contradictoryRulesReportBothPositions() throws Exception {
        assertEquals(at(6, 7) + "contradictory rules: keyctl is deny here and allow at " + dir.resolve("app.yaml") + ":4:7", only("""
                meridian-policy: 1
                syscalls:
                  rules:
                    - names: [read, keyctl]
                      action: allow
                    - name: keyctl
                      action: deny
                """));
        assertEquals(at(8, 15) + "contradictory rules: '${CWD}/**' denies read on /home/ann/project, which "
                + dir.resolve("app.yaml") + ":5:15 grants", only("""
                meridian-policy: 1
                files:
                  allow:
                    - access: [read, write]
                      paths: ["${CWD}"]
                  deny:
                    - access: [read]
                      paths: ["${CWD}/**"]
                """));
    }

    @Test
    void rulesWithDifferentArgumentsDoNotContradict() throws Exception {
        Policies.text(dir, "app.yaml", """
                meridian-policy: 1
                syscalls:
                  rules:
                    - {name: socket, action: allow, args: [{index: 0, op: eq, value: AF_UNIX}]}
                    - {name: socket, action: deny}
                """);
    }

    @Test
    void everyProblemOfAFileIsReportedOnePerLine() throws Exception {
        String problems = problems(dir, "app.yaml", """
                meridian-policy: 2
                syscalls:
                  default: permit
                  rules:
                    - names: [reed]
                      action: allow
                      errno: EPERM
                files:
                  deny:
                    - paths: ["/etc/*"]
                      access: [create]
                network:
                  tcp: {connect: ["80-70"]}
                protections:
                  ptrace: off
                """);
        assertEquals(String.join("\n",
                at(1, 18) + "unsupported policy language version 2 (this engine reads 1)",
                at(3, 12) + "unknown action 'permit' (allow, deny, kill, log, notify)",
                at(5, 15) + "unknown system call 'reed' on x86-64 (did you mean 'read'?)",
                at(7, 14) + "'errno' goes with action deny only, not allow",
                at(11, 15) + "files.deny[0]: create cannot be denied by glob (the supervisor verifies opens and execs only); "
                        + "leave it out of files.allow instead",
                at(13, 19) + "port range 80-70 is outside 0-65535 or reversed",
                at(15, 11) + "protections.ptrace must be deny or allow, not 'off'"), problems);
    }

    @Test
    void missingVersionUnknownProfileAndCycles() throws Exception {
        assertEquals(at(1, 1) + "missing 'meridian-policy: 1' (the language version) at the top", only("""
                name: app
                """));
        assertEquals(at(2, 11) + "unknown profile 'strikt' (known: trace, default, strict, build, net-client) (did you mean 'strict'?)", only("""
                meridian-policy: 1
                extends: [strikt]
                """));
        Policies.write(dir, "a.yaml", "meridian-policy: 1\nextends: [./app.yaml]\n");
        String cycle = problems(dir, "app.yaml", "meridian-policy: 1\nextends: [./a.yaml]\n");
        assertTrue(cycle.startsWith(dir.resolve("a.yaml") + ":2:11: extends cycle: "), cycle);
    }
}
