package dev.meridian.supervisor.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalReader;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.PolicyException;
import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the syscall bus (not for the kernel): each gateway judges calls by its policy,
 * switching to a replacement between two calls as the real bus does, counts denials, and records
 * what the registry tests check (the policy in force, the journaled end).
 */
final class TestBus implements SyscallBus {

    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int SYS_CHDIR = 80;
    static final int EPERM = 1;

    final Map<Long, Gateway> gateways = new ConcurrentHashMap<>();

    @Override
    public SyscallGateway open(Path journalDirectory, long sandboxId, SandboxSpec spec, Policy policy) {
        Gateway gateway = new Gateway(sandboxId, policy);
        gateways.put(sandboxId, gateway);
        return gateway;
    }

    @Override
    public JournalReader reader(Path journalDirectory) {
        throw new UnsupportedOperationException("the registry tests read no journal");
    }

    @Override
    public NorthShim shimFor(int abi) {
        return null;
    }

    static final class Gateway implements SyscallGateway {
        private final long sandboxId;
        final Policy opened;
        private Policy policy;
        private volatile Policy replacement;
        volatile String lastPolicy;
        volatile long calls;
        private volatile long denials;
        volatile ExitStatus journaledExit;
        volatile boolean closed;

        Gateway(long sandboxId, Policy policy) {
            this.sandboxId = sandboxId;
            this.opened = policy;
            this.policy = policy;
            this.replacement = policy;
        }

        @Override
        public long sandboxId() {
            return sandboxId;
        }

        @Override
        public void replacePolicy(Policy replacement) {
            this.replacement = replacement;
        }

        @Override
        public void onCall(SyscallEvent call, GuestMemory memory) {
            policy = replacement;
            lastPolicy = policy.name();
            policy.decide(call);
            calls = calls + 1;
        }

        @Override
        public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
            policy.decideResolvedPath(call, path, length, access);
        }

        @Override
        public void onCompletion(SyscallEvent call) {
            if (call.action() == VerdictAction.DENY || call.action() == VerdictAction.KILL) {
                denials = denials + 1;
            }
        }

        @Override
        public void onExit(ExitStatus status, long answeredCalls) {
            journaledExit = status;
        }

        @Override
        public long denials() {
            return denials;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Loads policies named after the engine; profile "broken" does not load. */
    record Engine(String name) implements PolicyEngine {
        @Override
        public List<String> profiles() {
            return List.of("trace");
        }

        @Override
        public Policy load(List<PolicySource> sources, Map<String, String> variables) throws PolicyException {
            for (PolicySource source : sources) {
                if ("broken".equals(source.profile())) {
                    throw new PolicyException("profile broken: it does not load");
                }
            }
            return new DenyChdir(name);
        }
    }

    /** Every call to the supervisor; chdir denied with EPERM, everything else allowed. */
    record DenyChdir(String name) implements Policy {
        @Override
        public Confinement confinement() {
            return Confinement.superviseEverything(AUDIT_ARCH_X86_64);
        }

        @Override
        public void decide(SyscallEvent call) {
            if (call.number() == SYS_CHDIR) {
                call.verdict(VerdictAction.DENY, EPERM, 1, false);
            } else {
                call.verdict(VerdictAction.ALLOW, 0, 0, false);
            }
        }

        @Override
        public String ruleName(int ruleId) {
            return ruleId == 0 ? "test/allow" : ruleId == 1 ? "test/no-chdir" : null;
        }
    }
}
