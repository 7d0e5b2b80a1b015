package dev.meridian.policy.internal;

import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls;
import java.nio.charset.StandardCharsets;

/** Test helpers: run a policy's guest-path decisions on made-up calls. */
final class Calls {

    private Calls() {
    }

    static SyscallEvent call(String name, long... args) {
        SyscallEvent call = new SyscallEvent();
        set(call, LinuxX86_64Syscalls.byName(name).number(), args);
        return call;
    }

    static void set(SyscallEvent call, int number, long... args) {
        call.reset(1, 100, LinuxX86_64Syscalls.AUDIT_ARCH_X86_64, number, 0);
        for (int i = 0; i < args.length; i++) {
            call.arg(i, args[i]);
        }
    }

    static SyscallEvent decide(Policy policy, String name, long... args) {
        SyscallEvent call = call(name, args);
        policy.decide(call);
        return call;
    }

    /** decide, then (for EMULATE) decideResolvedPath as the platform would. */
    static SyscallEvent open(Policy policy, String path, int access) {
        SyscallEvent call = decide(policy, "openat");
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        policy.decideResolvedPath(call, bytes, bytes.length, access);
        return call;
    }
}
