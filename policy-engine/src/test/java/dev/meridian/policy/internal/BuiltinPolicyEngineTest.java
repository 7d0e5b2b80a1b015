package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Calls.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.FileAccess;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallFilter;
import dev.meridian.api.VerdictAction;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The built-in profiles load, compile, and mean what docs/policy.md says. */
class BuiltinPolicyEngineTest {

    private static final int BPF_LIMIT = 4096;

    @Test
    void everyProfileLoadsAndEveryRuleIdIsNamed() throws PolicyException {
        for (String name : Policies.ENGINE.profiles()) {
            Policy policy = Policies.profiles(name);
            assertEquals(name, policy.name());
            List<RulePlacement> placements = policy.placements();
            for (int id = 0; id < placements.size(); id++) {
                assertEquals(placements.get(id).rule(), policy.ruleName(id));
            }
            assertNull(policy.ruleName(placements.size()));
            for (SyscallFilter.Rule rule : policy.confinement().syscalls().rules()) {
                assertNotNull(policy.ruleName(rule.ruleId()), name + ": " + rule);
            }
            assertTrue(estimatedBpfInstructions(policy.confinement().syscalls()) < BPF_LIMIT / 2, name);
        }
    }

    @Test
    void traceNotifiesEverythingAndAllowsItWithoutLookingAtMemory() throws PolicyException {
        Policy trace = Policies.profiles("trace");
        assertEquals(SyscallFilter.notifyAll(LinuxX86_64Syscalls.AUDIT_ARCH_X86_64), trace.confinement().syscalls());
        assertNull(trace.confinement().files());
        assertNull(trace.confinement().network());
        assertFalse(trace.confinement().scopeSignals());
        SyscallEvent call = new SyscallEvent();
        for (int nr : new int[] {0, 2, 59, 101, 257, 317, 425, 469, 1000}) {
            Calls.set(call, nr);
            trace.decide(call);
            assertEquals(VerdictAction.ALLOW, call.action());
            assertFalse(call.memoryDependent(), "trace must stay continuable");
            assertEquals("trace/syscalls/default", trace.ruleName(call.ruleId()));
        }
    }

    @Test
    void defaultNotifiesNothingButDenials() throws PolicyException {
        Policy policy = Policies.profiles("default");
        SyscallFilter filter = policy.confinement().syscalls();
        assertEquals(SyscallFilter.Action.ALLOW, filter.defaultAction());
        for (SyscallFilter.Rule rule : filter.rules()) {
            if (rule.action() == SyscallFilter.Action.NOTIFY) {
                SyscallEvent call = new SyscallEvent();
                Calls.set(call, rule.number(), rule.checks().isEmpty() ? 0 : rule.checks().getFirst().value());
                policy.decide(call);
                assertEquals(VerdictAction.DENY, call.action(), "notified only to be denied: " + rule);
                assertTrue(policy.ruleName(call.ruleId()).startsWith("protections/"));
            }
        }
        assertEquals(VerdictAction.ALLOW, decide(policy, "openat").action(), "no path rule: opens stay in the kernel");
        assertEquals(VerdictAction.ALLOW, decide(policy, "clone", 0x11).action());
        SyscallEvent newUser = decide(policy, "clone", 0x10000000L | 0x11);
        assertEquals(VerdictAction.DENY, newUser.action());
        assertEquals("protections/namespaces", policy.ruleName(newUser.ruleId()));
        SyscallEvent clone3 = decide(policy, "clone3");
        assertEquals(38, clone3.errno(), "ENOSYS, so libc falls back to clone");
        assertTrue(filter.rules().stream().anyMatch(r -> r.number() == clone3Number() && r.action() == SyscallFilter.Action.ERRNO),
                "clone3 is answered in the kernel, not notified");
    }

    private static int clone3Number() {
        return LinuxX86_64Syscalls.byName("clone3").number();
    }

    @Test
    void strictDeniesTheEscapeRoutesItNamesAndEmulatesOpens() throws PolicyException {
        Policy strict = Policies.profiles("strict");
        for (String name : List.of("mount", "unshare", "memfd_create", "open_by_handle_at", "name_to_handle_at",
                "io_uring_setup", "ptrace", "bpf", "userfaultfd", "keyctl", "seccomp")) {
            SyscallEvent call = decide(strict, name);
            assertEquals(VerdictAction.DENY, call.action(), name);
            assertEquals(1, call.errno(), name);
        }
        assertEquals(VerdictAction.DENY, decide(strict, "prctl", 22, 2).action(), "PR_SET_SECCOMP");
        assertEquals(VerdictAction.ALLOW, decide(strict, "prctl", 15).action(), "PR_SET_NAME");
        assertEquals(VerdictAction.DENY, decide(strict, "socket", 2, 1, 0).action(), "AF_INET");
        assertEquals(VerdictAction.ALLOW, decide(strict, "socket", 1, 1, 0).action(), "AF_UNIX");
        assertEquals(VerdictAction.DENY, decide(strict, "ioctl", 0, 0x5412).action(), "TIOCSTI");
        assertEquals(VerdictAction.ALLOW, decide(strict, "ioctl", 1, 0x5401).action(), "TCGETS");
        SyscallEvent open = decide(strict, "openat");
        assertEquals(VerdictAction.EMULATE, open.action());
        assertTrue(open.memoryDependent());
        int read = FileAccess.READ.bit();
        assertEquals(VerdictAction.DENY, Calls.open(strict, "/etc/shadow", read).action());
        assertEquals(VerdictAction.DENY, Calls.open(strict, "/home/ann/project/.ssh/id_rsa", read).action());
        assertEquals(VerdictAction.ALLOW, Calls.open(strict, "/etc/passwd", read).action());
        assertEquals(VerdictAction.ALLOW, Calls.open(strict, "/home/ann/project/out.txt", FileAccess.WRITE.bit() | FileAccess.CREATE.bit()).action());
        assertEquals(VerdictAction.DENY, Calls.open(strict, "/home/ann/notes.txt", read).action(), "outside the allow-list");
        assertEquals(VerdictAction.DENY, Calls.open(strict, "/etc/hosts", FileAccess.WRITE.bit()).action());
    }

    @Test
    void strictFilterStaysFarBelowTheBpfLimit() throws PolicyException {
        SyscallFilter filter = Policies.profiles("strict").confinement().syscalls();
        int estimate = estimatedBpfInstructions(filter);
        assertTrue(estimate < 1200, "strict compiles to about " + estimate + " BPF instructions");
    }

    /**
     * An upper estimate of a binary-search BPF program for {@code filter}: arch and x32 checks and
     * the number load (8), two jumps per search node per number, then per rule its return and per
     * check a 64-bit comparison (both halves loaded and compared: 5).
     */
    static int estimatedBpfInstructions(SyscallFilter filter) {
        Set<Integer> numbers = filter.rules().stream().map(SyscallFilter.Rule::number).collect(Collectors.toSet());
        int rules = filter.rules().size();
        int checks = filter.rules().stream().mapToInt(r -> r.checks().size()).sum();
        return 8 + 2 * numbers.size() + 2 * rules + 5 * checks + 1;
    }

    @Test
    void unknownProfileNamesTheKnownOnes() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> Policies.ENGINE.load(List.of(PolicySource.profile("strickt")), Map.of()));
        assertTrue(e.getMessage().contains("'strickt'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'strict'"), e.getMessage());
    }

    @Test
    void aMissingVariableIsAnErrorNotASilentGrant() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> Policies.ENGINE.load(List.of(PolicySource.profile("default")), Map.of("CWD", "/w", "TMPDIR", "/tmp")));
        assertEquals("builtin:default.yaml:16:60: ${HOME} has no value here", e.getMessage());
    }

    /** A guest whose home or working directory is / (a daemon request with no environment): no "//" paths. */
    @Test
    void profilesLoadWithTheRootAsHomeAndWorkingDirectory() throws Exception {
        for (String name : List.of("default", "strict", "build", "net-client")) {
            Policy policy = Policies.ENGINE.load(List.of(PolicySource.profile(name)),
                    Map.of("CWD", "/", "HOME", "/", "TMPDIR", "/tmp"));
            assertNotNull(policy, name);
        }
    }

    @Test
    void execAllowListIsCheckedOnTheResolvedPath() throws Exception {
        Policy policy = Policies.ENGINE.load(List.of(PolicySource.profile("default"),
                PolicySource.file(Policies.write(java.nio.file.Files.createTempDirectory("exec"), "app.yaml", """
                        meridian-policy: 1
                        process:
                          exec: ["/usr/bin/*", "${CWD}/**"]
                        """))), Policies.VARIABLES);
        SyscallEvent exec = decide(policy, "execve");
        assertEquals(VerdictAction.EMULATE, exec.action());
        byte[] ls = "/usr/bin/ls".getBytes();
        policy.decideResolvedPath(exec, ls, ls.length, FileAccess.EXECUTE.bit());
        assertEquals(VerdictAction.ALLOW, exec.action());
        assertEquals("app/process/exec", policy.ruleName(exec.ruleId()));
        SyscallEvent other = decide(policy, "execve");
        byte[] sh = "/tmp/evil".getBytes();
        policy.decideResolvedPath(other, sh, sh.length, FileAccess.EXECUTE.bit());
        assertEquals(VerdictAction.DENY, other.action());
        assertEquals(13, other.errno());
        assertEquals(VerdictAction.ALLOW, decide(policy, "openat").action(), "exec rules leave opens alone");
    }

    @Test
    void compiledPoliciesAreReusedUntilAFileTheyCameFromChanges() throws Exception {
        BuiltinPolicyEngine engine = new BuiltinPolicyEngine();
        List<PolicySource> profile = List.of(PolicySource.profile("default"));
        Policy first = engine.load(profile, Policies.VARIABLES);
        assertTrue(first == engine.load(profile, Policies.VARIABLES), "same profile, same variables: reused");
        Map<String, String> elsewhere = new java.util.HashMap<>(Policies.VARIABLES);
        elsewhere.put("HOME", "/home/other");
        assertFalse(first == engine.load(profile, elsewhere), "other variables: compiled again");

        java.nio.file.Path directory = java.nio.file.Files.createTempDirectory("cache");
        java.nio.file.Path app = Policies.write(directory, "app.yaml", """
                meridian-policy: 1
                syscalls:
                  rules:
                    - id: no-keys
                      name: keyctl
                      action: deny
                """);
        List<PolicySource> withFile = List.of(PolicySource.profile("default"), PolicySource.file(app));
        Policy denying = engine.load(withFile, Policies.VARIABLES);
        assertTrue(denying == engine.load(withFile, Policies.VARIABLES));
        assertEquals("app/no-keys", ruleFor(denying, "keyctl"));
        java.nio.file.Files.writeString(app, "meridian-policy: 1\n");
        Policy edited = engine.load(withFile, Policies.VARIABLES);
        assertFalse(denying == edited, "an edited file is compiled again");
        assertNotEquals("app/no-keys", ruleFor(edited, "keyctl"));

        java.nio.file.Path base = Policies.write(directory, "base.yaml", """
                meridian-policy: 1
                syscalls:
                  rules:
                    - id: no-keys
                      name: keyctl
                      action: deny
                """);
        java.nio.file.Path top = Policies.write(directory, "top.yaml", """
                meridian-policy: 1
                extends: [default, ./base.yaml]
                """);
        List<PolicySource> extending = List.of(PolicySource.file(top));
        assertEquals("base/no-keys", ruleFor(engine.load(extending, Policies.VARIABLES), "keyctl"));
        java.nio.file.Files.writeString(base, "meridian-policy: 1\n");
        assertNotEquals("base/no-keys", ruleFor(engine.load(extending, Policies.VARIABLES), "keyctl"),
                "a change in an extended file is seen: such policies are not cached");
    }

    private static String ruleFor(Policy policy, String syscall) {
        return policy.ruleName(decide(policy, syscall).ruleId());
    }
}
