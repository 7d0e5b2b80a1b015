package dev.meridian.bus.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.util.Objects;
import java.util.Set;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's way onto the bus. {@link #onCall} first dispatches the call (the shim captures
 * guest memory and asks the policy), then journals it with its captures, so the CALL record holds
 * exactly what the verdict was based on; it is in a mapped file before the platform acts on the
 * verdict. {@link #onCompletion} journals the outcome once the platform has answered. Both go to
 * the sandbox's {@link JournalRing} (a mapped file, like the queue: the page cache survives a crash
 * of this process, not of the host; nothing is fsynced), which the journal's writer thread copies
 * into the Chronicle queue within milliseconds; {@link #onExit} and {@link #close} wait for it.
 *
 * <p>If the journal cannot be written, the methods throw: the platform must treat that as fatal
 * for the sandbox, since a call that cannot be journaled must not go unrecorded.
 */
final class ChronicleGateway implements SyscallGateway {

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleGateway.class);
    private static final int EPERM = 1;

    private final Journal journal;
    /** Where the supervisor thread puts CALL and COMPLETION records (the journal writer copies them). */
    private final JournalRing ring;
    private final long sandboxId;
    private final ShimRegistry shims;
    /** The open gateways of the bus; this one leaves it when closed. */
    private final Set<ChronicleGateway> openGateways;
    /**
     * The shim a call is in right now, else null: an unbound shim's bundle is refreshed only once
     * no gateway is in it (see {@link ChronicleSyscallBus#unbindShim}), because code of a refreshed
     * revision cannot load a class it had not loaded yet. Written by the supervisor thread only.
     */
    private volatile NorthShim serving;
    /** The policy calls are judged by; only the supervisor thread switches it, to {@link #replacement}. */
    private Policy policy;
    private volatile Policy replacement;
    private final long shimWaitNanos;

    /**
     * For the rare records written straight into the queue (exit, policy replacement), after a
     * flush of the ring. Chronicle appenders are bound to the thread that uses them; made on first use.
     */
    private ExcerptAppender appender;
    private Thread appenderThread;
    private long calls;
    /** Written by the supervisor thread only (a plain increment), read by anyone. */
    private volatile long denials;
    private boolean failClosedReported;
    private boolean exited;
    private boolean closed;

    ChronicleGateway(Journal journal, JournalRing ring, long sandboxId, Policy policy, ShimRegistry shims,
            long shimWaitNanos, Set<ChronicleGateway> openGateways) {
        this.journal = journal;
        this.ring = ring;
        ring.assistWith(this::appender);
        this.openGateways = openGateways;
        this.sandboxId = sandboxId;
        this.policy = policy;
        this.replacement = policy;
        this.shims = shims;
        this.shimWaitNanos = shimWaitNanos;
        openGateways.add(this);
    }

    /** The shim a call of this gateway is in, or null. */
    NorthShim serving() {
        return serving;
    }

    @Override
    public long sandboxId() {
        return sandboxId;
    }

    @Override
    public void replacePolicy(Policy replacement) {
        this.replacement = Objects.requireNonNull(replacement, "replacement");
    }

    @Override
    public void onCall(SyscallEvent call, GuestMemory memory) {
        requireRunning();
        call.sandboxId(sandboxId);
        Policy wanted = replacement;
        if (wanted != policy) {
            switchPolicy(wanted);
        }
        dispatch(call, memory);
        ring.appendCall(call);
        calls++;
    }

    /** Asks the policy directly: the shim's part (decoding, capture) is done by now. */
    @Override
    public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
        requireRunning();
        call.verdict(null, 0, -1, true);
        try {
            policy.decideResolvedPath(call, path, length, access);
        } catch (RuntimeException e) {
            failClosed(call, BusRules.SHIM_FAILED, e);
            return;
        }
        if (call.action() == null) {
            failClosed(call, BusRules.NO_VERDICT, null);
        }
    }

    @Override
    public void onCompletion(SyscallEvent call) {
        requireRunning();
        if (call.latencyNanos() == 0) {
            call.completed(); // the platform did not stamp its answer; now is the closest we know
        }
        ring.appendCompletion(call);
        VerdictAction action = call.action();
        if (action == VerdictAction.DENY || action == VerdictAction.KILL) {
            denials = denials + 1;
        }
    }

    /** Returns once every call journaled so far is in the queue, where readers see it. */
    void flush() {
        ring.flush();
    }

    @Override
    public long denials() {
        return denials;
    }

    @Override
    public void onExit(ExitStatus status, long answeredCalls) {
        requireRunning();
        exited = true;
        ring.flush();
        try (DocumentContext document = appender().writingDocument()) {
            RecordFormat.writeExit(document.wire().bytes(), sandboxId, System.currentTimeMillis(), status, calls,
                    answeredCalls);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        openGateways.remove(this);
        try {
            journal.retireRing(ring);
            journal.sandboxClosed(sandboxId);
            if (appender != null) {
                appender().close();
            }
        } finally {
            journal.release();
        }
    }

    /**
     * Journals the new policy's rule names, then judges calls by it. On the supervisor thread,
     * between two calls: every completion journaled after the record was decided by the new policy.
     */
    private void switchPolicy(Policy wanted) {
        ring.flush();
        ExcerptAppender out = appender();
        try (DocumentContext document = out.writingDocument()) {
            RecordFormat.writePolicy(document.wire().bytes(), sandboxId, System.currentTimeMillis(), wanted.name(),
                    RecordFormat.ruleNames(wanted));
        }
        journal.policyReplaced(sandboxId, out.lastIndexAppended());
        policy = wanted;
    }

    /** Serves the call through its ABI's shim; fails closed (DENY EPERM, bus rule) when that is impossible. */
    private void dispatch(SyscallEvent call, GuestMemory memory) {
        NorthShim shim;
        for (;;) {
            shim = shims.await(call.abi(), shimWaitNanos);
            if (shim == null) {
                failClosed(call, BusRules.NO_SHIM, null);
                return;
            }
            // Announce, then check it is still bound: an unbind either sees the announcement and
            // waits for the call, or happened before the check and the call waits for the successor.
            serving = shim;
            if (shims.isBound(shim)) {
                break;
            }
            serving = null;
        }
        try {
            shim.handle(call, memory, policy);
        } catch (RuntimeException | LinkageError e) {
            failClosed(call, BusRules.SHIM_FAILED, e);
            return;
        } finally {
            serving = null;
        }
        if (call.action() == null) {
            failClosed(call, BusRules.NO_VERDICT, null);
        }
    }

    private void failClosed(SyscallEvent call, int busRule, Throwable cause) {
        call.verdict(VerdictAction.DENY, EPERM, busRule, false);
        // Every such call is journaled under its rule; the log only points at the first.
        if (!failClosedReported) {
            failClosedReported = true;
            LOG.warn("sandbox {}: call {} (abi 0x{}) denied with EPERM by {}; further denials are in the journal",
                    SandboxIds.format(sandboxId), call.number(), Integer.toHexString(call.abi()),
                    BusRules.name(busRule), cause);
        }
    }

    private ExcerptAppender appender() {
        Thread current = Thread.currentThread();
        if (current != appenderThread) {
            if (appender == null) {
                appender = journal.queue().createAppender();
            } else {
                // The platform moved this sandbox to another thread (and ordered the hand-over).
                appender.singleThreadedCheckReset();
            }
            appenderThread = current;
        }
        return appender;
    }

    private void requireRunning() {
        if (closed || exited) {
            throw new IllegalStateException("sandbox " + SandboxIds.format(sandboxId) + ": gateway already "
                    + (closed ? "closed" : "saw the sandbox exit"));
        }
    }
}
