package dev.meridian.supervisor.internal;

import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxInfo;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SandboxState;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallBus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, starts and keeps sandboxes: loads the policy, opens the sandbox's gateway on the bus
 * and hands both to the first South platform that can run guests on this host.
 *
 * <p>The registry is a concurrent map by id; finished sandboxes are kept up to a bound, the
 * oldest finished dropped first. Nothing here is on the guest path.
 *
 * <p>The policy engine is bound dynamically: replacing its bundle neither deactivates this
 * component nor touches running guests; a new engine re-loads the policies of every sandbox
 * not yet finished (running ones are judged by the new objects from their next notified call),
 * and while none is bound, {@link #create} waits for one (bounded) and then fails.
 *
 * <p>Configuration (PID {@value #PID}, all optional):
 * <ul>
 *   <li>{@code retain.finished} (default 1000): finished sandboxes kept for {@code list(true)},
 *       {@code find} and {@code info}</li>
 *   <li>{@code shutdown.mode} ({@code wait}, the default, or {@code kill}): at deactivation,
 *       let running sandboxes finish up to {@code shutdown.timeout.seconds} (default 10) and
 *       kill the rest, or kill them all at once; their ends are journaled either way</li>
 *   <li>{@code policy.engine.wait.millis} (default 5000): how long {@code create} waits for a
 *       policy engine when none is bound</li>
 * </ul>
 */
@Component(service = SandboxManager.class, configurationPid = SandboxLifecycle.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SandboxLifecycle implements SandboxManager {

    static final String PID = "dev.meridian.supervisor";
    static final String RETAIN_FINISHED = "retain.finished";
    static final String SHUTDOWN_MODE = "shutdown.mode";
    static final String SHUTDOWN_TIMEOUT_SECONDS = "shutdown.timeout.seconds";
    static final String POLICY_ENGINE_WAIT_MILLIS = "policy.engine.wait.millis";

    private static final Logger LOG = LoggerFactory.getLogger(SandboxLifecycle.class);
    /** After killing, how long a shutdown waits for the ends to be journaled. */
    private static final long KILLED_END_TIMEOUT_MILLIS = 10_000;

    enum ShutdownMode { WAIT, KILL }

    /** The configuration in force. */
    record Settings(int retainFinished, ShutdownMode shutdownMode, long shutdownTimeoutMillis,
            long policyEngineWaitMillis) {

        static final Settings DEFAULTS = new Settings(1000, ShutdownMode.WAIT, 10_000, 5_000);

        /** Reads the configuration; a value that does not parse is logged and its default used. */
        static Settings of(Map<String, ?> properties) {
            int retain = (int) number(properties, RETAIN_FINISHED, DEFAULTS.retainFinished, 0, Integer.MAX_VALUE);
            long timeoutSeconds = number(properties, SHUTDOWN_TIMEOUT_SECONDS, DEFAULTS.shutdownTimeoutMillis / 1000,
                    0, TimeUnit.DAYS.toSeconds(1));
            long engineWait = number(properties, POLICY_ENGINE_WAIT_MILLIS, DEFAULTS.policyEngineWaitMillis, 0,
                    TimeUnit.HOURS.toMillis(1));
            ShutdownMode mode = DEFAULTS.shutdownMode;
            Object configured = properties.get(SHUTDOWN_MODE);
            if (configured != null) {
                try {
                    mode = ShutdownMode.valueOf(configured.toString().strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    LOG.error("{} configuration: {} = \"{}\" is neither wait nor kill; using {}", PID, SHUTDOWN_MODE,
                            configured, mode.name().toLowerCase(Locale.ROOT));
                }
            }
            return new Settings(retain, mode, TimeUnit.SECONDS.toMillis(timeoutSeconds), engineWait);
        }

        private static long number(Map<String, ?> properties, String key, long fallback, long min, long max) {
            Object value = properties.get(key);
            if (value == null) {
                return fallback;
            }
            try {
                long parsed = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().strip());
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            LOG.error("{} configuration: {} = \"{}\" is not a number from {} to {}; using {}", PID, key, value, min,
                    max, fallback);
            return fallback;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<SouthPlatform> platforms;

    private volatile SyscallBus bus;
    private final AtomicReference<PolicyEngine> engine = new AtomicReference<>();
    private final Object engineArrived = new Object();

    private final Map<Long, ManagedSandbox> sandboxes = new ConcurrentHashMap<>();
    /** Finished sandboxes, oldest first; with their state changes, guarded by itself. */
    private final ArrayDeque<ManagedSandbox> finished = new ArrayDeque<>();
    private final PolicyReloader reloader = new PolicyReloader();
    private volatile Settings settings = Settings.DEFAULTS;
    private volatile boolean active;
    private volatile boolean closing;

    @Reference
    void bindBus(SyscallBus bus) {
        this.bus = bus;
    }

    /** Greedy: a new engine (an updated policy bundle) replaces the bound one while sandboxes run. */
    @Reference(name = "policyEngine", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindPolicyEngine")
    void bindPolicyEngine(PolicyEngine replacement) {
        engine.set(replacement);
        synchronized (engineArrived) {
            engineArrived.notifyAll();
        }
        if (active) {
            // Not on SCR's thread: loading policies may take a while.
            Thread.ofPlatform().name("meridian-policy-engine-swap").daemon().start(this::reloadStale);
        }
    }

    void unbindPolicyEngine(PolicyEngine gone) {
        engine.compareAndSet(gone, null);
    }

    /** For tests and hosts without SCR. */
    void bindPlatform(SouthPlatform platform) {
        List<SouthPlatform> current = platforms;
        List<SouthPlatform> updated = new ArrayList<>(current == null ? List.of() : current);
        updated.add(platform);
        platforms = List.copyOf(updated);
    }

    @Activate
    void activate(Map<String, ?> properties) {
        settings = Settings.of(properties);
        active = true;
    }

    @Modified
    void modified(Map<String, ?> properties) {
        settings = Settings.of(properties);
        synchronized (finished) {
            dropOldestFinished();
        }
    }

    /**
     * Stops taking sandboxes, then lets running ones finish or kills them as configured, and
     * returns once their ends are journaled (or a bounded wait for that ran out).
     */
    @Deactivate
    void deactivate() {
        closing = true;
        active = false;
        reloader.close();
        Settings shutdown = settings;
        List<ManagedSandbox> live = new ArrayList<>();
        for (ManagedSandbox sandbox : sandboxes.values()) {
            if (sandbox.unstarted()) {
                sandbox.kill();
            } else if (sandbox.live()) {
                live.add(sandbox);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        if (shutdown.shutdownMode() == ShutdownMode.WAIT && shutdown.shutdownTimeoutMillis() > 0) {
            LOG.info("shutting down: waiting up to {} s for {} running sandbox(es) to finish",
                    TimeUnit.MILLISECONDS.toSeconds(shutdown.shutdownTimeoutMillis()), live.size());
            awaitEnds(live, shutdown.shutdownTimeoutMillis());
        }
        List<ManagedSandbox> left = live.stream().filter(ManagedSandbox::live).toList();
        if (left.isEmpty()) {
            return;
        }
        LOG.info("shutting down: killing {} running sandbox(es)", left.size());
        left.forEach(ManagedSandbox::kill);
        if (!awaitEnds(left, KILLED_END_TIMEOUT_MILLIS)) {
            LOG.error("shutting down: {} killed sandbox(es) did not end within {} s; their ends may be missing "
                    + "from the journal", left.stream().filter(ManagedSandbox::live).count(),
                    TimeUnit.MILLISECONDS.toSeconds(KILLED_END_TIMEOUT_MILLIS));
        }
    }

    /** @return whether all ended in time */
    private static boolean awaitEnds(List<ManagedSandbox> sandboxes, long timeoutMillis) {
        CompletableFuture<?>[] ends = sandboxes.stream().map(ManagedSandbox::exitFuture)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ends).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            // A supervision failure ended one: it is finished all the same; wait for the others.
            return awaitEachEnd(sandboxes, timeoutMillis);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean awaitEachEnd(List<ManagedSandbox> sandboxes, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (ManagedSandbox sandbox : sandboxes) {
            try {
                sandbox.exitFuture().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                // ended by a failure
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public Sandbox create(SandboxSpec spec) throws SandboxException, PolicyException {
        requireOpen();
        availablePlatform();
        PolicyEngine loader = awaitEngine();
        Policy policy = loader.load(spec.policies(), spec.policyVariables());
        ManagedSandbox sandbox = new ManagedSandbox(this, SandboxIds.next(), spec, policy, loader);
        sandboxes.put(sandbox.id(), sandbox);
        return sandbox;
    }

    @Override
    public List<SandboxInfo> list(boolean includeFinished) {
        List<SandboxInfo> infos = new ArrayList<>();
        for (ManagedSandbox sandbox : sandboxes.values()) {
            if (includeFinished || !sandbox.state().finished()) {
                infos.add(sandbox.info());
            }
        }
        infos.sort(Comparator.comparingLong(SandboxInfo::createdMillis).thenComparingLong(SandboxInfo::id));
        return infos;
    }

    @Override
    public Optional<Sandbox> find(long id) {
        return Optional.ofNullable(sandboxes.get(id));
    }

    @Override
    public boolean remove(long id) {
        synchronized (finished) {
            ManagedSandbox sandbox = sandboxes.get(id);
            if (sandbox == null) {
                return false;
            }
            if (!sandbox.state().finished()) {
                throw new IllegalStateException("sandbox " + sandbox.displayId() + " is "
                        + sandbox.state().name().toLowerCase(Locale.ROOT) + ": only finished sandboxes can be removed");
            }
            finished.remove(sandbox);
            return sandboxes.remove(id, sandbox);
        }
    }

    /** Records that {@code sandbox} finished in {@code state}, dropping the oldest finished past the bound. */
    void finished(ManagedSandbox sandbox, SandboxState state) {
        synchronized (finished) {
            sandbox.state(state);
            if (sandboxes.get(sandbox.id()) == sandbox) {
                finished.addLast(sandbox);
                dropOldestFinished();
            }
        }
    }

    private void dropOldestFinished() {
        int bound = settings.retainFinished();
        while (finished.size() > bound) {
            ManagedSandbox oldest = finished.pollFirst();
            sandboxes.remove(oldest.id(), oldest);
        }
    }

    void requireOpen() throws SandboxException {
        if (closing) {
            throw new SandboxException(SandboxException.Kind.PLATFORM_UNAVAILABLE,
                    "the supervisor is shutting down and starts no more sandboxes");
        }
    }

    boolean closing() {
        return closing;
    }

    SyscallBus bus() {
        return bus;
    }

    PolicyReloader reloader() {
        return reloader;
    }

    PolicyEngine currentEngine() {
        return engine.get();
    }

    /** The bound engine, waiting (bounded) for one while none is: its bundle may be being replaced. */
    private PolicyEngine awaitEngine() throws SandboxException {
        PolicyEngine bound = engine.get();
        if (bound != null) {
            return bound;
        }
        long waitMillis = settings.policyEngineWaitMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        synchronized (engineArrived) {
            while ((bound = engine.get()) == null) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new SandboxException("no policy engine is available (waited " + waitMillis
                            + " ms): the dev.meridian.policy bundle is not installed, not started, or being replaced");
                }
                try {
                    engineArrived.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxException("interrupted while waiting for a policy engine");
                }
            }
        }
        return bound;
    }

    /** After a start: if the engine changed while it started, load its policy with the new one. */
    void reloadIfStale(ManagedSandbox sandbox) {
        PolicyEngine current = engine.get();
        if (current != null && sandbox.loadedBy() != current) {
            sandbox.reloadPolicy("the policy engine was replaced");
        }
    }

    /** Every sandbox not yet finished whose policy an older engine loaded loads it with the current one. */
    private void reloadStale() {
        int reloaded = 0;
        for (ManagedSandbox sandbox : sandboxes.values()) {
            PolicyEngine current = engine.get();
            if (current == null || closing) {
                return;
            }
            if (!sandbox.state().finished() && sandbox.loadedBy() != current) {
                try {
                    if (sandbox.reloadPolicy("the policy engine was replaced")) {
                        reloaded++;
                    }
                } catch (RuntimeException e) {
                    LOG.error("sandbox {}: reloading its policy with the new policy engine failed; the previous "
                            + "one stays in force", sandbox.displayId(), e);
                }
            }
        }
        if (reloaded > 0) {
            LOG.info("policy engine replaced: {} sandbox(es) loaded their policies with it", reloaded);
        }
    }

    SouthPlatform availablePlatform() throws SandboxException {
        List<SouthPlatform> candidates = platforms;
        List<String> reasons = new ArrayList<>();
        for (SouthPlatform platform : candidates == null ? List.<SouthPlatform>of() : candidates) {
            String reason = platform.unavailableReason();
            if (reason == null) {
                return platform;
            }
            reasons.add(platform.name() + ": " + reason);
        }
        throw new SandboxException(SandboxException.Kind.PLATFORM_UNAVAILABLE,
                reasons.isEmpty()
                        ? "no South platform is installed"
                        : "no platform can run guests on this host (" + String.join("; ", reasons) + ")");
    }
}
