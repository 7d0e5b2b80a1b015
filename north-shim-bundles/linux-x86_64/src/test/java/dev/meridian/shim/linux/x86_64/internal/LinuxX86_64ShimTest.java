package dev.meridian.shim.linux.x86_64.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import org.junit.jupiter.api.Test;

class LinuxX86_64ShimTest {

    private final LinuxX86_64Shim shim = new LinuxX86_64Shim();

    @Test
    void servesTheX86_64AuditArchOnly() {
        assertEquals("linux-x86_64", shim.personality());
        assertTrue(shim.handles(0xC000003E));
        assertFalse(shim.handles(0x40000003), "i386");
        assertFalse(shim.handles(0xC00000B7), "aarch64");
    }

    @Test
    void namesAndNumbersComeFromTheTable() {
        assertEquals("openat", shim.syscallName(257));
        assertEquals("file_setattr", shim.syscallName(469));
        assertNull(shim.syscallName(400));
        assertNull(shim.syscallName(0x40000001));
        assertEquals(59, shim.syscallNumber("execve"));
        assertEquals(-1, shim.syscallNumber("stat64"));
    }

    @Test
    void readsNoMemoryForCallsOfAnotherAbi() {
        FakeGuestMemory memory = new FakeGuestMemory(4096);
        SyscallEvent i386Open = new SyscallEvent();
        i386Open.reset(1, 7, 0x40000003, 5, 0x8048000);
        i386Open.arg(0, memory.putString("/etc/passwd"));
        AllowingPolicy policy = new AllowingPolicy();
        shim.handle(i386Open, memory, policy);
        assertEquals(0, memory.reads());
        assertEquals(1, policy.decisions(), "the policy still decides (and can deny by ABI)");
    }

    @Test
    void capturesBeforeThePolicyDecides() {
        FakeGuestMemory memory = new FakeGuestMemory(4096);
        long path = memory.putString("/etc/passwd");
        SyscallEvent call = Calls.event("openat", -100, path, 0, 0);
        boolean[] sawCapture = new boolean[1];
        shim.handle(call, memory, new AllowingPolicy() {
            @Override
            public String name() {
                return "test/deny-passwd";
            }

            @Override
            public void decide(SyscallEvent event) {
                sawCapture[0] = event.hasCapture(1);
                event.verdict(VerdictAction.DENY, 13, 0, true);
            }

            @Override
            public String ruleName(int ruleId) {
                return "test/deny-passwd";
            }
        });
        assertTrue(sawCapture[0]);
        assertEquals(VerdictAction.DENY, call.action());
        assertEquals(13, call.errno());
    }
}
