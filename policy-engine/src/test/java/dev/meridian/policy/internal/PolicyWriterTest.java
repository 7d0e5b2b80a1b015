package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Calls.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import dev.meridian.api.FileAccess;
import dev.meridian.api.FileRules;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.Policy;
import dev.meridian.api.VerdictAction;
import dev.meridian.policy.PolicyWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A learned policy loads, allows what the run used, and nothing new. */
class PolicyWriterTest {

    @TempDir
    Path dir;

    private static final PolicyWriter.Observed RUN = new PolicyWriter.Observed(
            List.of("read", "write", "memfd_create", "openat"),
            List.of("/home/ann/project/input.txt", "/opt/data"),
            List.of("/home/ann/project/out.log"),
            List.of("/tmp/scratch/x"),
            List.of(),
            List.of("/opt/tool/bin/run"),
            List.of(8080, 443),
            List.of(),
            List.of("inet"));

    @Test
    void learnedPolicyLoadsOnStrictAndAllowsWhatTheRunUsed() throws Exception {
        String yaml = PolicyWriter.learned("app", "strict", RUN, Policies.VARIABLES);
        assertTrue(yaml.contains("\"${CWD}/input.txt\""), yaml);
        assertEquals(List.of(), PolicySchemaTest.schema().validate(yaml, InputFormat.YAML), "the schema accepts it");
        Policy policy = Policies.text(dir, "app.yaml", yaml);
        assertEquals(VerdictAction.ALLOW, decide(policy, "memfd_create").action(), "learned on top of strict");
        assertEquals(VerdictAction.DENY, decide(policy, "userfaultfd").action(), "not learned");
        Set<String> grants = policy.confinement().files().grants().stream().map(FileRules.Grant::path).collect(Collectors.toSet());
        assertTrue(grants.containsAll(Set.of("/home/ann/project/input.txt", "/opt/data", "/tmp/scratch", "/opt/tool/bin/run")), grants.toString());
        assertEquals(VerdictAction.DENY, Calls.open(policy, "/opt/other", FileAccess.READ.bit()).action(), "a new file is denied");
        assertEquals(VerdictAction.ALLOW, Calls.open(policy, "/opt/data/part1", FileAccess.READ.bit()).action());
        List<Integer> connect = policy.confinement().network().grants().stream()
                .filter(g -> g.direction() == NetworkRules.Direction.CONNECT).map(NetworkRules.Grant::port).sorted().toList();
        assertEquals(List.of(443, 8080), connect, "a new port is denied by Landlock");
        assertEquals(VerdictAction.ALLOW, decide(policy, "socket", 2, 1, 0).action(), "inet sockets for the ports learned");
    }

    @Test
    void writingIsDeterministic() {
        assertEquals(PolicyWriter.learned("app", "strict", RUN, Policies.VARIABLES),
                PolicyWriter.learned("app", "strict", RUN, Policies.VARIABLES));
    }

    @Test
    void unknownNamesAndRelativePathsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PolicyWriter.learned("app", "strict",
                new PolicyWriter.Observed(List.of("opneat"), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()), Policies.VARIABLES));
        assertThrows(IllegalArgumentException.class, () -> PolicyWriter.learned("app", "strict",
                new PolicyWriter.Observed(List.of(), List.of("rel/x"), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()), Policies.VARIABLES));
    }
}
