package dev.meridian.shim.linux.x86_64.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.Arrays;

/**
 * Builds calls for tests the way the system builds them: the platform fills an event, the shim
 * captures its memory, the bus journals it, and the journal gives back an entry.
 */
final class Calls {
    private static final LinuxX86_64Shim SHIM = new LinuxX86_64Shim();

    private Calls() {
    }

    static SyscallEvent event(String name, long... args) {
        return event(LinuxX86_64Syscalls.byName(name).number(), args);
    }

    static SyscallEvent event(int number, long... args) {
        SyscallEvent event = new SyscallEvent();
        event.reset(1, 4242, LinuxX86_64Syscalls.AUDIT_ARCH_X86_64, number, 0x401000);
        for (int i = 0; i < args.length; i++) {
            event.arg(i, args[i]);
        }
        return event;
    }

    /** Runs {@code event} through the shim with an allowing policy. */
    static SyscallEvent handled(SyscallEvent event, FakeGuestMemory memory) {
        SHIM.handle(event, memory, new AllowingPolicy());
        return event;
    }

    /** The call as the journal gives it back, answered by the kernel after CONTINUE (result unknown). */
    static Entry entry(SyscallEvent event) {
        return new Entry(event);
    }

    /** The rendered line of {@code name(args)} after capture from {@code memory}, result unknown. */
    static String render(FakeGuestMemory memory, String name, long... args) {
        return entry(handled(event(name, args), memory)).render();
    }

    /** A journaled call with the outcome a test chooses. */
    static final class Entry {
        private final SyscallEvent event;
        private VerdictAction action = VerdictAction.ALLOW;
        private int errno;
        private String rule;
        private boolean interrupted;
        private boolean resultKnown;
        private long returnValue;

        private Entry(SyscallEvent event) {
            this.event = event;
        }

        Entry returned(long value) {
            this.resultKnown = true;
            this.returnValue = value;
            return this;
        }

        Entry denied(int errno, String rule) {
            this.action = VerdictAction.DENY;
            this.errno = errno;
            this.rule = rule;
            return this;
        }

        Entry killed(String rule) {
            this.action = VerdictAction.KILL;
            this.rule = rule;
            return this;
        }

        Entry interrupted() {
            this.interrupted = true;
            return this;
        }

        JournalEntry journaled() {
            long[] args = new long[SyscallEvent.MAX_ARGS];
            byte[][] captures = new byte[SyscallEvent.MAX_ARGS][];
            boolean[] truncated = new boolean[SyscallEvent.MAX_ARGS];
            for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
                args[i] = event.arg(i);
                if (event.hasCapture(i)) {
                    int offset = event.captureOffset(i);
                    captures[i] = Arrays.copyOfRange(event.captureData(), offset, offset + event.captureLength(i));
                    truncated[i] = event.captureTruncated(i);
                }
            }
            return new JournalEntry(7, 1, 0, event.pid(), event.tid(), event.abi(), event.number(), args, captures,
                    truncated, true, action, errno, rule, interrupted, resultKnown, returnValue, 1000);
        }

        String render() {
            return SHIM.render(journaled());
        }
    }
}
