package dev.meridian.policy.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.meridian.api.FileAccess;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * decide() and decideResolvedPath() allocate nothing once warm (as GuestPathAllocationTest
 * measures the bus): register checks, rule tables, path globs and the allow-list on byte paths.
 */
class DecideAllocationTest {

    private static final int WARM_UP = 200_000;
    /** read, write, ioctl, socket, clone, ptrace, prctl, openat, bpf, rename, and a number past the table. */
    private static final int[] NUMBERS = {0, 1, 16, 41, 56, 101, 157, 257, 321, 82, 1000};
    private static final int WINDOWS = 100;
    private static final int CALLS_PER_WINDOW = 1_000;

    @Test
    void strictDecisionsAllocateNothing() throws Exception {
        Policy strict = Policies.profiles("strict");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        SyscallEvent call = new SyscallEvent();
        byte[][] paths = {
            "/home/ann/project/src/main.c".getBytes(StandardCharsets.UTF_8),
            "/home/ann/.ssh/id_ed25519".getBytes(StandardCharsets.UTF_8),
            "/etc/shadow".getBytes(StandardCharsets.UTF_8),
            "/usr/lib/x86_64-linux-gnu/libc.so.6".getBytes(StandardCharsets.UTF_8),
        };
        run(strict, call, paths, WARM_UP);
        List<Long> allocating = new ArrayList<>();
        long checksum = 0;
        for (int window = 0; window < WINDOWS; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            checksum += run(strict, call, paths, CALLS_PER_WINDOW);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated != 0) {
                allocating.add(allocated);
            }
        }
        // Per-call garbage, even one small object per call, shows as 16 KB or more in every window;
        // a one-off (a JIT deoptimisation, the JMX call's own first use) shows in one window at most.
        String report = "bytes allocated in the windows of " + CALLS_PER_WINDOW + " decisions that allocated: "
                + allocating + " (checksum " + checksum + ")";
        assertTrue(allocating.size() <= 1 && allocating.stream().allMatch(bytes -> bytes < 1024), report);
    }

    private static long run(Policy policy, SyscallEvent call, byte[][] paths, int calls) {
        long checksum = 0;
        for (int i = 0; i < calls; i++) {
            int number = NUMBERS[i % NUMBERS.length];
            call.reset(i, 100, LinuxX86_64Syscalls.AUDIT_ARCH_X86_64, number, 0);
            call.arg(0, i & 3);
            call.arg(1, (i & 1) == 0 ? 0x5412 : 0x5401);
            policy.decide(call);
            if (number == 257) {
                byte[] path = paths[i & 3];
                policy.decideResolvedPath(call, path, path.length, FileAccess.READ.bit());
            } else if (number == 82) {
                byte[] path = paths[i & 3];
                int source = FileAccess.READ.bit() | FileAccess.WRITE.bit() | FileAccess.DELETE.bit();
                policy.decideResolvedPath(call, path, path.length, (i & 4) == 0 ? source : FileAccess.CREATE.bit());
            }
            checksum += call.action().ordinal() + call.ruleId();
        }
        return checksum;
    }
}
