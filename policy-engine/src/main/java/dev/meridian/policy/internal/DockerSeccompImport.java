package dev.meridian.policy.internal;

import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.policy.internal.PolicyDocument.Action;
import dev.meridian.policy.internal.PolicyDocument.Said;
import dev.meridian.policy.internal.PolicyDocument.SyscallName;
import dev.meridian.policy.internal.PolicyDocument.SyscallRule;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Imports an OCI/Docker seccomp profile ({@code defaultAction}, {@code syscalls}) as a policy.
 * Conditional rules are evaluated for the host Meridian confines: the x86-64 ABI ({@code amd64}),
 * the running kernel's version for {@code minKernel}, and Docker's default container capabilities
 * for {@code caps} (see {@link #CAPABILITIES}). Names x86-64 does not have are skipped, as Docker
 * does, and counted in the notes that {@code policy explain} shows.
 */
final class DockerSeccompImport {

    /**
     * The capabilities {@code docker run} gives a container by default. A guest that is root in a
     * user namespace holds every capability there, but Meridian may also run a guest without one
     * (as the invoking user, root included), where CAP_SYS_ADMIN and friends would be real: so the
     * profile is read as Docker reads it for an ordinary container, which is the stricter reading.
     */
    static final Set<String> CAPABILITIES = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    private static final String ARCH = "amd64";
    private static final String SCMP_ARCH = "SCMP_ARCH_X86_64";
    private static final Set<String> TOP = Set.of("defaultAction", "defaultErrnoRet", "architectures", "archMap",
            "flags", "listenerPath", "listenerMetadata", "syscalls");
    private static final Set<String> RULE = Set.of("names", "name", "action", "errnoRet", "args", "comment",
            "includes", "excludes");
    private static final Set<String> CONDITION = Set.of("arches", "caps", "minKernel");
    private static final Set<String> ARG = Set.of("index", "value", "valueTwo", "op");
    private static final Set<String> ARCH_MAP = Set.of("architecture", "subArchitectures");
    private static final Map<String, Comparison> OPS = Map.of("SCMP_CMP_EQ", Comparison.EQ,
            "SCMP_CMP_NE", Comparison.NE, "SCMP_CMP_LT", Comparison.LT, "SCMP_CMP_LE", Comparison.LE,
            "SCMP_CMP_GT", Comparison.GT, "SCMP_CMP_GE", Comparison.GE, "SCMP_CMP_MASKED_EQ", Comparison.MASKED_EQ);

    private final YamlReader yaml;
    private final int[] kernel;
    private final List<String> notes = new ArrayList<>();
    private int defaultErrno = PolicyParser.DEFAULT_DENY_ERRNO;

    private DockerSeccompImport(YamlReader yaml, int[] kernel) {
        this.yaml = yaml;
        this.kernel = kernel;
    }

    /** A Docker profile is a JSON object with {@code defaultAction} and no language version. */
    static boolean recognises(Node root) {
        if (!(root instanceof MappingNode mapping)) {
            return false;
        }
        boolean docker = false;
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key) {
                if (key.getValue().equals(PolicyParser.VERSION_KEY)) {
                    return false;
                }
                docker |= key.getValue().equals("defaultAction");
            }
        }
        return docker;
    }

    static PolicyDocument parse(YamlReader yaml, Node root, String name) {
        return new DockerSeccompImport(yaml, kernelVersion(System.getProperty("os.version"))).document(root, name);
    }

    /** For tests: as on a host running kernel {@code version}. */
    static PolicyDocument parse(YamlReader yaml, Node root, String name, String version) {
        return new DockerSeccompImport(yaml, kernelVersion(version)).document(root, name);
    }

    private PolicyDocument document(Node root, String name) {
        Map<String, Node> top = yaml.mapping(root, "a Docker seccomp profile", TOP);
        if (top == null) {
            return null;
        }
        checkArchitectures(top);
        if (top.containsKey("defaultErrnoRet")) {
            Integer errno = PolicyParser.errno(yaml, top.get("defaultErrnoRet"), "defaultErrnoRet");
            defaultErrno = errno == null ? defaultErrno : errno;
        }
        Action defaultAction = action(top.get("defaultAction"));
        if (top.containsKey("listenerPath")) {
            yaml.problem(top.get("listenerPath"), "listenerPath: an outside seccomp agent cannot be used; Meridian's supervisor is the listener");
        }
        List<SyscallRule> rules = new ArrayList<>();
        if (top.containsKey("syscalls")) {
            List<Node> items = yaml.sequence(top.get("syscalls"), "syscalls");
            for (int i = 0; items != null && i < items.size(); i++) {
                SyscallRule rule = rule(items.get(i), i);
                if (rule != null) {
                    rules.add(rule);
                }
            }
        }
        Said<Action> defaultSaid = defaultAction == null ? null : new Said<>(defaultAction, yaml.at(top.get("defaultAction")));
        Said<Integer> errnoSaid = new Said<>(defaultErrno, yaml.at(root));
        return new PolicyDocument(name, "imported from the Docker seccomp profile " + yaml.file(), yaml.file(),
                List.of(), defaultSaid, errnoSaid, rules, null, List.of(), null, null, null, Map.of(), notes);
    }

    private void checkArchitectures(Map<String, Node> top) {
        List<Node> arches = new ArrayList<>();
        if (top.containsKey("architectures")) {
            List<Node> items = yaml.sequence(top.get("architectures"), "architectures");
            arches.addAll(items == null ? List.of() : items);
        }
        if (top.containsKey("archMap")) {
            List<Node> items = yaml.sequence(top.get("archMap"), "archMap");
            for (Node item : items == null ? List.<Node>of() : items) {
                Map<String, Node> entry = yaml.mapping(item, "an archMap entry", ARCH_MAP);
                if (entry != null && entry.containsKey("architecture")) {
                    arches.add(entry.get("architecture"));
                }
            }
        }
        if (arches.isEmpty()) {
            return;
        }
        for (Node arch : arches) {
            if (SCMP_ARCH.equals(yaml.string(arch, "an architecture"))) {
                return;
            }
        }
        yaml.problem(top.containsKey("archMap") ? top.get("archMap") : top.get("architectures"),
                "the profile does not cover " + SCMP_ARCH + ", the only ABI Meridian runs");
    }

    private SyscallRule rule(Node node, int index) {
        String what = "syscalls[" + index + "]";
        Map<String, Node> rule = yaml.mapping(node, what, RULE);
        if (rule == null) {
            return null;
        }
        String skippedBecause = condition(rule.get("includes"), true);
        if (skippedBecause == null) {
            skippedBecause = condition(rule.get("excludes"), false);
        }
        Action action = rule.containsKey("action") ? action(rule.get("action")) : null;
        if (!rule.containsKey("action")) {
            yaml.problem(node, what + " has no action");
        }
        List<SyscallName> names = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Node> nameNodes = rule.containsKey("names") ? yaml.sequence(rule.get("names"), what + ".names")
                : rule.containsKey("name") ? List.of(rule.get("name")) : List.of();
        for (Node nameNode : nameNodes == null ? List.<Node>of() : nameNodes) {
            String written = yaml.string(nameNode, "a system call name");
            if (written != null && LinuxX86_64Syscalls.byName(written) == null) {
                skipped.add(written);
            } else if (written != null) {
                PolicyParser.addSyscall(yaml, nameNode, names);
            }
        }
        int errno = defaultErrno;
        if (rule.containsKey("errnoRet")) {
            Integer written = PolicyParser.errno(yaml, rule.get("errnoRet"), what + ".errnoRet");
            errno = written == null ? errno : written;
        }
        List<Check> checks = new ArrayList<>();
        if (rule.containsKey("args")) {
            List<Node> items = yaml.sequence(rule.get("args"), what + ".args");
            for (int i = 0; items != null && i < items.size(); i++) {
                Check check = check(items.get(i), what + ".args[" + i + "]");
                if (check != null) {
                    checks.add(check);
                }
            }
        }
        String id = "syscalls/" + index;
        if (skippedBecause != null) {
            notes.add(id + " does not apply: " + skippedBecause);
            return null;
        }
        if (names.isEmpty()) {
            notes.add(id + " does not apply: none of its names exist on x86-64 (" + String.join(", ", skipped) + ")");
            return null;
        }
        return action == null ? null : new SyscallRule(id, yaml.at(node), names, action, errno, checks, true, skipped);
    }

    /** Why the rule does not apply here, or null when it does. */
    private String condition(Node node, boolean includes) {
        if (node == null) {
            return null;
        }
        String what = includes ? "includes" : "excludes";
        Map<String, Node> condition = yaml.mapping(node, what, CONDITION);
        if (condition == null) {
            return null;
        }
        List<String> reasons = new ArrayList<>();
        if (condition.containsKey("arches")) {
            List<String> arches = strings(condition.get("arches"), what + ".arches");
            if (arches.contains(ARCH) != includes) {
                reasons.add(what + ".arches " + arches);
            }
        }
        if (condition.containsKey("caps")) {
            List<String> caps = strings(condition.get("caps"), what + ".caps");
            boolean holds = includes ? CAPABILITIES.containsAll(caps) : caps.stream().noneMatch(CAPABILITIES::contains);
            if (!holds) {
                reasons.add(what + ".caps " + caps + " (read with Docker's default capabilities)");
            }
        }
        if (condition.containsKey("minKernel")) {
            String version = yaml.scalar(condition.get("minKernel"), what + ".minKernel");
            if (version != null && atLeast(kernel, kernelVersion(version)) != includes) {
                reasons.add(what + ".minKernel " + version);
            }
        }
        return reasons.isEmpty() ? null : String.join(", ", reasons);
    }

    private List<String> strings(Node node, String what) {
        List<String> strings = new ArrayList<>();
        List<Node> items = yaml.sequence(node, what);
        for (Node item : items == null ? List.<Node>of() : items) {
            String value = yaml.string(item, "an entry of " + what);
            if (value != null) {
                strings.add(value);
            }
        }
        return strings;
    }

    private Check check(Node node, String what) {
        Map<String, Node> arg = yaml.mapping(node, what, ARG);
        if (arg == null) {
            return null;
        }
        if (!arg.containsKey("index") || !arg.containsKey("op") || !arg.containsKey("value")) {
            yaml.problem(node, what + " needs index, value and op");
            return null;
        }
        Long index = yaml.integer(arg.get("index"), what + ".index");
        String opName = yaml.string(arg.get("op"), what + ".op");
        Comparison op = opName == null ? null : OPS.get(opName);
        if (opName != null && op == null) {
            yaml.problem(arg.get("op"), "unknown op '" + opName + "'" + Suggestions.didYouMean(opName, OPS.keySet()));
        }
        Long value = yaml.integer(arg.get("value"), what + ".value");
        Long valueTwo = arg.containsKey("valueTwo") ? yaml.integer(arg.get("valueTwo"), what + ".valueTwo") : Long.valueOf(0);
        if (index != null && (index < 0 || index > 5)) {
            yaml.problem(arg.get("index"), what + ".index " + index + " is not a register argument (0..5)");
            return null;
        }
        if (index == null || op == null || value == null || valueTwo == null) {
            return null;
        }
        // libseccomp's masked-eq: value is the mask, valueTwo the datum.
        return op == Comparison.MASKED_EQ ? new Check(index.intValue(), op, valueTwo, value)
                : new Check(index.intValue(), op, value, 0);
    }

    private Action action(Node node) {
        if (node == null) {
            return null;
        }
        String name = yaml.string(node, "an action");
        if (name == null) {
            return null;
        }
        return switch (name) {
            case "SCMP_ACT_ALLOW" -> Action.ALLOW;
            case "SCMP_ACT_ERRNO" -> Action.DENY;
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD" -> Action.KILL;
            case "SCMP_ACT_TRAP" -> {
                notes.add(yaml.at(node) + ": SCMP_ACT_TRAP kills the guest (no SIGSYS handler is run), which fails closed");
                yield Action.KILL;
            }
            case "SCMP_ACT_LOG" -> Action.LOG;
            case "SCMP_ACT_NOTIFY" -> Action.NOTIFY;
            case "SCMP_ACT_TRACE" -> {
                yaml.problem(node, "SCMP_ACT_TRACE needs a ptrace tracer, which Meridian does not run: use SCMP_ACT_NOTIFY or SCMP_ACT_ERRNO");
                yield null;
            }
            default -> {
                yaml.problem(node, "unknown action '" + name + "'" + Suggestions.didYouMean(name,
                        List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY")));
                yield null;
            }
        };
    }

    /** "6.18.0-foo" as {6, 18, 0}; missing parts are 0. */
    static int[] kernelVersion(String text) {
        int[] version = new int[3];
        String[] parts = text.split("[^0-9]+", -1);
        int filled = 0;
        for (String part : parts) {
            if (filled == 3 || part.isEmpty() && filled > 0) {
                break;
            }
            if (!part.isEmpty()) {
                version[filled++] = Integer.parseInt(part.length() > 6 ? part.substring(0, 6) : part);
            }
        }
        return version;
    }

    private static boolean atLeast(int[] have, int[] need) {
        return java.util.Arrays.compare(have, need) >= 0;
    }
}
