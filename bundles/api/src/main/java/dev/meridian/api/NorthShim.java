package dev.meridian.api;

/**
 * A guest personality: knows one system call ABI (numbers, argument kinds, flag names) and turns
 * raw registers into a typed, decoded call. An OSGi service; several may be registered, one
 * per ABI.
 */
public interface NorthShim {

    /** E.g. {@code linux-x86_64}. */
    String personality();

    /** Whether this shim serves calls made through the ABI identified by {@code abi}. */
    boolean handles(int abi);

    /**
     * Serves one call on the guest path: captures the memory arguments the call's kind needs
     * (paths, strings, socket addresses, bounded buffers) into {@code call}, then asks
     * {@code policy} for the verdict. Must not allocate, lock or log.
     */
    void handle(SyscallEvent call, GuestMemory memory, Policy policy);

    /** The system call's name, or {@code null} if {@code number} is not defined by the ABI. */
    String syscallName(int number);

    /** The number of the named system call, or -1 when the ABI has none by that name. */
    int syscallNumber(String name);

    /**
     * Renders one journaled call as a line of an strace-like trace (no trailing newline):
     * {@code openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3}. Off the guest path.
     */
    String render(JournalEntry entry);
}
