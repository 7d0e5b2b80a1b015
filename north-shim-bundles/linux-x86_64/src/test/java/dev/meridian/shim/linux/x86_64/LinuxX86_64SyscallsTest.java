package dev.meridian.shim.linux.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LinuxX86_64SyscallsTest {

    /** Debian 12's headers (Linux 6.1); the table is for 6.18, so it may know more. */
    private static final Path UNISTD_64 = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    private static final Pattern DEFINE = Pattern.compile("#define __NR_(\\w+)\\s+(\\d+)");

    @Test
    void everyCallInTheInstalledHeadersHasTheSameNumber() throws IOException {
        Map<String, Integer> header = new LinkedHashMap<>();
        Matcher define = DEFINE.matcher(Files.readString(UNISTD_64));
        while (define.find()) {
            header.put(define.group(1), Integer.parseInt(define.group(2)));
        }
        assertTrue(header.size() > 350, "parsed only " + header.size() + " calls from " + UNISTD_64);
        List<String> wrong = new ArrayList<>();
        header.forEach((name, number) -> {
            Syscall syscall = LinuxX86_64Syscalls.byName(name);
            if (syscall == null || syscall.number() != number) {
                wrong.add(name + " is " + number + " in the header, " + (syscall == null ? "missing" : syscall.number())
                        + " in the table");
            }
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void numbersAreDenseExceptWhereTheKernelHasNone() {
        List<Integer> missing = new ArrayList<>();
        for (int number = 0; number <= LinuxX86_64Syscalls.MAX_NUMBER; number++) {
            if (LinuxX86_64Syscalls.byNumber(number) == null) {
                missing.add(number);
            }
        }
        List<Integer> reserved = new ArrayList<>();
        for (int number = 337; number <= 423; number++) {
            reserved.add(number);
        }
        assertEquals(reserved, missing, "only 337..423 are unused on x86-64 (Linux 6.18)");
        assertEquals(LinuxX86_64Syscalls.MAX_NUMBER + 1 - reserved.size(), LinuxX86_64Syscalls.all().size());
    }

    @Test
    void numbersAndNamesAreUniqueAndListedInOrder() {
        int previous = -1;
        Map<String, Integer> names = new TreeMap<>();
        for (Syscall syscall : LinuxX86_64Syscalls.all()) {
            assertTrue(syscall.number() > previous, syscall.name() + " is out of order");
            previous = syscall.number();
            assertNull(names.put(syscall.name(), syscall.number()), syscall.name() + " is listed twice");
            assertSame(syscall, LinuxX86_64Syscalls.byNumber(syscall.number()));
            assertSame(syscall, LinuxX86_64Syscalls.byName(syscall.name()));
        }
    }

    @Test
    void knowsTheCallsNewerThanTheInstalledHeaders() {
        Map<String, Integer> newer = new LinkedHashMap<>();
        newer.put("cachestat", 451);
        newer.put("fchmodat2", 452);
        newer.put("map_shadow_stack", 453);
        newer.put("futex_wake", 454);
        newer.put("futex_wait", 455);
        newer.put("futex_requeue", 456);
        newer.put("statmount", 457);
        newer.put("listmount", 458);
        newer.put("lsm_get_self_attr", 459);
        newer.put("lsm_set_self_attr", 460);
        newer.put("lsm_list_modules", 461);
        newer.put("mseal", 462);
        newer.put("setxattrat", 463);
        newer.put("getxattrat", 464);
        newer.put("listxattrat", 465);
        newer.put("removexattrat", 466);
        newer.put("open_tree_attr", 467);
        newer.put("file_getattr", 468);
        newer.put("file_setattr", 469);
        newer.put("uretprobe", 335);
        newer.put("uprobe", 336);
        newer.forEach((name, number) -> assertEquals(number, LinuxX86_64Syscalls.byName(name).number(), name));
    }

    @Test
    void callsWithoutAKernelImplementationAreAbsent() {
        for (String name : List.of("uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module",
                "nfsservctl", "getpmsg", "putpmsg", "afs_syscall", "tuxcall", "security", "set_thread_area",
                "get_thread_area", "lookup_dcookie", "epoll_ctl_old", "epoll_wait_old", "vserver")) {
            assertEquals(Support.ABSENT, LinuxX86_64Syscalls.byName(name).support(), name);
        }
        long absent = LinuxX86_64Syscalls.all().stream().filter(s -> s.support() == Support.ABSENT).count();
        assertEquals(17, absent);
    }

    @Test
    void describesTheArgumentsOfCommonCalls() {
        assertEquals(List.of(ArgKind.DIRFD, ArgKind.PATH, ArgKind.OPEN_FLAGS, ArgKind.MODE),
                LinuxX86_64Syscalls.byName("openat").args());
        assertEquals(List.of(ArgKind.PATH, ArgKind.STRING_ARRAY, ArgKind.ENVIRONMENT),
                LinuxX86_64Syscalls.byName("execve").args());
        assertEquals(List.of(ArgKind.FD, ArgKind.SOCKADDR, ArgKind.UINT), LinuxX86_64Syscalls.byName("connect").args());
        assertEquals(Support.DECODED, LinuxX86_64Syscalls.byName("openat").support());
        assertEquals(Support.PARTIAL, LinuxX86_64Syscalls.byName("writev").support());
        assertTrue(LinuxX86_64Syscalls.byName("mmap").returnsAddress());
        assertEquals(Hazard.UNSUPERVISED_IO, LinuxX86_64Syscalls.byName("io_uring_setup").hazard());
        assertEquals(Hazard.FILTER_STACKING, LinuxX86_64Syscalls.byName("seccomp").hazard());
        assertEquals(Hazard.OTHER_PROCESSES, LinuxX86_64Syscalls.byName("ptrace").hazard());
        assertEquals(Hazard.NONE, LinuxX86_64Syscalls.byName("read").hazard());
    }

    @Test
    void everyArgumentKindIsUsedByACall() {
        Set<ArgKind> unused = EnumSet.allOf(ArgKind.class);
        LinuxX86_64Syscalls.all().forEach(syscall -> unused.removeAll(syscall.args()));
        assertEquals(Set.of(), unused);
    }

    @Test
    void lookupsOutsideTheTableFindNothing() {
        assertNull(LinuxX86_64Syscalls.byNumber(-1));
        assertNull(LinuxX86_64Syscalls.byNumber(400));
        assertNull(LinuxX86_64Syscalls.byNumber(470));
        assertNull(LinuxX86_64Syscalls.byNumber(0x40000000));
        assertNull(LinuxX86_64Syscalls.byName("listns"));
        assertNotNull(LinuxX86_64Syscalls.byName("newfstatat"));
        assertEquals(0xC000003E, LinuxX86_64Syscalls.AUDIT_ARCH_X86_64);
    }

    @Test
    void aLineCannotClaimMoreThanItsArgumentsDecode() {
        IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
                () -> new Syscall(20, "writev", Support.DECODED, Hazard.NONE, false,
                        List.of(ArgKind.FD, ArgKind.IN_PTR, ArgKind.INT)));
        assertTrue(partial.getMessage().contains("PARTIAL"), partial.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Syscall(1, "write", Support.DECODED, Hazard.NONE,
                false, List.of(ArgKind.FD, ArgKind.BUF_IN)));
    }
}
