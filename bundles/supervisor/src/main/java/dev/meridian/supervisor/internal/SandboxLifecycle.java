package dev.meridian.supervisor.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.JournalException;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.SyscallGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Starts sandboxes: loads the policy, opens the sandbox's gateway on the bus and hands both to
 * the first South platform that can run guests on this host.
 */
@Component(service = SandboxManager.class)
public final class SandboxLifecycle implements SandboxManager {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<SouthPlatform> platforms;

    @Reference
    private SyscallBus bus;

    @Reference
    private PolicyEngine policies;

    private PolicyReloader reloader;

    @Activate
    void activate() {
        reloader = new PolicyReloader(policies);
    }

    @Deactivate
    void deactivate() {
        reloader.close();
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        throw new UnsupportedOperationException("TODO(issue 4)");
    }

    @Override
    public java.util.List<dev.meridian.api.SandboxInfo> list(boolean includeFinished) {
        throw new UnsupportedOperationException("TODO(issue 4)");
    }

    @Override
    public java.util.Optional<Sandbox> find(long id) {
        throw new UnsupportedOperationException("TODO(issue 4)");
    }

    @Override
    public boolean remove(long id) {
        throw new UnsupportedOperationException("TODO(issue 4)");
    }

    @Override
    public Sandbox start(SandboxSpec spec) throws SandboxException, PolicyException {
        Policy policy = policies.load(spec.policies(), spec.policyVariables());
        SouthPlatform platform = availablePlatform();
        long id = SandboxIds.next();
        SyscallGateway gateway;
        try {
            gateway = bus.open(spec.journalDirectory(), id, spec, policy);
        } catch (JournalException e) {
            throw new SandboxException(e.getMessage(), e);
        }
        GuestProcess process;
        try {
            process = platform.launch(spec, policy.confinement(), gateway);
        } catch (SandboxException | RuntimeException e) {
            gateway.close();
            throw e;
        }
        reloader.watch(id, spec, gateway, policy);
        process.exit().whenComplete((status, failure) -> reloader.forget(id));
        return new RunningSandbox(id, spec, process);
    }

    private SouthPlatform availablePlatform() throws SandboxException {
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

    private record RunningSandbox(long id, SandboxSpec spec, GuestProcess process) implements Sandbox {
        @Override
        public dev.meridian.api.SandboxState state() {
            throw new UnsupportedOperationException("TODO(issue 4)");
        }

        @Override
        public dev.meridian.api.SandboxInfo info() {
            throw new UnsupportedOperationException("TODO(issue 4)");
        }

        @Override
        public void start() {
            throw new IllegalStateException("started already");
        }

        @Override
        public void kill() {
            process.kill();
        }

        @Override
        public CompletableFuture<ExitStatus> exit() {
            return process.exit();
        }
    }
}
