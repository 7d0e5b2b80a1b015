package dev.meridian.observability.internal;

import dev.meridian.api.CompletedCall;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap;
import dev.meridian.api.VerdictAction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test traffic: a call flyweight to feed listeners with, a small shim, a tap to subscribe to, exposition parsing. */
final class Traffic {
    static final int ABI = 0xC000003E;
    static final int READ = 0;
    static final int OPENAT = 257;
    static final int EXECVE = 59;

    private Traffic() {
    }

    /** A mutable {@link CompletedCall}, reused as the tap reuses its flyweight. */
    static final class Call implements CompletedCall {
        long sandboxId;
        int abi = ABI;
        int number;
        VerdictAction action;
        String rule;
        long latencyNanos;

        Call set(long sandboxId, int number, VerdictAction action, String rule, long latencyNanos) {
            this.sandboxId = sandboxId;
            this.number = number;
            this.action = action;
            this.rule = rule;
            this.latencyNanos = latencyNanos;
            return this;
        }

        @Override public long sandboxId() { return sandboxId; }
        @Override public long sequence() { return 0; }
        @Override public long wallClockMillis() { return 0; }
        @Override public int pid() { return 1; }
        @Override public int tid() { return 1; }
        @Override public int abi() { return abi; }
        @Override public int number() { return number; }
        @Override public VerdictAction action() { return action; }
        @Override public int errno() { return action == VerdictAction.DENY ? 1 : 0; }
        @Override public String rule() { return rule; }
        @Override public boolean interrupted() { return false; }
        @Override public long returnValue() { return 0; }
        @Override public boolean resultKnown() { return true; }
        @Override public long latencyNanos() { return latencyNanos; }
    }

    /** Knows read, openat and execve of {@link #ABI}. */
    static final class Shim implements NorthShim {
        private static final Map<Integer, String> NAMES = Map.of(READ, "read", OPENAT, "openat", EXECVE, "execve");

        @Override public String personality() { return "test"; }
        @Override public boolean handles(int abi) { return abi == ABI; }
        @Override public void handle(SyscallEvent call, GuestMemory memory, Policy policy) { }
        @Override public String syscallName(int number) { return NAMES.get(number); }
        @Override public int syscallNumber(String name) { return -1; }
        @Override public String render(JournalEntry entry) { return ""; }
    }

    /** A tap whose records the test delivers itself, through {@link #listener}. */
    static final class Tap implements TrafficTap {
        TrafficListener listener;
        Status status = new Status(0, 0, 0, 0, 0, 0);
        int subscriptions;

        @Override
        public Subscription subscribe(TrafficListener newListener) {
            listener = newListener;
            subscriptions++;
            return () -> listener = null;
        }

        @Override
        public Status status() {
            return status;
        }
    }

    static void start(TrafficListener listener, long sandboxId) {
        listener.sandboxStarted(sandboxId, 0, "default", List.of("/bin/true"));
    }

    static void exit(TrafficListener listener, long sandboxId) {
        listener.sandboxExited(sandboxId, 0, ExitStatus.exited(0));
    }

    static String scrape(PrometheusMetrics metrics, String accept) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(accept, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the sample {@code series} (name and labels as written) in {@code exposition}, or null. */
    static Double sample(String exposition, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(exposition);
        return matcher.find() ? Double.valueOf(matcher.group(1)) : null;
    }

    /** How many samples of family {@code name} (exactly that name, any labels) {@code exposition} holds. */
    static long count(String exposition, String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(exposition).results().count();
    }
}
