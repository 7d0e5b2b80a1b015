package dev.meridian.platform.linux.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A test double of the syscall bus (not of the kernel): records every call and answers ALLOW
 * unless a hook set another verdict; with a policy, asks it as the bus would (after the hook, which
 * then plays the shim's part of capturing memory). Fields are written on the supervisor thread and
 * read after the guest's exit completed.
 */
final class RecordingGateway extends TestGateway {

    record Call(int pid, int tid, int number, long[] args, VerdictAction action, int ruleId, boolean interrupted,
            boolean resultKnown, long returnValue) {
    }

    /** One {@link #decideResolvedPath} question and the policy's answer. */
    record Resolved(String path, int access, VerdictAction action, int errno, int ruleId) {
    }

    private final BiConsumer<SyscallEvent, GuestMemory> hook;
    private final Policy policy;
    final List<Call> calls = new ArrayList<>();
    final List<Resolved> resolved = new ArrayList<>();
    volatile long firstCallNanos;
    volatile ExitStatus exitStatus;
    volatile long exitAnsweredCalls = -1;
    volatile int exits;
    volatile int closes;
    volatile boolean callAfterExit;
    volatile String supervisorThread;

    RecordingGateway() {
        this((call, memory) -> { });
    }

    /** @param hook runs first on each call; it may set the verdict */
    RecordingGateway(BiConsumer<SyscallEvent, GuestMemory> hook) {
        this(hook, null);
    }

    /** @param policy decides every call after the hook ran */
    RecordingGateway(BiConsumer<SyscallEvent, GuestMemory> hook, Policy policy) {
        this.hook = hook;
        this.policy = policy;
    }



    @Override
    public void onCall(SyscallEvent call, GuestMemory memory) {
        if (firstCallNanos == 0) {
            firstCallNanos = System.nanoTime();
            supervisorThread = Thread.currentThread().getName();
        }
        if (exits > 0) {
            callAfterExit = true;
        }
        hook.accept(call, memory);
        if (policy != null) {
            policy.decide(call);
        }
        if (call.action() == null) {
            call.verdict(VerdictAction.ALLOW, 0, -1, false);
        }
    }

    /** Without a policy: denied (EPERM), as a bus fails closed. */
    @Override
    public void decideResolvedPath(SyscallEvent call, byte[] path, int length, int access) {
        if (policy == null) {
            call.verdict(VerdictAction.DENY, LinuxSyscalls.EPERM, -1, true);
        } else {
            policy.decideResolvedPath(call, path, length, access);
        }
        resolved.add(new Resolved(new String(path, 0, length, StandardCharsets.UTF_8), access, call.action(),
                call.errno(), call.ruleId()));
    }

    @Override
    public void onCompletion(SyscallEvent call) {
        long[] args = new long[SyscallEvent.MAX_ARGS];
        for (int i = 0; i < args.length; i++) {
            args[i] = call.arg(i);
        }
        calls.add(new Call(call.pid(), call.tid(), call.number(), args, call.action(), call.ruleId(),
                call.interrupted(),
                call.resultKnown(), call.returnValue()));
    }

    @Override
    public void onExit(ExitStatus status, long answeredCalls) {
        exitStatus = status;
        exitAnsweredCalls = answeredCalls;
        exits++;
    }

    @Override
    public void close() {
        closes++;
    }

    List<Call> callsOf(int pid) {
        return calls.stream().filter(call -> call.pid() == pid).toList();
    }
}
