package dev.meridian.api;

import java.util.Objects;

/**
 * Where one rule of a compiled policy is enforced, and why there: what {@code meridian policy
 * explain} prints.
 *
 * @param rule the rule's id as written in the policy
 * @param layer the layer that enforces it
 * @param reason one sentence: why this layer, or what it cannot hold
 */
public record RulePlacement(String rule, Layer layer, String reason) {

    /** The enforcement layers of design §2, fastest first. */
    public enum Layer {
        /** Kernel file and port access control (Landlock on Linux). */
        ACCESS_CONTROL,
        /** Kernel system-call filter on numbers and registers (seccomp-BPF on Linux). */
        SYSCALL_FILTER,
        /** The supervisor, on notified calls: memory arguments, emulation, tracing. */
        SUPERVISOR,
        /** Namespaces, mounts and resource limits set up before the guest starts. */
        ISOLATION
    }

    public RulePlacement {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(reason, "reason");
    }
}
