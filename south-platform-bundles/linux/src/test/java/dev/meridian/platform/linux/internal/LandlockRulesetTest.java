package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meridian.api.Confinement;
import dev.meridian.api.FileAccess;
import dev.meridian.api.FileRules;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SyscallFilter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LandlockRulesetTest {

    private static final SyscallFilter ALLOW = new SyscallFilter(LinuxSyscalls.AUDIT_ARCH_X86_64,
            SyscallFilter.Action.ALLOW, 0, List.of());

    private static Confinement files(Set<FileAccess> handled, FileRules.Grant... grants) {
        return new Confinement(ALLOW, new FileRules(handled, List.of(grants)), null, false, false);
    }

    private static String refusal(Confinement confinement, int abi) {
        return assertThrows(SandboxException.class, () -> LandlockRuleset.lower(confinement, abi)).getMessage();
    }

    @Test
    void accessKindsMapToLandlockRights() {
        assertEquals(0b1100, LandlockRuleset.rightsOf(FileAccess.READ));
        assertEquals((1L << 1) | (1L << 14), LandlockRuleset.rightsOf(FileAccess.WRITE));
        assertEquals(1, LandlockRuleset.rightsOf(FileAccess.EXECUTE));
        assertEquals(0b1_1111_1100_0000L | (1L << 13), LandlockRuleset.rightsOf(FileAccess.CREATE));
        assertEquals(0b11_0000L | (1L << 13), LandlockRuleset.rightsOf(FileAccess.DELETE));
        assertEquals((1L << 15) - 1, LandlockRuleset.rightsOf(EnumSet.allOf(FileAccess.class)),
                "every right up to TRUNCATE; IOCTL_DEV is not handled");
    }

    @Test
    void grantsKeepOnlyHandledRightsAndMergeByPath() throws SandboxException {
        LandlockRuleset ruleset = LandlockRuleset.lower(files(Set.of(FileAccess.READ, FileAccess.WRITE),
                new FileRules.Grant("/usr", Set.of(FileAccess.READ, FileAccess.EXECUTE), 1),
                new FileRules.Grant("/tmp", Set.of(FileAccess.READ), 2),
                new FileRules.Grant("/tmp", Set.of(FileAccess.WRITE, FileAccess.CREATE), 3),
                new FileRules.Grant("/bin", Set.of(FileAccess.EXECUTE), 4)), 7);
        long read = LandlockRuleset.rightsOf(FileAccess.READ);
        long write = LandlockRuleset.rightsOf(FileAccess.WRITE);
        assertEquals(read | write, ruleset.handledFileAccess());
        assertEquals(Map.of("/usr", read, "/tmp", read | write), ruleset.pathRules(),
                "EXECUTE and CREATE are not handled: nothing to grant, /bin grants nothing");
        assertEquals(0, ruleset.handledNetworkAccess());
        assertEquals(0, ruleset.scoped());
    }

    @Test
    void nothingToRestrictIsNoRuleset() throws SandboxException {
        assertNull(LandlockRuleset.lower(Confinement.superviseEverything(LinuxSyscalls.AUDIT_ARCH_X86_64), 0));
        assertNull(LandlockRuleset.lower(files(Set.of()), 0));
    }

    @Test
    void whatTheAbiCannotHoldIsRefusedNamingIt() throws SandboxException {
        assertEquals("the confinement needs Landlock ABI 1 for file rules, but this kernel has no Landlock",
                refusal(files(Set.of(FileAccess.READ)), 0));
        assertEquals("the confinement needs Landlock ABI 2 for renames and links across directories "
                + "(REFER, part of create and delete rules), but this kernel has ABI 1",
                refusal(files(Set.of(FileAccess.CREATE)), 1));
        assertEquals("the confinement needs Landlock ABI 3 for truncation (TRUNCATE, part of write rules), "
                + "but this kernel has ABI 2", refusal(files(Set.of(FileAccess.WRITE)), 2));
        Confinement ports = new Confinement(ALLOW, null,
                new NetworkRules(List.of(new NetworkRules.Grant(NetworkRules.Direction.CONNECT, 443, 1))), false, false);
        assertEquals("the confinement needs Landlock ABI 4 for TCP port rules, but this kernel has ABI 3",
                refusal(ports, 3));
        assertEquals("the confinement needs Landlock ABI 6 for signal scoping, but this kernel has ABI 5",
                refusal(new Confinement(ALLOW, null, null, true, false), 5));
        assertEquals("the confinement needs Landlock ABI 6 for abstract UNIX socket scoping, but this kernel has ABI 4",
                refusal(new Confinement(ALLOW, null, null, false, true), 4));
        // Read and execute alone fit ABI 1.
        LandlockRuleset.lower(files(Set.of(FileAccess.READ, FileAccess.EXECUTE)), 1);
    }

    @Test
    void portsAndScopesAreEncodedForTheHelper() throws SandboxException {
        NetworkRules network = new NetworkRules(List.of(
                new NetworkRules.Grant(NetworkRules.Direction.CONNECT, 443, 1),
                new NetworkRules.Grant(NetworkRules.Direction.BIND, 8080, 2),
                new NetworkRules.Grant(NetworkRules.Direction.CONNECT, 8080, 3)));
        LandlockRuleset ruleset = LandlockRuleset.lower(new Confinement(ALLOW,
                new FileRules(Set.of(FileAccess.READ), List.of(new FileRules.Grant("/usr", Set.of(FileAccess.READ), 4))),
                network, true, true), 6);
        assertEquals(Map.of(443, 2L, 8080, 3L), ruleset.portRules());
        ByteBuffer expected = ByteBuffer.allocate(8 * 3 + 4 + 12 + 4 + 4 + 2 * 16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0b1100).putLong(0b11).putLong(0b11)
                .putInt(1).putLong(0b1100).putInt(4).put("/usr".getBytes(StandardCharsets.UTF_8))
                .putInt(2).putLong(2).putLong(443).putLong(3).putLong(8080);
        assertArrayEquals(expected.array(), ruleset.encode());
    }
}
