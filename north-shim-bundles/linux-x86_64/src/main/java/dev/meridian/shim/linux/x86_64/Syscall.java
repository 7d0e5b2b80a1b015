package dev.meridian.shim.linux.x86_64;

import java.util.List;

/**
 * One x86-64 system call as the shim knows it.
 *
 * @param number the system call number ({@code rax})
 * @param name the kernel's name for it, as in {@code syscall_64.tbl}
 * @param support how far the shim decodes it
 * @param hazard why a default policy should restrict it, or {@link Hazard#NONE}
 * @param returnsAddress whether a successful result is an address (shown in hex)
 * @param args what each argument register means, in register order
 */
public record Syscall(int number, String name, Support support, Hazard hazard, boolean returnsAddress,
        List<ArgKind> args) {

    public Syscall {
        args = List.copyOf(args);
        if (args.size() > 6) {
            throw new IllegalArgumentException(name + ": more than six arguments");
        }
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).lengthInNextArgument() && !isLength(i + 1 < args.size() ? args.get(i + 1) : null)) {
                throw new IllegalArgumentException(name + ": argument " + i + " (" + args.get(i)
                        + ") must be followed by its length");
            }
        }
        Support described = describedSupport(args);
        if (support != Support.ABSENT && support != described) {
            throw new IllegalArgumentException(name + " is declared " + support + " but its arguments make it "
                    + described);
        }
        if (support == Support.ABSENT && !args.isEmpty()) {
            throw new IllegalArgumentException(name + " is absent from the kernel; it has no arguments to decode");
        }
    }

    private static boolean isLength(ArgKind kind) {
        return kind == ArgKind.SIZE || kind == ArgKind.UINT || kind == ArgKind.INT;
    }

    private static Support describedSupport(List<ArgKind> args) {
        for (ArgKind kind : args) {
            if (!kind.decoded()) {
                return Support.PARTIAL;
            }
        }
        return Support.DECODED;
    }

    /** This call, marked with {@code hazard}. */
    public Syscall flagged(Hazard hazard) {
        return new Syscall(number, name, support, hazard, returnsAddress, args);
    }

    /** This call, with a result that is an address. */
    public Syscall returningAddress() {
        return new Syscall(number, name, support, hazard, true, args);
    }

    public int argCount() {
        return args.size();
    }

    /** The kind of argument {@code index}, or {@code null} past the last argument. */
    public ArgKind arg(int index) {
        return index < args.size() ? args.get(index) : null;
    }
}
