package dev.meridian.bus.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.PolicySource;
import dev.meridian.api.Isolation;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.JournalException;
import dev.meridian.api.JournalQuery;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A trivial shim, policy and guest memory: enough of North and South to drive a gateway. */
final class Fixtures {

    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int AUDIT_ARCH_I386 = 0x40000003;
    static final int NR_READ = 0;
    static final int NR_OPENAT = 257;
    static final int NR_UNLINK = 87;
    static final int EACCES = 13;

    private Fixtures() {
    }

    static SandboxSpec spec(Path journal, String... command) {
        return new SandboxSpec(List.of(command), Map.of(), Path.of("/"), List.of(PolicySource.profile("test-profile")), Isolation.DEFAULT, journal);
    }

    /** Returns once the calls the gateway journaled so far are in the queue (they reach it through a ring). */
    static void flush(SyscallGateway gateway) {
        ((ChronicleGateway) gateway).flush();
    }

    /** This JVM's java, flags and class path, running {@code mainClass}. */
    static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(flag -> flag.startsWith("--") || flag.startsWith("-Dchronicle")).toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    static ChronicleSyscallBus busWithShim() {
        ChronicleSyscallBus bus = new ChronicleSyscallBus();
        bus.bindShim(new TestShim());
        return bus;
    }

    static List<JournalEntry> entries(ChronicleSyscallBus bus, Path journal, JournalQuery query)
            throws JournalException {
        List<JournalEntry> entries = new ArrayList<>();
        try (JournalReader reader = bus.reader(journal)) {
            reader.entries(query, entries::add);
        }
        return entries;
    }

    /** Feeds one call through the gateway as a platform would: receive, dispatch, answer, complete. */
    static void call(SyscallGateway gateway, SyscallEvent event, GuestMemory memory, int pid, int number,
            long arg0) {
        event.reset(0, pid, AUDIT_ARCH_X86_64, number, 0);
        event.arg(0, arg0);
        gateway.onCall(event, memory);
        event.result(event.action() == VerdictAction.DENY ? -event.errno() : 0);
        event.completed();
        gateway.onCompletion(event);
    }

    /**
     * Serves x86-64 only. For openat it captures the path at argument 1, as a real shim captures
     * memory arguments, then asks the policy.
     */
    static class TestShim implements NorthShim {
        private final int pathMax;

        TestShim() {
            this(256);
        }

        TestShim(int pathMax) {
            this.pathMax = pathMax;
        }

        @Override
        public String personality() {
            return "test-x86_64";
        }

        @Override
        public boolean handles(int abi) {
            return abi == AUDIT_ARCH_X86_64;
        }

        @Override
        public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
            if (call.number() == NR_OPENAT) {
                int max = Math.min(pathMax, call.captureFree());
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
            return "syscall_" + entry.number();
        }
    }

    /** Allows everything but unlink, which it denies with EACCES by rule 1. */
    static class TestPolicy implements Policy {
        static final String[] RULES = {"test/allow-all", "test/no-unlink"};

        @Override
        public String name() {
            return "test-profile";
        }

        @Override
        public void decide(SyscallEvent call) {
            if (call.number() == NR_UNLINK) {
                call.verdict(VerdictAction.DENY, EACCES, 1, false);
            } else {
                call.verdict(VerdictAction.ALLOW, 0, 0, call.captureMask() != 0);
            }
        }

        @Override
        public String ruleName(int ruleId) {
            return ruleId >= 0 && ruleId < RULES.length ? RULES[ruleId] : null;
        }

        @Override
        public Confinement confinement() {
            return Confinement.superviseEverything(0xC000003E);
        }
    }

    /** Guest memory holding one NUL-terminated string at every address. */
    static final class StringMemory implements GuestMemory {
        private final byte[] string;

        StringMemory(String string) {
            this.string = string.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public int read(long address, byte[] dst, int offset, int length) {
            int n = Math.min(length, string.length);
            System.arraycopy(string, 0, dst, offset, n);
            return n;
        }

        @Override
        public int readString(long address, byte[] dst, int offset, int max) {
            int n = Math.min(max, string.length);
            System.arraycopy(string, 0, dst, offset, n);
            return n;
        }

        @Override
        public boolean stillPending() {
            return true;
        }
    }
}
