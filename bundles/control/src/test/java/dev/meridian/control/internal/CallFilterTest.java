package dev.meridian.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The filters of the events and trace streams: how query parameters are read and refused, and what they pass. */
class CallFilterTest {

    /** A shim's name table, which is all the filter asks of it. */
    private static final NorthShim SHIM = new NorthShim() {
        private final Map<String, Integer> numbers = Map.of("read", 0, "openat", 257, "getppid", 110);

        @Override
        public String personality() {
            return "names";
        }

        @Override
        public boolean handles(int abi) {
            return true;
        }

        @Override
        public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String syscallName(int number) {
            return null;
        }

        @Override
        public int syscallNumber(String name) {
            return numbers.getOrDefault(name, -1);
        }

        @Override
        public String render(JournalEntry entry) {
            return "";
        }
    };

    @Test
    void noParametersPassEveryCallAnsweredOrNot() {
        CallFilter filter = CallFilter.parse(Set.of(), null, null, List.of());
        assertTrue(filter.matches(entry(1, VerdictAction.DENY), "openat"));
        assertTrue(filter.matches(entry(1, null), "read"));
    }

    @Test
    void systemCallsAndVerdictsAreCommaListsOfKnownNames() {
        CallFilter filter = CallFilter.parse(Set.of(7L), "openat, getppid", "deny,kill", List.of(SHIM));
        assertEquals(Set.of("openat", "getppid"), filter.syscalls());
        assertEquals(Set.of(VerdictAction.DENY, VerdictAction.KILL), filter.verdicts());
        assertTrue(filter.matches(entry(7, VerdictAction.DENY), "openat"));
        assertFalse(filter.matches(entry(7, VerdictAction.ALLOW), "openat"), "another verdict");
        assertFalse(filter.matches(entry(7, VerdictAction.DENY), "read"), "another system call");
        assertFalse(filter.matches(entry(8, VerdictAction.DENY), "openat"), "another sandbox");
        assertFalse(filter.matches(entry(7, null), "openat"), "a call not answered has no verdict yet");
    }

    @Test
    void unknownNamesAreRefusedByName() {
        ApiException unknown = assertThrows(ApiException.class,
                () -> CallFilter.parse(Set.of(), "openat,opnat,getpid2", null, List.of(SHIM)));
        assertEquals(400, unknown.status());
        assertEquals("syscall names system calls no shim knows: opnat, getpid2", unknown.getMessage());
        assertEquals("syscall", unknown.details().get("field"));

        ApiException verdict = assertThrows(ApiException.class,
                () -> CallFilter.parse(Set.of(), null, "deny,maybe", List.of(SHIM)));
        assertEquals("verdict takes allow, deny, emulate or kill, not 'maybe'", verdict.getMessage());
        assertEquals("verdict", verdict.details().get("field"));

        ApiException empty = assertThrows(ApiException.class,
                () -> CallFilter.parse(Set.of(), "openat,", null, List.of(SHIM)));
        assertEquals("syscall takes a comma list without empty items, not 'openat,'", empty.getMessage());
    }

    @Test
    void systemCallNamesNeedAShim() {
        ApiException noShim = assertThrows(ApiException.class,
                () -> CallFilter.parse(Set.of(), "openat", null, List.of()));
        assertEquals(503, noShim.status());
    }

    private static JournalEntry entry(long sandbox, VerdictAction action) {
        return new JournalEntry(sandbox, 1, 0, 2, 2, 0xC000003E, 257, new long[6], new byte[6][], new boolean[6],
                action != null, action, 0, null, false, false, 0, 0);
    }
}
