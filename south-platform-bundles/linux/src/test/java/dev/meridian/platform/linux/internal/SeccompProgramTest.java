package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SeccompProgramTest {

    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final SeccompProgram NOTIFY = SeccompProgram.notifyEverything();

    private static int decide(int number, int arch) {
        return BpfInterpreter.run(NOTIFY, number, arch, 0x401000L, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void everyX8664CallIsNotified() {
        for (int number : new int[] {0, 1, 59, 60, 231, 317, 435, 1023, 0x3fffffff}) {
            assertEquals(LinuxSyscalls.SECCOMP_RET_USER_NOTIF, decide(number, LinuxSyscalls.AUDIT_ARCH_X86_64),
                    "syscall " + number);
        }
    }

    @Test
    void x32CallsKillTheProcess() {
        assertEquals(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS,
                decide(LinuxSyscalls.X32_SYSCALL_BIT | 1, LinuxSyscalls.AUDIT_ARCH_X86_64));
        assertEquals(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS,
                decide(LinuxSyscalls.X32_SYSCALL_BIT | 512, LinuxSyscalls.AUDIT_ARCH_X86_64));
        // syscall(-1) has bit 30 set too; libseccomp's x86-64 filters refuse it the same way.
        assertEquals(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS, decide(-1, LinuxSyscalls.AUDIT_ARCH_X86_64));
    }

    @Test
    void otherArchitecturesKillTheProcess() {
        assertEquals(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS, decide(1, AUDIT_ARCH_I386));
        assertEquals(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS, decide(1, 0));
        assertEquals(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS, decide(1, LinuxSyscalls.AUDIT_ARCH_X86_64 ^ 1));
    }

    @Test
    void bytesAreTheKernelsSockFilterArray() {
        byte[] bytes = new SeccompProgram.Builder().loadWord(4).ret(0x7fc00000).build().toBytes();
        assertArrayEquals(new byte[] {
            0x20, 0, 0, 0, 4, 0, 0, 0, // BPF_LD|BPF_W|BPF_ABS, jt 0, jf 0, k 4
            0x06, 0, 0, 0, 0, 0, (byte) 0xc0, 0x7f, // BPF_RET|BPF_K, k 0x7fc00000
        }, bytes);
    }

    @Test
    void builderRefusesProgramsTheKernelWould() {
        assertThrows(IllegalStateException.class, () -> new SeccompProgram.Builder().build());
        assertThrows(IllegalStateException.class, () -> new SeccompProgram.Builder().loadWord(0).build());
        assertThrows(IllegalStateException.class,
                () -> new SeccompProgram.Builder().jumpIfEqual(1, 5, 0).ret(0).build());
        assertThrows(IllegalArgumentException.class, () -> new SeccompProgram.Builder().jumpIfEqual(1, 256, 0));
    }
}
