package dev.meridian.policy.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.FileAccess;
import dev.meridian.api.FileRules;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.RulePlacement;
import dev.meridian.api.RulePlacement.Layer;
import dev.meridian.api.SyscallFilter;
import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.policy.internal.PolicyDocument.Action;
import dev.meridian.policy.internal.PolicyDocument.ExecRules;
import dev.meridian.policy.internal.PolicyDocument.FileDeny;
import dev.meridian.policy.internal.PolicyDocument.FileGrant;
import dev.meridian.policy.internal.PolicyDocument.PortRange;
import dev.meridian.policy.internal.PolicyDocument.PortSet;
import dev.meridian.policy.internal.PolicyDocument.Said;
import dev.meridian.policy.internal.PolicyDocument.SyscallName;
import dev.meridian.policy.internal.PolicyDocument.SyscallRule;
import dev.meridian.policy.internal.PolicyDocument.TcpRules;
import dev.meridian.shim.linux.x86_64.LinuxErrno;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Composes policy documents (POLICY-LANGUAGE.md, "Composition") and compiles the result to the
 * layers of design §2: Landlock grants, a seccomp filter, and the supervisor's tables.
 */
final class PolicyCompiler {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
    private static final Set<String> STANDARD_VARIABLES = Set.of("CWD", "HOME", "TMPDIR");
    private static final int EAFNOSUPPORT = 97;
    private static final List<String> OPEN_FAMILY = List.of("open", "openat", "openat2", "creat");
    private static final List<String> EXEC_FAMILY = List.of("execve", "execveat");
    /** Calls that give an existing object a new name, which a glob on the old name cannot see. */
    private static final List<String> LINK_FAMILY = List.of("link", "linkat", "rename", "renameat", "renameat2");
    private static final int NUMBERS = LinuxX86_64Syscalls.MAX_NUMBER + 1;

    /** One syscall-layer rule in precedence order, already resolved to numbers. */
    private record FilterRule(List<Integer> numbers, List<Check> checks, byte outcome, int errno, boolean audit, int ruleId) {
    }

    private final List<PolicyDocument> documents;
    private final Map<String, String> variables;
    private final Problems problems;
    private final List<RulePlacement> placements = new ArrayList<>();
    private final List<FilterRule> filterRules = new ArrayList<>();

    private PolicyCompiler(List<PolicyDocument> documents, Map<String, String> variables, Problems problems) {
        this.documents = documents;
        this.variables = variables;
        this.problems = problems;
    }

    /** The compiled policy, or null when problems were found (they are in {@code problems}). */
    static CompiledPolicy compile(String name, List<PolicyDocument> documents, Map<String, String> variables, Problems problems) {
        return new PolicyCompiler(documents, variables, problems).compile(name);
    }

    private CompiledPolicy compile(String name) {
        CompiledPolicy.Builder out = new CompiledPolicy.Builder();
        out.name = name;
        // Ids are dense in placement order: protections, families, syscall rules, default, files, network, exec.
        Map<Protection, Boolean> protections = protections();
        familyRule();
        syscallRules();
        int defaultRule = defaultRule(out);
        FileRules files = fileAllow(out);
        fileDeny(out);
        NetworkRules network = network();
        exec(out);
        if (!problems.isEmpty()) {
            return null;
        }
        out.placements = placements;
        SyscallFilter filter = tables(out, defaultRule);
        out.confinement = new Confinement(filter, files, network,
                protections.get(Protection.SIGNAL_SCOPE), protections.get(Protection.ABSTRACT_UNIX_SCOPE));
        return new CompiledPolicy(out);
    }

    private int register(String rule, Layer layer, String reason) {
        placements.add(new RulePlacement(rule, layer, reason));
        return placements.size() - 1;
    }

    // --- protections ---

    private Map<Protection, Boolean> protections() {
        Map<Protection, Boolean> on = new EnumMap<>(Protection.class);
        for (Protection protection : Protection.values()) {
            Said<Boolean> said = null;
            String by = null;
            for (PolicyDocument document : documents) {
                Said<Boolean> here = document.protections().get(protection);
                if (here != null) {
                    said = here;
                    by = document.name();
                }
            }
            boolean enabled = said == null || said.value();
            on.put(protection, enabled);
            String rule = (by == null ? "" : by + "/") + "protections/" + protection.key();
            Layer layer = protection.isScope() ? Layer.ACCESS_CONTROL : Layer.SYSCALL_FILTER;
            if (!enabled) {
                register(rule, layer, "switched off at " + said.at() + ": " + protection.why().split(":")[0] + " is not prevented");
                continue;
            }
            String where = protection.isScope() ? "Landlock scope, in the kernel" : "seccomp-BPF, in the kernel; denials are notified so the journal records them";
            int id = register(rule, layer, where + ": " + protection.why());
            for (ProtectionRules.Denial denial : ProtectionRules.of(protection)) {
                filterRules.add(new FilterRule(denial.numbers(), denial.checks(), CompiledPolicy.DENY, denial.errno(), denial.audit(), id));
            }
        }
        return on;
    }

    private void familyRule() {
        Said<List<Integer>> families = null;
        String by = null;
        for (PolicyDocument document : documents) {
            if (document.families() != null) {
                families = document.families();
                by = document.name();
            }
        }
        if (families == null) {
            return;
        }
        List<Check> checks = families.value().stream().distinct().map(f -> new Check(0, SyscallFilter.Comparison.NE, f, 0)).toList();
        String names = families.value().stream().map(PolicyCompiler::familyName).collect(Collectors.joining(", "));
        int id = register(by + "/network/families", Layer.SYSCALL_FILTER, "socket families are a register argument: "
                + "seccomp-BPF fails socket() and socketpair() with EAFNOSUPPORT unless the family is one of " + names);
        filterRules.add(new FilterRule(List.of(number("socket"), number("socketpair")), checks, CompiledPolicy.DENY, EAFNOSUPPORT, true, id));
    }

    private static String familyName(int number) {
        return Constants.FAMILIES.entrySet().stream().filter(e -> e.getValue() == number).map(Map.Entry::getKey)
                .findFirst().orElse(String.valueOf(number));
    }

    // --- syscall rules ---

    private void syscallRules() {
        Set<Integer> protectedNumbers = new HashSet<>();
        Map<Integer, String> protectedBy = new LinkedHashMap<>();
        for (FilterRule rule : filterRules) {
            if (rule.checks().isEmpty()) {
                for (int number : rule.numbers()) {
                    protectedNumbers.add(number);
                    protectedBy.putIfAbsent(number, placements.get(rule.ruleId()).rule());
                }
            }
        }
        for (int d = documents.size() - 1; d >= 0; d--) {
            PolicyDocument document = documents.get(d);
            checkContradictions(document.syscallRules());
            for (SyscallRule rule : document.syscallRules()) {
                List<Integer> numbers = rule.names().stream().map(SyscallName::number).distinct().toList();
                StringBuilder reason = new StringBuilder(syscallReason(rule));
                List<String> shadowed = rule.action() == Action.DENY || rule.action() == Action.KILL ? List.of()
                        : rule.names().stream().filter(n -> protectedNumbers.contains(n.number()))
                                .map(n -> n.name() + " (" + protectedBy.get(n.number()) + ")").toList();
                if (!shadowed.isEmpty()) {
                    reason.append("; a protection takes precedence for ").append(String.join(", ", shadowed));
                }
                if (!rule.skipped().isEmpty()) {
                    reason.append("; ").append(rule.skipped().size()).append(" name").append(rule.skipped().size() == 1 ? "" : "s")
                            .append(" unknown on x86-64 skipped, as Docker does: ").append(String.join(", ", rule.skipped()));
                }
                int id = register(document.name() + "/" + rule.id(), Layer.SYSCALL_FILTER, reason.toString());
                filterRules.add(new FilterRule(numbers, rule.args(), outcome(rule.action()), rule.errno(), rule.audit(), id));
            }
        }
    }

    private static String syscallReason(SyscallRule rule) {
        String what = rule.args().isEmpty() ? "decided on the system call number" : "decided on register arguments (never memory)";
        return what + " by seccomp-BPF in the kernel: " + switch (rule.action()) {
            case ALLOW -> "allowed there at no supervisor cost";
            case DENY -> rule.audit() ? "notified, and the supervisor fails it with " + errnoName(rule.errno())
                    + " so the journal records this rule" : "failed there with " + errnoName(rule.errno()) + ", not journaled (audit: false)";
            case KILL -> rule.audit() ? "notified, and the supervisor kills the sandbox, journaling this rule" : "the guest is killed there, not journaled";
            case LOG, NOTIFY -> "notified, journaled, then allowed (the decision reads no guest memory, so the call may continue)";
        };
    }

    /** The same calls with the same arguments allowed and denied in one file. */
    private void checkContradictions(List<SyscallRule> rules) {
        for (int i = 0; i < rules.size(); i++) {
            for (int j = i + 1; j < rules.size(); j++) {
                SyscallRule first = rules.get(i);
                SyscallRule second = rules.get(j);
                boolean opposite = (first.action() == Action.ALLOW) != (second.action() == Action.ALLOW)
                        && (first.action() == Action.ALLOW || first.action() == Action.DENY || first.action() == Action.KILL)
                        && (second.action() == Action.ALLOW || second.action() == Action.DENY || second.action() == Action.KILL);
                if (!opposite || !Set.copyOf(first.args()).equals(Set.copyOf(second.args()))) {
                    continue;
                }
                Set<String> firstNames = first.names().stream().map(SyscallName::name).collect(Collectors.toSet());
                List<String> both = second.names().stream().map(SyscallName::name).filter(firstNames::contains).distinct().toList();
                if (!both.isEmpty()) {
                    problems.add(second.at(), "contradictory rules: " + String.join(", ", both) + " " + (first.args().isEmpty() ? "" : "with the same args ")
                            + "is " + second.action().word() + " here and " + first.action().word() + " at " + first.at());
                }
            }
        }
    }

    private static byte outcome(Action action) {
        return switch (action) {
            case ALLOW -> CompiledPolicy.ALLOW;
            case DENY -> CompiledPolicy.DENY;
            case KILL -> CompiledPolicy.KILL;
            case LOG, NOTIFY -> CompiledPolicy.OBSERVE;
        };
    }

    private int defaultRule(CompiledPolicy.Builder out) {
        Said<Action> action = null;
        Said<Integer> errno = null;
        String by = null;
        List<String> notes = new ArrayList<>();
        for (PolicyDocument document : documents) {
            if (document.syscallDefault() != null) {
                action = document.syscallDefault();
                by = document.name();
            }
            if (document.syscallErrno() != null) {
                errno = document.syscallErrno();
            }
            notes.addAll(document.notes());
        }
        Action effective = action == null ? Action.ALLOW : action.value();
        out.defaultOutcome = outcome(effective);
        out.defaultErrno = errno == null ? PolicyParser.DEFAULT_DENY_ERRNO : errno.value();
        String reason = "calls no rule matches are " + switch (effective) {
            case ALLOW -> "allowed by seccomp-BPF in the kernel";
            case DENY -> "notified and failed with " + errnoName(out.defaultErrno) + " by the supervisor, so the journal records each";
            case KILL -> "notified, and the supervisor kills the sandbox";
            case LOG, NOTIFY -> "notified: the supervisor journals each and lets it continue (no guest memory decides it)";
        };
        if (!notes.isEmpty()) {
            reason += "; " + String.join("; ", notes);
        }
        Layer layer = effective == Action.ALLOW ? Layer.SYSCALL_FILTER : Layer.SUPERVISOR;
        return register((by == null ? "" : by + "/") + "syscalls/default", layer, reason);
    }

    private static String errnoName(int errno) {
        String name = LinuxErrno.name(errno);
        return name == null ? "errno " + errno : name;
    }

    // --- files ---

    private FileRules fileAllow(CompiledPolicy.Builder out) {
        boolean restricted = false;
        List<FileRules.Grant> grants = new ArrayList<>();
        for (PolicyDocument document : documents) {
            if (document.fileAllow() == null) {
                continue;
            }
            restricted = true;
            for (FileGrant grant : document.fileAllow()) {
                int id = register(document.name() + "/" + grant.id(), Layer.ACCESS_CONTROL,
                        "path allow-list: Landlock holds it race-free in the kernel, for " + accessWords(grant.access()));
                for (Said<String> path : grant.paths()) {
                    String expanded = expand(path);
                    if (expanded == null || Glob.isGlob(expanded)) {
                        continue;
                    }
                    String problem = Glob.problem(expanded);
                    if (problem != null || expanded.startsWith("**")) {
                        problems.add(path.at(), problem != null ? problem : "'" + expanded + "' is a relative path: write it absolute");
                        continue;
                    }
                    grants.add(new FileRules.Grant(expanded, grant.access(), id));
                }
            }
            checkGrantDenyContradictions(document);
        }
        if (!restricted) {
            out.grantPaths = null;
            out.allowListRule = -1;
            return null;
        }
        out.allowListRule = register("files/allow-list", Layer.SUPERVISOR, "opens the supervisor performs for the guest "
                + "happen outside the guest's Landlock domain, so it checks the allow-list itself before each");
        out.grantPaths = grants.stream().map(g -> g.path().getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        out.grantAccess = grants.stream().mapToInt(g -> bits(g.access())).toArray();
        out.grantRule = grants.stream().mapToInt(FileRules.Grant::ruleId).toArray();
        out.handledAccess = bits(EnumSet.allOf(FileAccess.class));
        return kernelFileRules(grants);
    }

    /**
     * The allow-list as the kernel holds it. Access granted on {@code /} is allowed everywhere, so
     * the kernel need not handle it at all: Landlock then skips those opens instead of walking each
     * path up to the root to find the grant (what made read-heavy workloads like find and tar
     * slower). The supervisor keeps checking the whole list for the opens it performs.
     */
    private static FileRules kernelFileRules(List<FileRules.Grant> grants) {
        EnumSet<FileAccess> everywhere = EnumSet.noneOf(FileAccess.class);
        for (FileRules.Grant grant : grants) {
            if (grant.path().equals("/")) {
                everywhere.addAll(grant.access());
            }
        }
        EnumSet<FileAccess> handled = EnumSet.complementOf(everywhere);
        List<FileRules.Grant> kernelGrants = new ArrayList<>();
        for (FileRules.Grant grant : grants) {
            EnumSet<FileAccess> access = EnumSet.noneOf(FileAccess.class);
            access.addAll(grant.access());
            access.retainAll(handled);
            if (!access.isEmpty()) {
                kernelGrants.add(new FileRules.Grant(grant.path(), access, grant.ruleId()));
            }
        }
        return new FileRules(handled, kernelGrants);
    }

    /** A path both granted and denied (by a glob matching it) for the same access in one file. */
    private void checkGrantDenyContradictions(PolicyDocument document) {
        for (FileGrant grant : document.fileAllow()) {
            for (Said<String> path : grant.paths()) {
                String expanded = expandQuietly(path.value());
                if (expanded == null || Glob.problem(expanded) != null) {
                    continue;
                }
                byte[] bytes = expanded.getBytes(StandardCharsets.UTF_8);
                for (FileDeny deny : document.fileDeny()) {
                    Set<FileAccess> common = EnumSet.noneOf(FileAccess.class);
                    common.addAll(grant.access());
                    common.retainAll(deny.access());
                    for (Said<String> glob : deny.globs()) {
                        String pattern = expandQuietly(glob.value());
                        if (!common.isEmpty() && pattern != null && Glob.problem(pattern) == null
                                && Glob.compile(pattern).matches(bytes, bytes.length)) {
                            problems.add(glob.at(), "contradictory rules: '" + glob.value() + "' denies " + accessWords(common)
                                    + " on " + expanded + ", which " + path.at() + " grants");
                        }
                    }
                }
            }
        }
    }

    private void fileDeny(CompiledPolicy.Builder out) {
        List<Glob> globs = new ArrayList<>();
        List<int[]> data = new ArrayList<>();
        for (PolicyDocument document : documents) {
            for (FileDeny deny : document.fileDeny()) {
                int id = register(document.name() + "/" + deny.id(), Layer.SUPERVISOR, "glob deny on a path ("
                        + accessWords(deny.access()) + "): needs the canonical path, so open, openat, openat2 and creat"
                        + (deny.access().contains(FileAccess.EXECUTE) ? " (and execve, execveat)" : "")
                        + " are notified and emulated, and so are link, linkat, rename, renameat and renameat2 (a new"
                        + " name for a denied file, or a file put where writing is denied, would slip past the glob);"
                        + " fails with " + errnoName(deny.errno()));
                for (Said<String> glob : deny.globs()) {
                    String expanded = expand(glob);
                    if (expanded == null) {
                        continue;
                    }
                    String problem = Glob.problem(expanded);
                    if (problem != null) {
                        problems.add(glob.at(), problem);
                        continue;
                    }
                    globs.add(Glob.compile(expanded));
                    data.add(new int[] {bits(deny.access()), deny.errno(), id});
                }
            }
        }
        out.denyGlobs = globs.toArray(Glob[]::new);
        out.denyAccess = data.stream().mapToInt(d -> d[0]).toArray();
        out.denyErrno = data.stream().mapToInt(d -> d[1]).toArray();
        out.denyRule = data.stream().mapToInt(d -> d[2]).toArray();
    }

    private void exec(CompiledPolicy.Builder out) {
        List<Glob> globs = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        out.execDenyRule = -1;
        for (PolicyDocument document : documents) {
            ExecRules exec = document.exec();
            if (exec == null) {
                continue;
            }
            int id = register(document.name() + "/" + exec.id(), Layer.SUPERVISOR, "exec allow-list: the supervisor "
                    + "checks the canonical path before execve runs and re-verifies /proc/PID/exe at the new image's first "
                    + "notification (execve cannot be emulated)");
            out.execDenyRule = out.execDenyRule < 0 ? id : out.execDenyRule;
            for (Said<String> glob : exec.globs()) {
                String expanded = expand(glob);
                String problem = expanded == null ? null : Glob.problem(expanded);
                if (problem != null) {
                    problems.add(glob.at(), problem);
                } else if (expanded != null) {
                    globs.add(Glob.compile(expanded));
                    ids.add(id);
                }
            }
        }
        out.execGlobs = globs.toArray(Glob[]::new);
        out.execRule = ids.stream().mapToInt(Integer::intValue).toArray();
    }

    // --- network ---

    private NetworkRules network() {
        boolean restricted = false;
        boolean connectAny = false;
        boolean bindAny = false;
        Set<Integer> connect = new TreeSet<>();
        Set<Integer> bind = new TreeSet<>();
        Map<Integer, Integer> connectRule = new LinkedHashMap<>();
        Map<Integer, Integer> bindRule = new LinkedHashMap<>();
        for (PolicyDocument document : documents) {
            TcpRules tcp = document.tcp();
            if (tcp == null) {
                continue;
            }
            restricted = true;
            int id = register(document.name() + "/" + tcp.id(), Layer.ACCESS_CONTROL, "TCP ports: Landlock holds them in the "
                    + "kernel; connect " + portWords(tcp.connect()) + ", bind " + portWords(tcp.bind()));
            connectAny |= tcp.connect().any();
            bindAny |= tcp.bind().any();
            addPorts(tcp.connect(), connect, connectRule, id);
            addPorts(tcp.bind(), bind, bindRule, id);
        }
        if (!restricted || connectAny && bindAny) {
            return null;
        }
        List<NetworkRules.Grant> grants = new ArrayList<>();
        Set<NetworkRules.Direction> handled = EnumSet.noneOf(NetworkRules.Direction.class);
        if (!connectAny) {
            handled.add(NetworkRules.Direction.CONNECT);
            connect.forEach(port -> grants.add(new NetworkRules.Grant(NetworkRules.Direction.CONNECT, port, connectRule.get(port))));
        }
        if (!bindAny) {
            handled.add(NetworkRules.Direction.BIND);
            bind.forEach(port -> grants.add(new NetworkRules.Grant(NetworkRules.Direction.BIND, port, bindRule.get(port))));
        }
        return new NetworkRules(handled, grants);
    }

    private static void addPorts(PortSet ports, Set<Integer> into, Map<Integer, Integer> rules, int id) {
        for (PortRange range : ports.ranges()) {
            for (int port = range.from(); port <= range.to(); port++) {
                into.add(port);
                rules.putIfAbsent(port, id);
            }
        }
    }

    private static String portWords(PortSet ports) {
        if (ports.any()) {
            return "any port";
        }
        if (ports.ranges().isEmpty()) {
            return "no port";
        }
        return ports.ranges().stream().map(r -> r.from() == r.to() ? String.valueOf(r.from()) : r.from() + "-" + r.to())
                .collect(Collectors.joining(", "));
    }

    // --- tables ---

    /** Builds decide()'s per-number tables and the kernel filter from the same ordered rules. */
    private SyscallFilter tables(CompiledPolicy.Builder out, int defaultRule) {
        out.defaultRule = defaultRule;
        out.supervisorCheck = new byte[NUMBERS];
        boolean openChecks = out.denyGlobs.length > 0;
        if (openChecks) {
            OPEN_FAMILY.forEach(name -> out.supervisorCheck[number(name)] = CompiledPolicy.OPEN_CHECK);
            LINK_FAMILY.forEach(name -> out.supervisorCheck[number(name)] = CompiledPolicy.LINK_CHECK);
        }
        boolean execChecks = out.execDenyRule >= 0 || java.util.Arrays.stream(out.denyAccess).anyMatch(a -> (a & FileAccess.EXECUTE.bit()) != 0);
        if (execChecks) {
            EXEC_FAMILY.forEach(name -> out.supervisorCheck[number(name)] = CompiledPolicy.EXEC_CHECK);
        }
        List<List<FilterRule>> byNumber = new ArrayList<>();
        for (int i = 0; i < NUMBERS; i++) {
            byNumber.add(new ArrayList<>());
        }
        for (FilterRule rule : filterRules) {
            for (int number : rule.numbers()) {
                List<FilterRule> rules = byNumber.get(number);
                boolean reachable = rules.isEmpty() || !rules.getLast().checks().isEmpty();
                if (reachable) {
                    rules.add(rule);
                }
            }
        }
        int entries = byNumber.stream().mapToInt(List::size).sum();
        int checks = byNumber.stream().flatMap(List::stream).mapToInt(r -> r.checks().size()).sum();
        out.entryStart = new int[NUMBERS + 1];
        out.entryCheckStart = new int[entries + 1];
        out.entryOutcome = new byte[entries];
        out.entryErrno = new int[entries];
        out.entryRule = new int[entries];
        out.checkIndex = new int[checks];
        out.checkOp = new byte[checks];
        out.checkValue = new long[checks];
        out.checkMask = new long[checks];
        SyscallFilter.Action defaultAction = kernelAction(out.defaultOutcome, true, false);
        List<SyscallFilter.Rule> kernelRules = new ArrayList<>();
        int entry = 0;
        int check = 0;
        for (int number = 0; number < NUMBERS; number++) {
            out.entryStart[number] = entry;
            boolean supervised = out.supervisorCheck[number] != CompiledPolicy.NO_CHECK;
            List<SyscallFilter.Rule> forNumber = new ArrayList<>();
            for (FilterRule rule : byNumber.get(number)) {
                List<Check> fitted = ArgumentWidths.fit(number, rule.checks());
                out.entryCheckStart[entry] = check;
                out.entryOutcome[entry] = rule.outcome();
                out.entryErrno[entry] = rule.errno();
                out.entryRule[entry] = rule.ruleId();
                for (Check c : fitted) {
                    out.checkIndex[check] = c.index();
                    out.checkOp[check] = (byte) c.op().ordinal();
                    out.checkValue[check] = c.value();
                    out.checkMask[check] = c.mask();
                    check++;
                }
                entry++;
                forNumber.add(new SyscallFilter.Rule(number, fitted, kernelAction(rule.outcome(), rule.audit(), supervised),
                        rule.errno(), rule.ruleId()));
            }
            boolean unconditional = !forNumber.isEmpty() && forNumber.getLast().checks().isEmpty();
            SyscallFilter.Action numberDefault = kernelAction(out.defaultOutcome, true, supervised);
            if (!unconditional && numberDefault != defaultAction) {
                forNumber.add(new SyscallFilter.Rule(number, List.of(), numberDefault, out.defaultErrno, defaultRule));
            }
            // Trailing rules that do what the default does cost instructions and change nothing.
            while (!forNumber.isEmpty() && sameAsDefault(forNumber.getLast(), defaultAction, out.defaultErrno)) {
                forNumber.removeLast();
            }
            kernelRules.addAll(forNumber);
        }
        out.entryStart[NUMBERS] = entry;
        out.entryCheckStart[entries] = check;
        int filterErrno = defaultAction == SyscallFilter.Action.ERRNO ? out.defaultErrno : 0;
        return new SyscallFilter(LinuxX86_64Syscalls.AUDIT_ARCH_X86_64, defaultAction, filterErrno, kernelRules);
    }

    private static boolean sameAsDefault(SyscallFilter.Rule rule, SyscallFilter.Action defaultAction, int defaultErrno) {
        return rule.action() == defaultAction && (defaultAction != SyscallFilter.Action.ERRNO || rule.errno() == defaultErrno);
    }

    /** What the kernel does: the supervisor must see audited denials, observed calls and checked paths. */
    private static SyscallFilter.Action kernelAction(byte outcome, boolean audit, boolean supervised) {
        return switch (outcome) {
            case CompiledPolicy.DENY -> audit ? SyscallFilter.Action.NOTIFY : SyscallFilter.Action.ERRNO;
            case CompiledPolicy.KILL -> audit ? SyscallFilter.Action.NOTIFY : SyscallFilter.Action.KILL;
            case CompiledPolicy.OBSERVE -> SyscallFilter.Action.NOTIFY;
            default -> supervised ? SyscallFilter.Action.NOTIFY : SyscallFilter.Action.ALLOW;
        };
    }

    // --- helpers ---

    /** {@code path} with its variables replaced; reports unknown or unset ones at the path's position. */
    private String expand(Said<String> path) {
        Matcher matcher = VARIABLE.matcher(path.value());
        StringBuilder expanded = new StringBuilder();
        boolean ok = true;
        while (matcher.find()) {
            String variable = matcher.group(1);
            String value = variables.get(variable);
            if (value == null) {
                ok = false;
                Set<String> known = new TreeSet<>(STANDARD_VARIABLES);
                known.addAll(variables.keySet());
                problems.add(path.at(), STANDARD_VARIABLES.contains(variable) ? "${" + variable + "} has no value here"
                        : "unknown variable ${" + variable + "} (known: " + String.join(", ", known) + ")"
                                + Suggestions.didYouMean(variable, known));
                continue;
            }
            if (!value.startsWith("/")) {
                ok = false;
                problems.add(path.at(), "${" + variable + "} is '" + value + "', not an absolute path");
                continue;
            }
            // "${HOME}/.cache" with HOME=/ is /.cache: the root's slash and the path's own are one.
            String trimmed = value.equals("/") && path.value().startsWith("/", matcher.end()) ? ""
                    : value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            matcher.appendReplacement(expanded, Matcher.quoteReplacement(trimmed));
        }
        matcher.appendTail(expanded);
        if (path.value().contains("$") && ok && expanded.indexOf("${") >= 0) {
            problems.add(path.at(), "malformed variable in '" + path.value() + "' (write ${NAME})");
            return null;
        }
        return ok ? expanded.toString() : null;
    }

    /** Like {@link #expand} for checks that must not report twice. */
    private String expandQuietly(String path) {
        Problems ignored = new Problems();
        return new PolicyCompiler(documents, variables, ignored).expand(new Said<>(path, Position.of("")));
    }

    private static int bits(Set<FileAccess> access) {
        int bits = 0;
        for (FileAccess kind : access) {
            bits |= kind.bit();
        }
        return bits;
    }

    private static String accessWords(Set<FileAccess> access) {
        return EnumSet.copyOf(access).stream().map(PolicyParser::word).collect(Collectors.joining("+"));
    }

    private static int number(String name) {
        return LinuxX86_64Syscalls.byName(name).number();
    }
}
