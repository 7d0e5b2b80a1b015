package dev.meridian.shim.linux.x86_64.internal;

import dev.meridian.api.GuestMemory;
import dev.meridian.api.JournalEntry;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import dev.meridian.shim.linux.x86_64.Syscall;
import org.osgi.service.component.annotations.Component;

/**
 * The Linux x86-64 personality: captures each notified call's memory arguments as its kind in
 * {@link LinuxX86_64Syscalls} says, asks the policy, and renders journaled calls as strace does.
 * Stateless, so one instance serves every supervisor thread.
 */
@Component(service = NorthShim.class)
public final class LinuxX86_64Shim implements NorthShim {

    public static final String PERSONALITY = "linux-x86_64";

    @Override
    public String personality() {
        return PERSONALITY;
    }

    @Override
    public boolean handles(int abi) {
        return abi == LinuxX86_64Syscalls.AUDIT_ARCH_X86_64;
    }

    @Override
    public void handle(SyscallEvent call, GuestMemory memory, Policy policy) {
        // Under another ABI the numbers mean other calls: reading memory by this table could mislead.
        if (handles(call.abi())) {
            GuestCapture.capture(call, memory);
        }
        policy.decide(call);
    }

    @Override
    public String syscallName(int number) {
        Syscall syscall = LinuxX86_64Syscalls.byNumber(number);
        return syscall == null ? null : syscall.name();
    }

    @Override
    public int syscallNumber(String name) {
        Syscall syscall = LinuxX86_64Syscalls.byName(name);
        return syscall == null ? -1 : syscall.number();
    }

    @Override
    public String render(JournalEntry entry) {
        return CallRenderer.render(entry);
    }
}
