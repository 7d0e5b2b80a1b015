package dev.meridian.bench.bus;

import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;

/**
 * A trivial x86-64 shim for measuring the bus itself: it captures the path argument of openat,
 * as the Linux shim does, then asks the policy.
 */
public final class PathCapturingShim implements NorthShim {

    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    public static final int NR_OPENAT = 257;

    @Override
    public String personality() {
        return "bench-x86_64";
    }

    @Override
    public boolean handles(int abi) {
        return abi == AUDIT_ARCH_X86_64;
    }

    @Override
    public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
        if (call.number() == NR_OPENAT) {
            int max = Math.min(4096, call.captureFree());
            int length = memory.readString(call.arg(1), call.captureData(), call.captureCursor(), max);
            if (length >= 0) {
                call.commitCapture(1, length, length == max);
            }
        }
        policy.decide(call);
    }

    @Override
    public String syscallName(int number) {
        return null;
    }

    @Override
    public int syscallNumber(String name) {
        return -1;
    }

    @Override
    public String render(JournalEntry entry) {
        return "";
    }
}
