package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Calls.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.Policy;
import dev.meridian.api.PolicySource;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallFilter;
import dev.meridian.api.VerdictAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker's own default seccomp profile loads unchanged and means what it means under docker run. */
class DockerSeccompImportTest {

    /**
     * Docker's default profile, byte for byte as moby publishes it (profiles/seccomp/default.json,
     * Apache-2.0). The team's copy is ../shared/data beside the repository; this one travels with
     * the repository so every checkout can test it, and is checked to be the same file.
     */
    static final Path DOCKER_DEFAULT = Path.of("src/test/resources/dev/meridian/policy/docker-default-seccomp.json")
            .toAbsolutePath();
    private static final Path SHARED_COPY = Path.of("../../shared/data/docker-default-seccomp.json").toAbsolutePath()
            .normalize();

    @TempDir
    Path dir;

    private Policy dockerDefault() throws Exception {
        return Policies.ENGINE.load(List.of(PolicySource.file(DOCKER_DEFAULT)), Policies.VARIABLES);
    }

    @Test
    void theTestedProfileIsDockersOwn() throws Exception {
        if (Files.exists(SHARED_COPY)) {
            assertEquals(-1L, Files.mismatch(SHARED_COPY, DOCKER_DEFAULT), "the copy differs from " + SHARED_COPY);
        }
        assertTrue(Files.readString(DOCKER_DEFAULT).contains("\"defaultAction\": \"SCMP_ACT_ERRNO\""));
    }

    @Test
    void dockersDefaultProfileLoadsUnchanged() throws Exception {
        Policy docker = dockerDefault();
        assertEquals("docker-default-seccomp.json", docker.name());
        SyscallFilter filter = docker.confinement().syscalls();
        assertEquals(SyscallFilter.Action.NOTIFY, filter.defaultAction(), "default ERRNO, audited so the journal sees denials");
        assertEquals(VerdictAction.ALLOW, decide(docker, "read").action());
        assertEquals(VerdictAction.ALLOW, decide(docker, "arch_prctl").action(), "includes.arches amd64");
        SyscallEvent keyctl = decide(docker, "keyctl");
        assertEquals(VerdictAction.DENY, keyctl.action());
        assertEquals(1, keyctl.errno(), "defaultErrnoRet");
        assertEquals(VerdictAction.DENY, decide(docker, "mount").action(), "CAP_SYS_ADMIN is not among Docker's default caps");
        assertEquals(VerdictAction.DENY, decide(docker, "vhangup").action(), "nor is CAP_SYS_TTY_CONFIG");
        SyscallEvent chroot = decide(docker, "chroot");
        assertEquals("protections/namespaces", docker.ruleName(chroot.ruleId()), "Docker allows chroot with CAP_SYS_CHROOT; the protection does not");
        assertEquals(VerdictAction.ALLOW, decide(docker, "personality", 8).action(), "args: SCMP_CMP_EQ");
        assertEquals(VerdictAction.DENY, decide(docker, "personality", 1).action());
        assertEquals(VerdictAction.ALLOW, decide(docker, "socket", 2, 1).action(), "SCMP_CMP_NE 40");
        assertEquals(VerdictAction.DENY, decide(docker, "socket", 40, 1).action(), "AF_VSOCK");
        assertEquals(VerdictAction.ALLOW, decide(docker, "clone", 0x11).action(), "SCMP_CMP_MASKED_EQ 0x7E020000 == 0");
        assertEquals(VerdictAction.DENY, decide(docker, "clone", 0x10000011L).action());
        SyscallEvent clone3 = decide(docker, "clone3");
        assertEquals(38, clone3.errno(), "errnoRet ENOSYS");
    }

    @Test
    void protectionsStillHoldOverWhatDockerAllows() throws Exception {
        Policy docker = dockerDefault();
        SyscallEvent ptrace = decide(docker, "ptrace", 16, 1);
        assertEquals(VerdictAction.DENY, ptrace.action(), "Docker allows ptrace on kernels >= 4.8; the protection does not");
        assertEquals("protections/ptrace", docker.ruleName(ptrace.ruleId()));
        SyscallEvent seccomp = decide(docker, "seccomp");
        assertEquals("protections/seccomp-stacking", docker.ruleName(seccomp.ruleId()));
    }

    @Test
    void namesUnknownOnX8664AreSkippedAndCounted() throws Exception {
        List<RulePlacement> placements = dockerDefault().placements();
        RulePlacement first = placements.stream().filter(p -> p.rule().equals("docker-default-seccomp/syscalls/0")).findFirst().orElseThrow();
        assertTrue(first.reason().contains("unknown on x86-64 skipped, as Docker does"), first.reason());
        assertTrue(first.reason().contains("_llseek"), first.reason());
        RulePlacement defaults = placements.stream().filter(p -> p.rule().endsWith("/syscalls/default")).findFirst().orElseThrow();
        assertTrue(defaults.reason().contains("includes.caps [CAP_SYS_ADMIN]"), defaults.reason());
        assertTrue(defaults.reason().contains("includes.arches [s390, s390x]"), defaults.reason());
    }

    @Test
    void conditionsAndOperatorsOfTheOciFormat() throws Exception {
        String json = """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [
                   {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"names": ["kcmp"], "action": "SCMP_ACT_KILL_PROCESS", "includes": {"minKernel": "99.0"}},
                   {"names": ["acct"], "action": "SCMP_ACT_KILL_PROCESS", "includes": {"caps": ["CAP_CHOWN"]}},
                   {"names": ["dup3"], "action": "SCMP_ACT_ERRNO",
                    "args": [{"index": 2, "value": 524288, "valueTwo": 524288, "op": "SCMP_CMP_MASKED_EQ"}]},
                   {"names": ["uname"], "action": "SCMP_ACT_LOG"}
                 ]}
                """;
        Policy policy = Policies.text(dir, "oci.json", json);
        assertEquals(13, decide(policy, "getpid").errno());
        assertEquals(VerdictAction.ALLOW, decide(policy, "kcmp").action(), "minKernel 99.0 is not met");
        assertEquals(VerdictAction.KILL, decide(policy, "acct").action(), "CAP_CHOWN is a default capability");
        assertEquals(VerdictAction.DENY, decide(policy, "dup3", 0, 1, 0x80000).action(), "O_CLOEXEC set");
        assertEquals(VerdictAction.ALLOW, decide(policy, "dup3", 0, 1, 0).action());
        SyscallEvent uname = decide(policy, "uname");
        assertEquals(VerdictAction.ALLOW, uname.action());
        assertEquals("oci/syscalls/4", policy.ruleName(uname.ruleId()));
    }

    @Test
    void badOciProfilesAreErrorsWithPositions() throws Exception {
        String problems = Policies.problems(dir, "bad.json", """
                {"defaultAction": "SCMP_ACT_ERRNO",
                 "architectures": ["SCMP_ARCH_AARCH64"],
                 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_TRACE"},
                              {"names": ["read"], "action": "SCMP_ACT_ALOW"}]}
                """);
        String file = dir.resolve("bad.json").toString();
        assertEquals(String.join("\n",
                file + ":2:19: the profile does not cover SCMP_ARCH_X86_64, the only ABI Meridian runs",
                file + ":3:45: SCMP_ACT_TRACE needs a ptrace tracer, which Meridian does not run: use SCMP_ACT_NOTIFY or SCMP_ACT_ERRNO",
                file + ":4:45: unknown action 'SCMP_ACT_ALOW' (did you mean 'SCMP_ACT_ALLOW'?)"), problems);
    }

    @Test
    void kernelVersionsCompareByNumbers() {
        assertEquals(List.of(6, 18, 0), java.util.Arrays.stream(DockerSeccompImport.kernelVersion("6.18.0-13-generic")).boxed().toList());
        assertEquals(List.of(4, 8, 0), java.util.Arrays.stream(DockerSeccompImport.kernelVersion("4.8")).boxed().toList());
    }
}
