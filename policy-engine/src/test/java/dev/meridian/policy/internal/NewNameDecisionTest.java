package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Calls.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.FileAccess;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallFilter;
import dev.meridian.api.VerdictAction;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * link and rename under files.deny: notified and emulated, with the source and the destination
 * decided on their canonical paths as the platform asks (source with READ, destination with CREATE).
 */
class NewNameDecisionTest {

    private static final List<String> NEW_NAME_CALLS = List.of("link", "linkat", "rename", "renameat", "renameat2");
    private static final int READ = FileAccess.READ.bit();
    private static final int WRITE = FileAccess.WRITE.bit();
    private static final int CREATE = FileAccess.CREATE.bit();
    private static final int DELETE = FileAccess.DELETE.bit();
    private static final int LINK_SOURCE = READ | WRITE;
    private static final int RENAME_SOURCE = READ | WRITE | DELETE;
    private static final int DESTINATION = CREATE | WRITE;

    @TempDir
    Path dir;

    @Test
    void strictNotifiesAndEmulatesEveryCallThatGivesANewName() throws Exception {
        Policy strict = Policies.profiles("strict");
        SyscallFilter filter = strict.confinement().syscalls();
        for (String name : NEW_NAME_CALLS) {
            int number = LinuxX86_64Syscalls.byName(name).number();
            assertEquals(SyscallFilter.Action.NOTIFY, kernelAction(filter, number), name + " is notified");
            SyscallEvent call = decide(strict, name);
            assertEquals(VerdictAction.EMULATE, call.action(), name);
            assertTrue(call.memoryDependent(), name + " is decided on guest memory: never continued");
        }
        assertEquals(VerdictAction.ALLOW, decide(strict, "symlink").action(), "a symlink's target is checked when opened");
        assertTrue(strict.placements().stream().anyMatch(p -> p.rule().equals("strict/secrets")
                && p.reason().contains("link, linkat, rename, renameat and renameat2")));
    }

    @Test
    void withoutDenyRulesLinksAndRenamesStayInTheKernel() throws Exception {
        Policy policy = Policies.profiles("default");
        for (String name : NEW_NAME_CALLS) {
            assertEquals(VerdictAction.ALLOW, decide(policy, name).action(), name);
            assertEquals(SyscallFilter.Action.ALLOW,
                    kernelAction(policy.confinement().syscalls(), LinuxX86_64Syscalls.byName(name).number()), name);
        }
    }

    @Test
    void aDeniedFileGetsNoNewNameAndNothingIsPutWhereWritingIsDenied() throws Exception {
        Policy strict = Policies.profiles("strict");
        SyscallEvent link = ask(strict, "linkat", "/home/ann/project/.ssh/id_secret", LINK_SOURCE);
        assertEquals(VerdictAction.DENY, link.action());
        assertEquals(13, link.errno());
        assertEquals("strict/secrets", strict.ruleName(link.ruleId()));
        assertTrue(link.memoryDependent());
        assertEquals(VerdictAction.DENY, ask(strict, "rename", "/home/ann/project/.ssh", RENAME_SOURCE).action(),
                "the directory itself: **/ matches it");
        SyscallEvent overwrite = ask(strict, "renameat2", "/home/ann/project/.ssh/authorized_keys", DESTINATION | DELETE);
        assertEquals(VerdictAction.DENY, overwrite.action());
        assertEquals("strict/secrets", strict.ruleName(overwrite.ruleId()));

        assertEquals(VerdictAction.ALLOW, ask(strict, "rename", "/home/ann/project/a.txt", RENAME_SOURCE).action());
        assertEquals(VerdictAction.ALLOW, ask(strict, "rename", "/home/ann/project/b.txt", DESTINATION | DELETE).action());
        assertEquals(VerdictAction.ALLOW, ask(strict, "link", "/home/ann/project/a.txt", LINK_SOURCE).action());
        assertEquals(VerdictAction.ALLOW, ask(strict, "link", "/home/ann/project/c.txt", DESTINATION).action());
    }

    @Test
    void theAllowListStandsInForLandlockWhichTheSupervisorIsOutside() throws Exception {
        Policy strict = Policies.profiles("strict");
        SyscallEvent fromSystem = ask(strict, "link", "/usr/bin/ls", LINK_SOURCE);
        assertEquals(VerdictAction.DENY, fromSystem.action(), "no write on /usr: a new name would add it");
        assertEquals("files/allow-list", strict.ruleName(fromSystem.ruleId()));
        assertEquals(VerdictAction.DENY, ask(strict, "rename", "/etc/passwd", RENAME_SOURCE).action(), "no delete on /etc");
        assertEquals(VerdictAction.DENY, ask(strict, "rename", "/home/ann/elsewhere", DESTINATION).action(),
                "no create outside the working directory");
    }

    @Test
    void aSourceIsMatchedAgainstDenyRulesOfEveryAccessKind() throws Exception {
        Policy policy = Policies.text(dir, "app.yaml", """
                meridian-policy: 1
                files:
                  deny:
                    - id: no-su
                      paths: ["/usr/bin/su"]
                      access: [exec]
                    - id: no-reading-keys
                      paths: ["${CWD}/keys/**"]
                      access: [read]
                """, "default");
        SyscallEvent su = ask(policy, "linkat", "/usr/bin/su", LINK_SOURCE);
        assertEquals(VerdictAction.DENY, su.action(), "a new name for an exec-denied program would run it");
        assertEquals("app/no-su", policy.ruleName(su.ruleId()));
        assertEquals(VerdictAction.DENY, ask(policy, "rename", "/home/ann/project/keys/k1", RENAME_SOURCE).action());
        assertEquals(VerdictAction.ALLOW, ask(policy, "rename", "/home/ann/project/keys/k2", DESTINATION | DELETE).action(),
                "putting a file where only reading is denied writes nothing there that is denied");
        assertEquals(VerdictAction.ALLOW, Calls.open(policy, "/usr/bin/su", READ).action(),
                "opens keep their own access kinds");
    }

    /** What the filter does with a call of {@code number} without register checks. */
    private static SyscallFilter.Action kernelAction(SyscallFilter filter, int number) {
        return filter.rules().stream().filter(r -> r.number() == number && r.checks().isEmpty())
                .map(SyscallFilter.Rule::action).findFirst().orElse(filter.defaultAction());
    }

    /** decide, then one decideResolvedPath question as the platform asks it. */
    private static SyscallEvent ask(Policy policy, String name, String path, int access) {
        SyscallEvent call = decide(policy, name);
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        policy.decideResolvedPath(call, bytes, bytes.length, access);
        return call;
    }
}
