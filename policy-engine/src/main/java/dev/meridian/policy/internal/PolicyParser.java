package dev.meridian.policy.internal;

import dev.meridian.api.FileAccess;
import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.policy.internal.PolicyDocument.Action;
import dev.meridian.policy.internal.PolicyDocument.ExecRules;
import dev.meridian.policy.internal.PolicyDocument.FileDeny;
import dev.meridian.policy.internal.PolicyDocument.FileGrant;
import dev.meridian.policy.internal.PolicyDocument.PortRange;
import dev.meridian.policy.internal.PolicyDocument.PortSet;
import dev.meridian.policy.internal.PolicyDocument.Reference;
import dev.meridian.policy.internal.PolicyDocument.Said;
import dev.meridian.policy.internal.PolicyDocument.SyscallName;
import dev.meridian.policy.internal.PolicyDocument.SyscallRule;
import dev.meridian.policy.internal.PolicyDocument.TcpRules;
import dev.meridian.shim.linux.x86_64.LinuxErrno;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import dev.meridian.shim.linux.x86_64.Support;
import dev.meridian.shim.linux.x86_64.Syscall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the Meridian policy language (POLICY-LANGUAGE.md) into a {@link PolicyDocument}. */
final class PolicyParser {

    static final String VERSION_KEY = "meridian-policy";
    private static final Set<String> TOP = keys(VERSION_KEY, "name", "description", "extends", "syscalls", "files",
            "network", "process", "protections");
    private static final Set<String> SYSCALLS = keys("default", "errno", "rules");
    private static final Set<String> SYSCALL_RULE = keys("id", "name", "names", "action", "errno", "args", "audit");
    private static final Set<String> ARG = keys("index", "op", "value", "mask");
    private static final Set<String> FILES = keys("allow", "deny");
    private static final Set<String> FILE_GRANT = keys("id", "paths", "access");
    private static final Set<String> FILE_DENY = keys("id", "paths", "access", "errno");
    private static final Set<String> NETWORK = keys("tcp", "families");
    private static final Set<String> TCP = keys("connect", "bind");
    private static final Set<String> PROCESS = keys("exec");
    private static final Set<String> PROTECTIONS = new LinkedHashSet<>(Protection.keys());
    private static final Map<String, Comparison> OPS = Map.of("eq", Comparison.EQ, "ne", Comparison.NE,
            "lt", Comparison.LT, "le", Comparison.LE, "gt", Comparison.GT, "ge", Comparison.GE,
            "masked-eq", Comparison.MASKED_EQ);
    private static final Map<String, FileAccess> ACCESS = Map.of("read", FileAccess.READ, "write", FileAccess.WRITE,
            "exec", FileAccess.EXECUTE, "create", FileAccess.CREATE, "delete", FileAccess.DELETE);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final int DEFAULT_DENY_ERRNO = 1; // EPERM
    static final int DEFAULT_PATH_ERRNO = 13; // EACCES

    private final YamlReader yaml;
    private String name;

    private PolicyParser(YamlReader yaml) {
        this.yaml = yaml;
    }

    /** The document of {@code root}, or null when it is too broken to use (problems say why). */
    static PolicyDocument parse(YamlReader yaml, Node root, String defaultName) {
        return new PolicyParser(yaml).document(root, defaultName);
    }

    private PolicyDocument document(Node root, String defaultName) {
        Map<String, Node> top = yaml.mapping(root, "a policy", TOP);
        if (top == null) {
            return null;
        }
        Node version = top.get(VERSION_KEY);
        if (version == null) {
            yaml.problem(root, "missing '" + VERSION_KEY + ": 1' (the language version) at the top");
        } else {
            Long number = yaml.integer(version, VERSION_KEY);
            if (number != null && number != 1) {
                yaml.problem(version, "unsupported policy language version " + number + " (this engine reads 1)");
            }
        }
        name = defaultName;
        if (top.containsKey("name")) {
            String written = yaml.string(top.get("name"), "name");
            if (written != null && !NAME.matcher(written).matches()) {
                yaml.problem(top.get("name"), "name '" + written + "' may hold only letters, digits, '.', '_' and '-'");
            } else if (written != null) {
                name = written;
            }
        }
        String description = top.containsKey("description") ? yaml.string(top.get("description"), "description") : null;
        List<Reference> extendsList = new ArrayList<>();
        if (top.containsKey("extends")) {
            for (Node item : stringsOrOne(top.get("extends"), "extends")) {
                String target = yaml.string(item, "an extends entry");
                if (target != null) {
                    extendsList.add(new Reference(target, yaml.at(item)));
                }
            }
        }
        Said<Action> syscallDefault = null;
        Said<Integer> syscallErrno = null;
        List<SyscallRule> rules = new ArrayList<>();
        Map<String, Node> syscalls = section(top, "syscalls", SYSCALLS);
        if (syscalls != null) {
            if (syscalls.containsKey("default")) {
                Action action = action(syscalls.get("default"), "syscalls.default");
                syscallDefault = action == null ? null : new Said<>(action, yaml.at(syscalls.get("default")));
            }
            if (syscalls.containsKey("errno")) {
                Integer errno = errno(yaml, syscalls.get("errno"), "syscalls.errno");
                syscallErrno = errno == null ? null : new Said<>(errno, yaml.at(syscalls.get("errno")));
            }
            if (syscalls.containsKey("rules")) {
                List<Node> items = yaml.sequence(syscalls.get("rules"), "syscalls.rules");
                for (int i = 0; items != null && i < items.size(); i++) {
                    SyscallRule rule = syscallRule(items.get(i), i);
                    if (rule != null) {
                        rules.add(rule);
                    }
                }
            }
        }
        List<FileGrant> allow = null;
        List<FileDeny> deny = new ArrayList<>();
        Map<String, Node> files = section(top, "files", FILES);
        if (files != null) {
            if (files.containsKey("allow")) {
                allow = new ArrayList<>();
                List<Node> items = yaml.sequence(files.get("allow"), "files.allow");
                for (int i = 0; items != null && i < items.size(); i++) {
                    FileGrant grant = fileGrant(items.get(i), i);
                    if (grant != null) {
                        allow.add(grant);
                    }
                }
            }
            if (files.containsKey("deny")) {
                List<Node> items = yaml.sequence(files.get("deny"), "files.deny");
                for (int i = 0; items != null && i < items.size(); i++) {
                    FileDeny rule = fileDeny(items.get(i), i);
                    if (rule != null) {
                        deny.add(rule);
                    }
                }
            }
        }
        TcpRules tcp = null;
        Said<List<Integer>> families = null;
        Map<String, Node> network = section(top, "network", NETWORK);
        if (network != null) {
            if (network.containsKey("tcp")) {
                tcp = tcp(network.get("tcp"));
            }
            if (network.containsKey("families")) {
                families = families(network.get("families"));
            }
        }
        ExecRules exec = null;
        Map<String, Node> process = section(top, "process", PROCESS);
        if (process != null && process.containsKey("exec")) {
            exec = new ExecRules("process/exec", yaml.at(process.get("exec")), paths(process.get("exec"), "process.exec"));
        }
        Map<Protection, Said<Boolean>> protections = new EnumMap<>(Protection.class);
        Map<String, Node> said = section(top, "protections", PROTECTIONS);
        if (said != null) {
            said.forEach((key, value) -> {
                String word = yaml.string(value, "protections." + key);
                if ("deny".equals(word) || "allow".equals(word)) {
                    protections.put(Protection.byKey(key), new Said<>("deny".equals(word), yaml.at(value)));
                } else if (word != null) {
                    yaml.problem(value, "protections." + key + " must be deny or allow, not '" + word + "'");
                }
            });
        }
        checkUniqueIds(rules, allow, deny);
        return new PolicyDocument(name, description, yaml.file(), extendsList, syscallDefault, syscallErrno, rules,
                allow, deny, tcp, families, exec, protections, List.of());
    }

    private Map<String, Node> section(Map<String, Node> top, String key, Set<String> known) {
        Node node = top.get(key);
        return node == null ? null : yaml.mapping(node, key, known);
    }

    private SyscallRule syscallRule(Node node, int index) {
        String what = "syscalls.rules[" + index + "]";
        Map<String, Node> rule = yaml.mapping(node, what, SYSCALL_RULE);
        if (rule == null) {
            return null;
        }
        String id = id(rule, "syscalls/" + index);
        List<SyscallName> names = new ArrayList<>();
        if (rule.containsKey("name") && rule.containsKey("names")) {
            yaml.problem(rule.get("names"), what + " has both 'name' and 'names': write one");
        } else if (rule.containsKey("name")) {
            addSyscall(yaml, rule.get("name"), names);
        } else if (rule.containsKey("names")) {
            List<Node> items = yaml.sequence(rule.get("names"), what + ".names");
            if (items != null && items.isEmpty()) {
                yaml.problem(rule.get("names"), what + ".names is empty");
            }
            for (Node item : items == null ? List.<Node>of() : items) {
                addSyscall(yaml, item, names);
            }
        } else {
            yaml.problem(node, what + " names no system call: add 'name' or 'names'");
        }
        Action action = null;
        if (!rule.containsKey("action")) {
            yaml.problem(node, what + " has no 'action' (allow, deny, kill, log or notify)");
        } else {
            action = action(rule.get("action"), what + ".action");
        }
        int errno = DEFAULT_DENY_ERRNO;
        if (rule.containsKey("errno")) {
            if (action != null && action != Action.DENY) {
                yaml.problem(rule.get("errno"), "'errno' goes with action deny only, not " + action.word());
            }
            Integer written = errno(yaml, rule.get("errno"), what + ".errno");
            errno = written == null ? errno : written;
        }
        boolean audit = true;
        if (rule.containsKey("audit")) {
            if (action != null && action != Action.DENY && action != Action.KILL) {
                yaml.problem(rule.get("audit"), "'audit' goes with deny and kill only, not " + action.word());
            }
            Boolean written = yaml.bool(rule.get("audit"), what + ".audit");
            audit = written == null || written;
        }
        List<Check> checks = new ArrayList<>();
        if (rule.containsKey("args")) {
            List<Node> items = yaml.sequence(rule.get("args"), what + ".args");
            for (int i = 0; items != null && i < items.size(); i++) {
                Check check = check(items.get(i), what + ".args[" + i + "]", names);
                if (check != null) {
                    checks.add(check);
                }
            }
        }
        if (action == null || names.isEmpty() && !rule.containsKey("name") && !rule.containsKey("names")) {
            return null;
        }
        return new SyscallRule(id, yaml.at(node), names, action, errno, checks, audit, List.of());
    }

    private Check check(Node node, String what, List<SyscallName> names) {
        Map<String, Node> arg = yaml.mapping(node, what, ARG);
        if (arg == null) {
            return null;
        }
        for (String required : List.of("index", "op", "value")) {
            if (!arg.containsKey(required)) {
                yaml.problem(node, what + " has no '" + required + "'");
                return null;
            }
        }
        Long index = yaml.integer(arg.get("index"), what + ".index");
        if (index != null && (index < 0 || index > 5)) {
            yaml.problem(arg.get("index"), what + ".index " + index + " is not a register argument (0..5)");
            index = null;
        }
        if (index != null) {
            for (SyscallName name : names) {
                Syscall call = LinuxX86_64Syscalls.byNumber(name.number());
                if (call.support() != Support.ABSENT && index >= call.argCount()) {
                    yaml.problem(arg.get("index"), what + ".index " + index + ": " + call.name() + " takes "
                            + call.argCount() + " argument" + (call.argCount() == 1 ? "" : "s"));
                }
            }
        }
        String opWord = yaml.string(arg.get("op"), what + ".op");
        Comparison op = opWord == null ? null : OPS.get(opWord);
        if (opWord != null && op == null) {
            yaml.problem(arg.get("op"), "unknown op '" + opWord + "' (eq ne lt le gt ge masked-eq)"
                    + Suggestions.didYouMean(opWord, OPS.keySet()));
        }
        Long value = argValue(arg.get("value"), what + ".value");
        long mask = 0;
        if (arg.containsKey("mask")) {
            if (op != null && op != Comparison.MASKED_EQ) {
                yaml.problem(arg.get("mask"), "'mask' goes with op masked-eq only");
            }
            Long written = argValue(arg.get("mask"), what + ".mask");
            mask = written == null ? 0 : written;
        } else if (op == Comparison.MASKED_EQ) {
            yaml.problem(node, what + ": op masked-eq needs a 'mask'");
            return null;
        }
        if (index == null || op == null || value == null) {
            return null;
        }
        return new Check(index.intValue(), op, value, mask);
    }

    private Long argValue(Node node, String what) {
        if (YamlReader.isInteger(node)) {
            return yaml.integer(node, what);
        }
        String constant = yaml.string(node, what);
        if (constant == null) {
            return null;
        }
        Long value = Constants.ARG_VALUES.get(constant);
        if (value == null) {
            yaml.problem(node, "unknown constant '" + constant + "' in " + what + " (write a number)"
                    + Suggestions.didYouMean(constant, Constants.ARG_VALUES.keySet()));
        }
        return value;
    }

    /** What an entry of files.allow and of files.deny both have: its keys, id, paths and access. */
    private record PathRule(Map<String, Node> keys, String id, List<Said<String>> paths, Set<FileAccess> access) {
    }

    private PathRule pathRule(Node node, String list, int index, Set<String> knownKeys) {
        String what = "files." + list + "[" + index + "]";
        Map<String, Node> keys = yaml.mapping(node, what, knownKeys);
        if (keys == null) {
            return null;
        }
        String id = id(keys, "files/" + list + "/" + index);
        List<Said<String>> paths = required(keys, node, what, "paths") ? paths(keys.get("paths"), what + ".paths") : List.of();
        Set<FileAccess> access = required(keys, node, what, "access") ? access(keys.get("access"), what + ".access") : Set.of();
        return new PathRule(keys, id, paths, access);
    }

    private FileGrant fileGrant(Node node, int index) {
        PathRule grant = pathRule(node, "allow", index, FILE_GRANT);
        if (grant == null) {
            return null;
        }
        for (Said<String> path : grant.paths()) {
            if (Glob.isGlob(path.value())) {
                yaml.problems().add(path.at(), "'" + path.value() + "': files.allow takes paths, not globs "
                        + "(Landlock grants whole trees); use files.deny for globs");
            }
        }
        return new FileGrant(grant.id(), yaml.at(node), grant.paths(), grant.access());
    }

    private FileDeny fileDeny(Node node, int index) {
        String what = "files.deny[" + index + "]";
        PathRule rule = pathRule(node, "deny", index, FILE_DENY);
        if (rule == null) {
            return null;
        }
        Map<String, Node> deny = rule.keys();
        for (FileAccess kind : rule.access()) {
            if (kind == FileAccess.CREATE || kind == FileAccess.DELETE) {
                yaml.problem(deny.get("access"), what + ": " + word(kind) + " cannot be denied by glob (the supervisor "
                        + "verifies opens and execs only); leave it out of files.allow instead");
            }
        }
        int errno = DEFAULT_PATH_ERRNO;
        if (deny.containsKey("errno")) {
            Integer written = errno(yaml, deny.get("errno"), what + ".errno");
            errno = written == null ? errno : written;
        }
        return new FileDeny(rule.id(), yaml.at(node), rule.paths(), rule.access(), errno);
    }

    private TcpRules tcp(Node node) {
        Map<String, Node> tcp = yaml.mapping(node, "network.tcp", TCP);
        if (tcp == null) {
            return null;
        }
        PortSet connect = tcp.containsKey("connect") ? ports(tcp.get("connect"), "network.tcp.connect") : PortSet.NONE;
        PortSet bind = tcp.containsKey("bind") ? ports(tcp.get("bind"), "network.tcp.bind") : PortSet.NONE;
        return new TcpRules("network/tcp", yaml.at(node), connect, bind);
    }

    private PortSet ports(Node node, String what) {
        if (!YamlReader.isInteger(node) && node instanceof org.snakeyaml.engine.v2.nodes.ScalarNode) {
            String word = yaml.string(node, what);
            if ("any".equals(word)) {
                return new PortSet(true, List.of());
            }
            if (word != null) {
                yaml.problem(node, what + " must be 'any' or a list of ports and ranges like \"8000-8010\"");
            }
            return PortSet.NONE;
        }
        List<Node> items = yaml.sequence(node, what);
        List<PortRange> ranges = new ArrayList<>();
        for (Node item : items == null ? List.<Node>of() : items) {
            PortRange range = portRange(item, what);
            if (range != null) {
                ranges.add(range);
            }
        }
        return new PortSet(false, ranges);
    }

    private PortRange portRange(Node node, String what) {
        if (YamlReader.isInteger(node)) {
            Long port = yaml.integer(node, "a port");
            return port == null ? null : checkedRange(node, port, port);
        }
        String text = yaml.string(node, "a port of " + what);
        if (text == null) {
            return null;
        }
        String[] bounds = text.split("-", -1);
        Long from = bounds.length == 2 ? YamlReader.parseInteger(bounds[0].strip()) : null;
        Long to = bounds.length == 2 ? YamlReader.parseInteger(bounds[1].strip()) : null;
        if (from == null || to == null) {
            yaml.problem(node, "'" + text + "' is neither a port nor a range like \"8000-8010\"");
            return null;
        }
        return checkedRange(node, from, to);
    }

    private PortRange checkedRange(Node node, long from, long to) {
        if (from < 0 || to > 65535 || from > to) {
            yaml.problem(node, "port range " + from + "-" + to + " is outside 0-65535 or reversed");
            return null;
        }
        return new PortRange((int) from, (int) to);
    }

    private Said<List<Integer>> families(Node node) {
        List<Integer> numbers = new ArrayList<>();
        for (Node item : stringsOrOne(node, "network.families")) {
            if (YamlReader.isInteger(item)) {
                Long number = yaml.integer(item, "a family");
                if (number != null) {
                    numbers.add(number.intValue());
                }
                continue;
            }
            String word = yaml.string(item, "a socket family");
            Integer number = word == null ? null : Constants.FAMILIES.get(word);
            if (word != null && number == null) {
                yaml.problem(item, "unknown socket family '" + word + "'"
                        + Suggestions.didYouMean(word, Constants.FAMILIES.keySet()));
            } else if (number != null) {
                numbers.add(number);
            }
        }
        return new Said<>(numbers, yaml.at(node));
    }

    private List<Said<String>> paths(Node node, String what) {
        List<Said<String>> paths = new ArrayList<>();
        for (Node item : stringsOrOne(node, what)) {
            String path = yaml.string(item, "a path in " + what);
            if (path != null) {
                paths.add(new Said<>(path, yaml.at(item)));
            }
        }
        return paths;
    }

    private Set<FileAccess> access(Node node, String what) {
        Set<FileAccess> access = EnumSet.noneOf(FileAccess.class);
        for (Node item : stringsOrOne(node, what)) {
            String word = yaml.string(item, "an access kind");
            FileAccess kind = word == null ? null : ACCESS.get(word);
            if (word != null && kind == null) {
                yaml.problem(item, "unknown access '" + word + "' (read write exec create delete)"
                        + Suggestions.didYouMean(word, ACCESS.keySet()));
            } else if (kind != null) {
                access.add(kind);
            }
        }
        if (access.isEmpty()) {
            yaml.problem(node, what + " names no access kind");
        }
        return access;
    }

    private Action action(Node node, String what) {
        String word = yaml.string(node, what);
        if (word == null) {
            return null;
        }
        for (Action action : Action.values()) {
            if (action.word().equals(word)) {
                return action;
            }
        }
        List<String> words = Arrays.stream(Action.values()).map(Action::word).toList();
        yaml.problem(node, "unknown action '" + word + "' (allow, deny, kill, log, notify)" + Suggestions.didYouMean(word, words));
        return null;
    }

    private String id(Map<String, Node> entries, String fallback) {
        if (!entries.containsKey("id")) {
            return fallback;
        }
        String id = yaml.string(entries.get("id"), "id");
        if (id != null && !NAME.matcher(id).matches()) {
            yaml.problem(entries.get("id"), "id '" + id + "' may hold only letters, digits, '.', '_' and '-'");
        }
        return id == null ? fallback : id;
    }

    private boolean required(Map<String, Node> entries, Node node, String what, String key) {
        if (!entries.containsKey(key)) {
            yaml.problem(node, what + " has no '" + key + "'");
            return false;
        }
        return true;
    }

    /** A list, or one scalar standing for a list of one. */
    private List<Node> stringsOrOne(Node node, String what) {
        if (node instanceof org.snakeyaml.engine.v2.nodes.ScalarNode) {
            return List.of(node);
        }
        List<Node> items = yaml.sequence(node, what);
        return items == null ? List.of() : items;
    }

    private void checkUniqueIds(List<SyscallRule> rules, List<FileGrant> allow, List<FileDeny> deny) {
        Map<String, Position> seen = new HashMap<>();
        List<Map.Entry<String, Position>> ids = new ArrayList<>();
        rules.forEach(rule -> ids.add(Map.entry(rule.id(), rule.at())));
        (allow == null ? List.<FileGrant>of() : allow).forEach(grant -> ids.add(Map.entry(grant.id(), grant.at())));
        deny.forEach(rule -> ids.add(Map.entry(rule.id(), rule.at())));
        for (Map.Entry<String, Position> id : ids) {
            Position first = seen.putIfAbsent(id.getKey(), id.getValue());
            if (first != null) {
                yaml.problems().add(id.getValue(), "rule id '" + id.getKey() + "' is used twice (first at " + first + ")");
            }
        }
    }

    // --- shared with the Docker import ---

    /** Resolves a syscall name node; reports unknown names with the closest known one. */
    static void addSyscall(YamlReader yaml, Node node, List<SyscallName> names) {
        String written = yaml.string(node, "a system call name");
        if (written == null) {
            return;
        }
        Syscall call = LinuxX86_64Syscalls.byName(written);
        if (call == null) {
            yaml.problem(node, "unknown system call '" + written + "' on x86-64" + Suggestions.didYouMean(written, syscallNames()));
            return;
        }
        names.add(new SyscallName(call.name(), call.number(), yaml.at(node)));
    }

    static List<String> syscallNames() {
        return LinuxX86_64Syscalls.all().stream().map(Syscall::name).toList();
    }

    /** An errno by name (EPERM) or number (1..4095). */
    static Integer errno(YamlReader yaml, Node node, String what) {
        if (YamlReader.isInteger(node)) {
            Long number = yaml.integer(node, what);
            if (number != null && (number < 1 || number > 4095)) {
                yaml.problem(node, what + " " + number + " is not an errno (1..4095)");
                return null;
            }
            return number == null ? null : number.intValue();
        }
        String name = yaml.string(node, what);
        if (name == null) {
            return null;
        }
        int number = LinuxErrno.number(name);
        if (number < 0) {
            List<String> known = java.util.stream.IntStream.rangeClosed(1, LinuxErrno.MAX)
                    .mapToObj(LinuxErrno::name).filter(java.util.Objects::nonNull).toList();
            yaml.problem(node, "unknown errno '" + name + "'" + Suggestions.didYouMean(name, known));
            return null;
        }
        return number;
    }

    static String word(FileAccess access) {
        return ACCESS.entrySet().stream().filter(e -> e.getValue() == access).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private static Set<String> keys(String... keys) {
        return Arrays.stream(keys).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
