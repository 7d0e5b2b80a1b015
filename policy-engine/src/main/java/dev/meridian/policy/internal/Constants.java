package dev.meridian.policy.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Symbolic values a policy may write instead of numbers (x86-64 Linux values). */
final class Constants {

    /** {@code network.families} words and the AF_ number each stands for. */
    static final Map<String, Integer> FAMILIES = new LinkedHashMap<>();

    /** Names usable as register-argument values in syscall rules. */
    static final Map<String, Long> ARG_VALUES = new LinkedHashMap<>();

    static {
        family("unix", 1);
        family("inet", 2);
        family("ax25", 3);
        family("ipx", 4);
        family("appletalk", 5);
        family("x25", 9);
        family("inet6", 10);
        family("key", 15);
        family("netlink", 16);
        family("packet", 17);
        family("rds", 21);
        family("can", 29);
        family("tipc", 30);
        family("bluetooth", 31);
        family("alg", 38);
        family("vsock", 40);
        family("kcm", 41);
        family("qipcrtr", 42);
        family("smc", 43);
        family("xdp", 44);
        family("mctp", 45);
        ARG_VALUES.put("AF_LOCAL", 1L);
        value("CLONE_NEWNS", 0x00020000L);
        value("CLONE_NEWCGROUP", 0x02000000L);
        value("CLONE_NEWUTS", 0x04000000L);
        value("CLONE_NEWIPC", 0x08000000L);
        value("CLONE_NEWUSER", 0x10000000L);
        value("CLONE_NEWPID", 0x20000000L);
        value("CLONE_NEWNET", 0x40000000L);
        value("PR_SET_SECCOMP", 22L);
        value("PR_SET_NO_NEW_PRIVS", 38L);
        value("SOCK_STREAM", 1L);
        value("SOCK_DGRAM", 2L);
        value("SOCK_RAW", 3L);
        value("O_RDONLY", 0L);
        value("O_WRONLY", 1L);
        value("O_RDWR", 2L);
        value("O_CREAT", 0100L);
        value("O_TRUNC", 01000L);
        value("TIOCSTI", 0x5412L);
    }

    private Constants() {
    }

    private static void family(String word, int number) {
        FAMILIES.put(word, number);
        ARG_VALUES.put("AF_" + word.toUpperCase(java.util.Locale.ROOT), (long) number);
    }

    private static void value(String name, long value) {
        ARG_VALUES.put(name, value);
    }
}
