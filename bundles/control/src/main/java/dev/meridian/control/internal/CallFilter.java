package dev.meridian.control.internal;

import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.VerdictAction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which journaled calls a live stream sends (the {@code events} and {@code trace} WebSockets): by sandbox, by system
 * call name and by verdict. An empty set matches everything; a call not answered yet has no verdict, so a verdict
 * filter drops it.
 */
record CallFilter(Set<Long> sandboxes, Set<String> syscalls, Set<VerdictAction> verdicts) {

    static final CallFilter ALL = new CallFilter(Set.of(), Set.of(), Set.of());

    CallFilter {
        sandboxes = Set.copyOf(sandboxes);
        syscalls = Set.copyOf(syscalls);
        verdicts = Set.copyOf(verdicts);
    }

    /**
     * The filter of query parameters {@code syscall} and {@code verdict} (comma lists, null for none): every name must
     * be one a running shim knows, every verdict one of allow, deny, emulate, kill; else 400 naming them.
     */
    static CallFilter parse(Set<Long> sandboxes, String syscallList, String verdictList, List<NorthShim> shims) {
        Set<String> syscalls = new LinkedHashSet<>();
        if (syscallList != null) {
            if (shims.isEmpty()) {
                throw ApiException.unavailable("no North shim is running to know system call names by");
            }
            List<String> unknown = new ArrayList<>();
            for (String name : items("syscall", syscallList)) {
                if (shims.stream().noneMatch(shim -> shim.syscallNumber(name) >= 0)) {
                    unknown.add(name);
                }
                syscalls.add(name);
            }
            if (!unknown.isEmpty()) {
                String calls = unknown.size() == 1 ? "a system call" : "system calls";
                throw ApiException.badRequest("syscall names " + calls + " no shim knows: " + String.join(", ", unknown))
                        .with("field", "syscall");
            }
        }
        Set<VerdictAction> verdicts = new LinkedHashSet<>();
        if (verdictList != null) {
            for (String verdict : items("verdict", verdictList)) {
                verdicts.add(verdict(verdict));
            }
        }
        return new CallFilter(sandboxes, syscalls, verdicts);
    }

    /** Whether the stream sends {@code entry}, whose system call is named {@code syscall}. */
    boolean matches(JournalEntry entry, String syscall) {
        return (sandboxes.isEmpty() || sandboxes.contains(entry.sandboxId()))
                && (syscalls.isEmpty() || syscalls.contains(syscall))
                && (verdicts.isEmpty() || (entry.completed() && verdicts.contains(entry.action())));
    }

    /** The items of a comma list, each trimmed; none may be empty. */
    static List<String> items(String parameter, String list) {
        List<String> items = new ArrayList<>();
        for (String item : list.split(",", -1)) {
            String trimmed = item.strip();
            if (trimmed.isEmpty()) {
                throw ApiException.badRequest(parameter + " takes a comma list without empty items, not '" + list
                        + "'").with("field", parameter);
            }
            items.add(trimmed);
        }
        return items;
    }

    private static VerdictAction verdict(String name) {
        List<String> names = new ArrayList<>();
        for (VerdictAction action : VerdictAction.values()) {
            String known = action.name().toLowerCase(Locale.ROOT);
            if (known.equals(name)) {
                return action;
            }
            names.add(known);
        }
        throw ApiException.badRequest("verdict takes " + String.join(", ", names.subList(0, names.size() - 1))
                + " or " + names.getLast() + ", not '" + name + "'").with("field", "verdict");
    }
}
