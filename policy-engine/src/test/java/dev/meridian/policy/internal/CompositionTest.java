package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Calls.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.FileAccess;
import dev.meridian.api.FileRules;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POLICY-LANGUAGE.md "Composition": what later policies change and what adds up. */
class CompositionTest {

    @TempDir
    Path dir;

    @Test
    void laterPoliciesRulesTakePrecedenceAndTheLastDefaultWins() throws Exception {
        Policies.write(dir, "base.yaml", """
                meridian-policy: 1
                syscalls:
                  default: deny
                  errno: EACCES
                  rules:
                    - {id: no-getpid, name: getpid, action: deny, errno: ENOSYS}
                """);
        Policy policy = Policies.text(dir, "app.yaml", """
                meridian-policy: 1
                extends: [./base.yaml]
                syscalls:
                  errno: EPERM
                  rules:
                    - {id: getpid-ok, name: getpid, action: allow}
                """);
        SyscallEvent getpid = decide(policy, "getpid");
        assertEquals(VerdictAction.ALLOW, getpid.action());
        assertEquals("app/getpid-ok", policy.ruleName(getpid.ruleId()));
        SyscallEvent other = decide(policy, "gettid");
        assertEquals(VerdictAction.DENY, other.action());
        assertEquals(1, other.errno(), "the later errno wins");
        assertEquals("base/syscalls/default", policy.ruleName(other.ruleId()), "the default said by base");
        assertEquals("app.yaml", policy.name(), "named after the sources given, not what they extend");
    }

    @Test
    void fileGrantsAddUpAndDenyBeatsAllow() throws Exception {
        Policy policy = Policies.text(dir, "app.yaml", """
                meridian-policy: 1
                files:
                  allow:
                    - {id: data, paths: [/srv/data], access: [read]}
                  deny:
                    - {id: keys, paths: ["/etc/ssl/private/**"], access: [read]}
                """, "default");
        FileRules files = policy.confinement().files();
        Set<String> paths = files.grants().stream().map(FileRules.Grant::path).collect(Collectors.toSet());
        assertTrue(paths.containsAll(Set.of("/home/ann/project", "/tmp", "/home/ann/.cache")), paths.toString());
        // default grants read and exec on /: allowed everywhere, so the kernel does not handle them
        // at all, and a read grant (/srv/data) adds nothing there.
        assertEquals(Set.of(FileAccess.WRITE, FileAccess.CREATE, FileAccess.DELETE), files.handled());
        assertFalse(paths.contains("/") || paths.contains("/srv/data"), paths.toString());
        SyscallEvent key = Calls.open(policy, "/etc/ssl/private/server.key", FileAccess.READ.bit());
        assertEquals(VerdictAction.DENY, key.action());
        assertEquals(13, key.errno());
        assertEquals("app/keys", policy.ruleName(key.ruleId()));
        SyscallEvent cert = Calls.open(policy, "/etc/ssl/certs/ca.pem", FileAccess.READ.bit());
        assertEquals(VerdictAction.ALLOW, cert.action());
        assertTrue(cert.memoryDependent(), "a path decision is never a plain continue");
        assertEquals("default/read-everywhere", policy.ruleName(cert.ruleId()), "named after the grant that allows it");
        SyscallEvent data = Calls.open(policy, "/srv/data/part1", FileAccess.READ.bit());
        assertEquals("app/data", policy.ruleName(data.ruleId()), "the closest grant names it");
        SyscallEvent write = Calls.open(policy, "/etc/passwd", FileAccess.WRITE.bit());
        assertEquals(VerdictAction.DENY, write.action(), "the supervisor, opening outside Landlock, checks the allow-list too");
        assertEquals("files/allow-list", policy.ruleName(write.ruleId()));
    }

    @Test
    void tcpPortsAddUpAndAnyLiftsADirection() throws Exception {
        Policy build = Policies.text(dir, "app.yaml", """
                meridian-policy: 1
                network:
                  tcp: {connect: ["8000-8002"], bind: [8080]}
                """, "build");
        NetworkRules network = build.confinement().network();
        assertEquals(Set.of(NetworkRules.Direction.values()), network.handled());
        assertEquals(List.of(80, 443, 8000, 8001, 8002), ports(network, NetworkRules.Direction.CONNECT));
        assertEquals(List.of(8080), ports(network, NetworkRules.Direction.BIND));
        NetworkRules client = Policies.profiles("net-client").confinement().network();
        assertEquals(Set.of(NetworkRules.Direction.BIND), client.handled());
        assertTrue(client.grants().isEmpty());
        assertNull(Policies.profiles("default").confinement().network(), "default leaves TCP alone");
    }

    private static List<Integer> ports(NetworkRules network, NetworkRules.Direction direction) {
        return network.grants().stream().filter(g -> g.direction() == direction).map(NetworkRules.Grant::port).sorted().toList();
    }

    @Test
    void familiesAndProtectionsTakeTheLastWordSaid() throws Exception {
        Policy policy = Policies.text(dir, "app.yaml", """
                meridian-policy: 1
                network:
                  families: [unix, inet]
                protections:
                  ptrace: allow
                """, "strict");
        assertEquals(VerdictAction.ALLOW, decide(policy, "socket", 2, 1, 0).action(), "inet is allowed now");
        SyscallEvent inet6 = decide(policy, "socket", 10, 1, 0);
        assertEquals(VerdictAction.DENY, inet6.action());
        assertEquals(97, inet6.errno());
        assertEquals("app/network/families", policy.ruleName(inet6.ruleId()));
        SyscallEvent ptrace = decide(policy, "ptrace", 0, 1234);
        assertEquals("strict/syscalls/default", policy.ruleName(ptrace.ruleId()),
                "with the protection off, strict's default decides ptrace");
        assertFalse(policy.confinement().syscalls().rules().isEmpty());
    }

    @Test
    void aDocumentExtendedTwiceCountsOnce() throws Exception {
        Policy policy = Policies.ENGINE.load(List.of(PolicySource.profile("default"), PolicySource.profile("net-client")),
                Policies.VARIABLES);
        long readEverywhere = policy.placements().stream().filter(p -> p.rule().equals("default/read-everywhere")).count();
        assertEquals(1, readEverywhere);
        assertEquals("default+net-client", policy.name());
    }
}
