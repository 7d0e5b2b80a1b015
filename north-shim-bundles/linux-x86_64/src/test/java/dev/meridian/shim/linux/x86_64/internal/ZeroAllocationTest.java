package dev.meridian.shim.linux.x86_64.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.SyscallEvent;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The guest path allocates nothing: after warm-up, 100,000 calls through {@code handle()} with every
 * kind of capture leave the thread's allocated-bytes counter where it was.
 */
class ZeroAllocationTest {

    private static final int WARM_UP_ROUNDS = 30_000;
    private static final int MEASURED_CALLS = 100_000;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void handleAllocatesNothingOnceWarm() {
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes per thread");
        FakeGuestMemory memory = new FakeGuestMemory(16 * 1024);
        long path = memory.putString("/usr/lib/x86_64-linux-gnu/libc.so.6");
        long argv = memory.putStringArray("ls", "-l", "--color=auto", "/tmp");
        long envp = memory.putStringArray("HOME=/root", "PATH=/usr/bin:/bin", "LANG=C.UTF-8");
        long data = memory.put(new byte[256]);
        long address = memory.put(new byte[] {2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
        long how = memory.put(new byte[24]);
        long cloneArgs = memory.put(new byte[88]);
        long[][] calls = {
            {257, -100, path, 0x80000, 0},          // openat
            {59, path, argv, envp},                 // execve
            {42, 3, address, 16},                   // connect
            {1, 1, data, 200},                      // write
            {44, 3, data, 40, 0, address, 16},      // sendto
            {9, 0, 4096, 3, 0x22, -1, 0},           // mmap
            {437, -100, path, how, 24},             // openat2
            {435, cloneArgs, 88},                   // clone3
            {82, path, memory.end() + 64},          // rename: second path faults
            {0x40000001, data, 16},                 // x32 write: not decoded
        };
        SyscallEvent event = new SyscallEvent();
        LinuxX86_64Shim shim = new LinuxX86_64Shim();
        AllowingPolicy policy = new AllowingPolicy();

        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            runAll(shim, event, memory, policy, calls);
        }
        long thread = Thread.currentThread().threadId();
        // what reading the counter itself costs, so that only the calls are measured
        long first = threads.getThreadAllocatedBytes(thread);
        long readingCost = threads.getThreadAllocatedBytes(thread) - first;
        long before = threads.getThreadAllocatedBytes(thread);
        int rounds = MEASURED_CALLS / calls.length;
        for (int round = 0; round < rounds; round++) {
            runAll(shim, event, memory, policy, calls);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before - readingCost;

        assertEquals(0, allocated, "bytes allocated by " + MEASURED_CALLS + " calls");
        assertEquals((long) (WARM_UP_ROUNDS + rounds) * calls.length, policy.decisions());
    }

    private static void runAll(LinuxX86_64Shim shim, SyscallEvent event, FakeGuestMemory memory, AllowingPolicy policy,
            long[][] calls) {
        for (long[] call : calls) {
            event.reset(1, 4242, LinuxX86_64Syscalls.AUDIT_ARCH_X86_64, (int) call[0], 0x401000);
            for (int i = 1; i < call.length; i++) {
                event.arg(i - 1, call[i]);
            }
            for (int i = call.length - 1; i < SyscallEvent.MAX_ARGS; i++) {
                event.arg(i, 0);
            }
            shim.handle(event, memory, policy);
        }
    }
}
