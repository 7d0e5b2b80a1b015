package dev.meridian.policy.internal;

import dev.meridian.api.FileAccess;
import dev.meridian.api.SyscallFilter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One policy file or built-in profile as written, before composition: what the language of
 * POLICY-LANGUAGE.md says, with the position of each part for error messages. Paths and globs are
 * kept as written; {@code ${VAR}}s are expanded when the composition is compiled.
 *
 * @param name the policy's name: the prefix of its rule names
 * @param origin the file (or {@code profile:NAME}) it was read from
 * @param extendsList profiles or files composed before this one
 * @param syscallDefault the default action, or null when this policy does not say
 * @param syscallErrno the default deny's errno, or null when this policy does not say
 * @param fileAllow the allow-list, or null when this policy has no {@code files.allow}
 * @param tcp the TCP port rules, or null when this policy has no {@code network.tcp}
 * @param families the allowed socket families, or null when this policy does not say
 * @param exec the exec allow-list, or null when this policy has none
 * @param protections what this policy says of each protection: true = on (deny)
 * @param notes what an import left out and why, for {@code policy explain}
 */
record PolicyDocument(
        String name,
        String description,
        String origin,
        List<Reference> extendsList,
        Said<Action> syscallDefault,
        Said<Integer> syscallErrno,
        List<SyscallRule> syscallRules,
        List<FileGrant> fileAllow,
        List<FileDeny> fileDeny,
        TcpRules tcp,
        Said<List<Integer>> families,
        ExecRules exec,
        Map<Protection, Said<Boolean>> protections,
        List<String> notes) {

    PolicyDocument {
        extendsList = List.copyOf(extendsList);
        syscallRules = List.copyOf(syscallRules);
        fileAllow = fileAllow == null ? null : List.copyOf(fileAllow);
        fileDeny = List.copyOf(fileDeny);
        protections = Map.copyOf(protections);
        notes = List.copyOf(notes);
    }

    /** A value and where it was said. */
    record Said<T>(T value, Position at) {
    }

    /** An {@code extends} entry: a profile name or a path relative to the policy's file. */
    record Reference(String target, Position at) {
    }

    /** The actions a syscall rule or default may take. */
    enum Action {
        ALLOW, DENY, KILL, LOG, NOTIFY;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A system call named in a rule, resolved to its x86-64 number. */
    record SyscallName(String name, int number, Position at) {
    }

    /**
     * @param audit deny/kill: notify the supervisor so the journal records the rule id
     * @param skipped names the rule gave that x86-64 does not have (Docker import only)
     */
    record SyscallRule(String id, Position at, List<SyscallName> names, Action action, int errno,
            List<SyscallFilter.Check> args, boolean audit, List<String> skipped) {
        SyscallRule {
            names = List.copyOf(names);
            args = List.copyOf(args);
            skipped = List.copyOf(skipped);
        }
    }

    record FileGrant(String id, Position at, List<Said<String>> paths, Set<FileAccess> access) {
        FileGrant {
            paths = List.copyOf(paths);
            access = Set.copyOf(access);
        }
    }

    record FileDeny(String id, Position at, List<Said<String>> globs, Set<FileAccess> access, int errno) {
        FileDeny {
            globs = List.copyOf(globs);
            access = Set.copyOf(access);
        }
    }

    /** An inclusive port range. */
    record PortRange(int from, int to) {
    }

    /** The ports one direction allows: any, or the listed ranges (none when empty). */
    record PortSet(boolean any, List<PortRange> ranges) {
        PortSet {
            ranges = List.copyOf(ranges);
        }

        static final PortSet NONE = new PortSet(false, List.of());
    }

    record TcpRules(String id, Position at, PortSet connect, PortSet bind) {
    }

    record ExecRules(String id, Position at, List<Said<String>> globs) {
        ExecRules {
            globs = List.copyOf(globs);
        }
    }
}
