package dev.meridian.supervisor.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.JournalException;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxInfo;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SandboxState;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallGateway;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox of the registry, from its creation to its end. Transitions happen under this
 * object's monitor, never on the guest path: the guest's calls go from the platform to the
 * gateway and never touch this object. Counters are read from the guest and gateway while it
 * runs and frozen when it ends.
 */
final class ManagedSandbox implements Sandbox {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedSandbox.class);
    private static final int SIGKILL = 9;

    /** Where start() is; {@link SandboxState} has no name for STARTING (it shows as CREATED). */
    private enum Phase { CREATED, STARTING, RUNNING, FINISHED }

    private final SandboxLifecycle lifecycle;
    private final long id;
    private final SandboxSpec spec;
    private final long createdMillis;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    /** Reloads (file change, engine swap) one at a time; never held while taking the monitor's waiters. */
    private final Object reloadLock = new Object();

    // Guarded by this; volatile where info() reads them without the monitor.
    private Phase phase = Phase.CREATED;
    private volatile SandboxState state = SandboxState.CREATED;
    /** The loaded policy until the start; dropped then (the gateway holds the one in force). */
    private Policy policy;
    /** The engine that loaded the policy in force: a different one bound later means reload. */
    private volatile PolicyEngine loadedBy;
    private Confinement startedConfinement;
    private boolean killRequested;
    private volatile GuestProcess process;
    private volatile SyscallGateway gateway;
    private volatile long startedMillis;
    private volatile long endedMillis;
    private volatile ExitStatus exitStatus;
    private volatile String failure;
    private volatile long finalCpuNanos;
    private volatile long finalSyscalls;
    private volatile long finalDenials;

    ManagedSandbox(SandboxLifecycle lifecycle, long id, SandboxSpec spec, Policy policy, PolicyEngine loadedBy) {
        this.lifecycle = lifecycle;
        this.id = id;
        this.spec = spec;
        this.policy = policy;
        this.loadedBy = loadedBy;
        this.createdMillis = System.currentTimeMillis();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public SandboxSpec spec() {
        return spec;
    }

    @Override
    public SandboxState state() {
        return state;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public SandboxInfo info() {
        GuestProcess guest = process;
        SyscallGateway journal = gateway;
        SandboxState now = state;
        boolean live = now == SandboxState.RUNNING && guest != null;
        return new SandboxInfo(id, spec.command(), spec.policyLabel(), now, createdMillis, startedMillis, endedMillis,
                guest == null ? 0 : guest.hostPid(),
                live ? guest.cpuNanos() : finalCpuNanos,
                live ? guest.answeredCalls() : finalSyscalls,
                live && journal != null ? journal.denials() : finalDenials,
                now.finished() ? exitStatus : null);
    }

    @Override
    public void start() throws SandboxException {
        Policy starting;
        synchronized (this) {
            if (phase != Phase.CREATED) {
                throw new IllegalStateException("sandbox " + displayId() + (startedMillis == 0 && phase == Phase.FINISHED
                        ? " was killed before it started" : " was started before"));
            }
            phase = Phase.STARTING;
            starting = policy;
        }
        GuestProcess guest;
        SyscallGateway journal;
        try {
            lifecycle.requireOpen();
            PolicyEngine current = lifecycle.currentEngine();
            if (current != null && current != loadedBy) {
                // The engine was replaced since the policy was loaded: start with the new one's.
                starting = load(current);
                loadedBy = current;
            }
            SouthPlatform platform = lifecycle.availablePlatform();
            try {
                journal = lifecycle.bus().open(spec.journalDirectory(), id, spec, starting);
            } catch (JournalException e) {
                throw new SandboxException(e.getMessage(), e);
            }
            try {
                guest = platform.launch(spec, starting.confinement(), journal);
            } catch (SandboxException | RuntimeException e) {
                journal.close();
                throw e;
            }
        } catch (SandboxException e) {
            finishUnstarted(e.getMessage(), exitStatusOf(e));
            throw e;
        } catch (RuntimeException e) {
            finishUnstarted("the start failed: " + e, ExitStatus.exited(125));
            throw e;
        }
        synchronized (this) {
            process = guest;
            gateway = journal;
            startedConfinement = starting.confinement();
            policy = null;
            startedMillis = System.currentTimeMillis();
            phase = Phase.RUNNING;
            state = SandboxState.RUNNING;
            if (killRequested || lifecycle.closing()) {
                killRequested = true;
                guest.kill();
            }
        }
        lifecycle.reloader().watch(this);
        guest.exit().whenComplete(this::ended);
        lifecycle.reloadIfStale(this);
    }

    @Override
    public GuestProcess process() {
        GuestProcess guest = process;
        if (guest == null) {
            String reason = failure;
            throw new IllegalStateException("sandbox " + displayId()
                    + (reason != null ? " did not start: " + reason : " has not been started"));
        }
        return guest;
    }

    @Override
    public void kill() {
        synchronized (this) {
            switch (phase) {
                case CREATED -> {
                    killRequested = true;
                    policy = null;
                    phase = Phase.FINISHED;
                    endedMillis = System.currentTimeMillis();
                    exitStatus = ExitStatus.killed(SIGKILL);
                    lifecycle.finished(this, SandboxState.KILLED);
                }
                case STARTING -> killRequested = true; // start() kills once the guest runs
                case RUNNING -> {
                    killRequested = true;
                    process.kill();
                }
                case FINISHED -> {
                    return;
                }
            }
            if (phase != Phase.FINISHED) {
                return;
            }
        }
        exit.complete(exitStatus);
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        // A copy: callers must not be able to complete the real one.
        return exit.copy();
    }

    /** Whether the guest runs (or is being started): what a shutdown waits for. */
    synchronized boolean live() {
        return phase == Phase.STARTING || phase == Phase.RUNNING;
    }

    /** Whether it was created and never started. */
    synchronized boolean unstarted() {
        return phase == Phase.CREATED;
    }

    /** The internal future, for waiting without copies. */
    CompletableFuture<ExitStatus> exitFuture() {
        return exit;
    }

    PolicyEngine loadedBy() {
        return loadedBy;
    }

    /**
     * Loads the sandbox's policies again with the current engine: a created sandbox will start
     * with them, a running one is judged by them from its next notified call. A policy that does
     * not load leaves the previous one in force.
     *
     * @param why for the log, e.g. "its policy file changed"
     * @return whether a reloaded policy is now in force
     */
    boolean reloadPolicy(String why) {
        synchronized (reloadLock) {
            PolicyEngine engine = lifecycle.currentEngine();
            if (engine == null) {
                LOG.error("sandbox {}: {}, but no policy engine is bound to load it; the previous policy stays in force",
                        displayId(), why);
                return false;
            }
            synchronized (this) {
                if (phase == Phase.FINISHED || phase == Phase.STARTING) {
                    return false; // a start re-checks the engine once the guest runs
                }
            }
            Policy reloaded;
            try {
                reloaded = load(engine);
            } catch (SandboxException e) {
                LOG.error("sandbox {}: {}, but {}; the previous policy stays in force", displayId(), why, e.getMessage());
                return false;
            }
            synchronized (this) {
                switch (phase) {
                    case CREATED -> policy = reloaded;
                    case RUNNING -> {
                        gateway.replacePolicy(reloaded);
                        if (!reloaded.confinement().equals(startedConfinement)) {
                            LOG.error("sandbox {}: policy {} reloaded for the supervisor; its kernel layers (seccomp "
                                    + "filter, Landlock) differ from the running guest's, which keeps those it "
                                    + "started with", displayId(), reloaded.name());
                        }
                    }
                    default -> {
                        return false;
                    }
                }
                loadedBy = engine;
            }
            LOG.info("sandbox {}: {}; policy {} reloaded", displayId(), why, reloaded.name());
            return true;
        }
    }

    private Policy load(PolicyEngine engine) throws SandboxException {
        try {
            return engine.load(spec.policies(), spec.policyVariables());
        } catch (PolicyException e) {
            throw new SandboxException("its policy does not load: " + e.getMessage(), e);
        }
    }

    /** The guest is gone and its end journaled (the platform completes its exit after that). */
    private void ended(ExitStatus status, Throwable supervisionFailure) {
        synchronized (this) {
            GuestProcess guest = process;
            endedMillis = System.currentTimeMillis();
            finalCpuNanos = guest.cpuNanos();
            finalSyscalls = guest.answeredCalls();
            finalDenials = gateway.denials();
            if (supervisionFailure == null) {
                exitStatus = status;
            } else {
                // The platform killed the guest because its supervision failed.
                exitStatus = ExitStatus.killed(SIGKILL);
                failure = "its supervision failed: " + supervisionFailure.getMessage();
            }
            phase = Phase.FINISHED;
            lifecycle.finished(this, killRequested ? SandboxState.KILLED : SandboxState.EXITED);
        }
        lifecycle.reloader().forget(id);
        if (supervisionFailure == null) {
            exit.complete(status);
        } else {
            exit.completeExceptionally(supervisionFailure);
        }
    }

    /** A start that failed: the sandbox is finished, with the status a shell gives such a failure. */
    private void finishUnstarted(String reason, ExitStatus status) {
        synchronized (this) {
            failure = reason;
            policy = null;
            endedMillis = System.currentTimeMillis();
            exitStatus = status;
            phase = Phase.FINISHED;
            lifecycle.finished(this, SandboxState.EXITED);
        }
        exit.complete(status);
    }

    /** 127 / 126 as a shell exits when the program is missing / not executable; 125 for any other failure. */
    static ExitStatus exitStatusOf(SandboxException e) {
        return ExitStatus.exited(switch (e.kind()) {
            case PROGRAM_NOT_FOUND -> 127;
            case PROGRAM_NOT_EXECUTABLE -> 126;
            default -> 125;
        });
    }

    /** Sets the state; called by the lifecycle under its retention lock. */
    void state(SandboxState finished) {
        state = finished;
    }
}
