package dev.meridian.policy;

import dev.meridian.api.Confinement;
import dev.meridian.api.FileAccess;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.Policy;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.RulePlacement.Layer;
import dev.meridian.api.SyscallFilter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The text of {@code meridian policy explain}: every rule of a policy with its layer and why. */
public final class PolicyExplanation {

    private static final Map<Layer, String> TITLES = new EnumMap<>(Map.of(
            Layer.ACCESS_CONTROL, "Landlock (kernel file and TCP-port access control)",
            Layer.SYSCALL_FILTER, "seccomp-BPF (kernel system-call filter: numbers and registers)",
            Layer.SUPERVISOR, "supervisor (notified calls: guest memory, paths, emulation, journal)",
            Layer.ISOLATION, "isolation (namespaces, mounts, limits set before the guest starts)"));

    private PolicyExplanation() {
    }

    /** One section per layer, fastest first, each rule on its own line, then a summary of the kernel layers. */
    public static String explain(Policy policy) {
        StringBuilder text = new StringBuilder("policy ").append(policy.name()).append('\n');
        List<RulePlacement> placements = policy.placements();
        int width = placements.stream().mapToInt(p -> p.rule().length()).max().orElse(0);
        for (Layer layer : Layer.values()) {
            List<RulePlacement> here = placements.stream().filter(p -> p.layer() == layer).toList();
            if (here.isEmpty()) {
                continue;
            }
            text.append('\n').append(TITLES.get(layer)).append('\n');
            for (RulePlacement placement : here) {
                text.append("  ").append(placement.rule()).append(" ".repeat(width - placement.rule().length() + 2))
                        .append(placement.reason()).append('\n');
            }
        }
        text.append('\n').append(summary(policy.confinement()));
        return text.toString();
    }

    /** What the kernel layers will hold, in numbers. */
    public static String summary(Confinement confinement) {
        SyscallFilter filter = confinement.syscalls();
        long numbers = filter.rules().stream().mapToInt(SyscallFilter.Rule::number).distinct().count();
        long notified = filter.rules().stream().filter(r -> r.action() == SyscallFilter.Action.NOTIFY)
                .mapToInt(SyscallFilter.Rule::number).distinct().count();
        StringBuilder text = new StringBuilder("kernel layers:\n");
        text.append("  seccomp-BPF: ").append(filter.rules().size()).append(" rules over ").append(numbers)
                .append(" system calls (").append(notified).append(" may be notified), default ")
                .append(filter.defaultAction()).append('\n');
        if (confinement.files() == null) {
            text.append("  Landlock files: unrestricted\n");
        } else {
            text.append("  Landlock files: ").append(confinement.files().grants().size()).append(" grants; ")
                    .append(words(confinement.files().handled())).append(" denied elsewhere\n");
        }
        NetworkRules network = confinement.network();
        if (network == null) {
            text.append("  Landlock TCP: unrestricted\n");
        } else {
            for (NetworkRules.Direction direction : NetworkRules.Direction.values()) {
                TreeSet<Integer> ports = network.grants().stream().filter(g -> g.direction() == direction)
                        .map(NetworkRules.Grant::port).collect(Collectors.toCollection(TreeSet::new));
                text.append("  Landlock TCP ").append(direction.name().toLowerCase(java.util.Locale.ROOT)).append(": ")
                        .append(!network.handled().contains(direction) ? "any port" : ports.isEmpty() ? "no port" : ports)
                        .append('\n');
            }
        }
        text.append("  Landlock scopes: signals ").append(confinement.scopeSignals() ? "scoped" : "unscoped")
                .append(", abstract UNIX sockets ").append(confinement.scopeAbstractUnixSockets() ? "scoped" : "unscoped")
                .append('\n');
        return text.toString();
    }

    private static String words(java.util.Set<FileAccess> access) {
        return access.stream().sorted().map(a -> a.name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining("+"));
    }
}
