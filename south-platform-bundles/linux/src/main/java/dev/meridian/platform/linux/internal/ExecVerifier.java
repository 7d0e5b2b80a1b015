package dev.meridian.platform.linux.internal;

import dev.meridian.api.FileAccess;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.util.Arrays;

/**
 * The exec allow-list's enforcement (design §2): execve cannot be emulated, so it is the one call
 * answered CONTINUE after a decision on guest memory, and made safe by checking twice.
 * <ol>
 *   <li>Before: the platform resolves the program path the shim captured as the kernel would
 *       (in the guest's view, following symlinks) and asks the policy about its canonical path
 *       with {@link FileAccess#EXECUTE}. Denied: the call gets the errno. Allowed: the canonical
 *       path is remembered for the thread group, and the call continues.</li>
 *   <li>After: the kernel reads the path again from guest memory, which another thread (or a
 *       process sharing the memory) may have rewritten in between. So at the thread group's next
 *       notification the platform reads {@code /proc/<tid>/exe}: the approved program passes; any
 *       other is put to the policy, and if it is not allowed either, the sandbox is killed with
 *       the policy's rule in the journal (verdict KILL on that call).</li>
 * </ol>
 * The second check only happens at a notification: a new image that makes no notified call is
 * never verified. The filter of a policy with an exec allow-list must therefore notify a call
 * every program makes early (see the report to the lead: e.g. brk, arch_prctl, mmap).
 *
 * <p>A different program that the policy allows is accepted without a kill: it could have been
 * exec'd directly (it is also what a script's interpreter looks like). Such an entry stays
 * pending until the thread that called execve makes another call, because a notification from
 * another thread of the group may come before the exec completed. Exec'd programs that were
 * unlinked in between ({@code "... (deleted)"}, e.g. memfds) are never allowed.
 *
 * <p>Entries live in fixed arrays (no allocation); when all are in use, an execve is refused
 * with EAGAIN rather than left unverified.
 */
final class ExecVerifier {

    private static final int SLOTS = 16;
    private static final int EXECUTE = FileAccess.EXECUTE.bit();
    private static final int FREE = 0;

    private final GuestPaths paths;
    private final int[] groups = new int[SLOTS];
    private final int[] callers = new int[SLOTS];
    private final byte[][] approved = new byte[SLOTS][GuestPaths.PATH_MAX + 1];
    private final int[] approvedLength = new int[SLOTS];
    private final byte[] running = new byte[GuestPaths.PATH_MAX + 1];
    private int pending;

    ExecVerifier(GuestPaths paths) {
        this.paths = paths;
    }

    static boolean handles(int number) {
        return number == LinuxSyscalls.SYS_EXECVE || number == LinuxSyscalls.SYS_EXECVEAT;
    }

    /**
     * Decides an execve or execveat whose ALLOW verdict looked at guest memory.
     *
     * @return true if the call may continue (it is then pending verification); false with the
     *     verdict to answer set on the call
     */
    boolean approve(SyscallEvent call, SyscallGateway gateway, int tid, int tgid) {
        boolean at = call.number() == LinuxSyscalls.SYS_EXECVEAT;
        int pathArg = at ? 1 : 0;
        int dirfd = at ? (int) call.arg(0) : LinuxSyscalls.AT_FDCWD;
        int atFlags = at ? (int) call.arg(4) : 0;
        if (!call.hasCapture(pathArg)) {
            return fail(call, LinuxSyscalls.EFAULT);
        }
        if (call.captureTruncated(pathArg)) {
            return fail(call, LinuxSyscalls.ENAMETOOLONG);
        }
        byte[] data = call.captureData();
        int offset = call.captureOffset(pathArg);
        int length = call.captureLength(pathArg);
        if (length == 0 && (atFlags & LinuxSyscalls.AT_EMPTY_PATH) == 0) {
            return fail(call, LinuxSyscalls.ENOENT);
        }
        int prepared = paths.prepare(tid, tgid, dirfd, length > 0 && data[offset] == '/');
        try {
            if (prepared < 0) {
                return fail(call, -prepared);
            }
            int program = length == 0 ? paths.base() : paths.lookup(data, offset, length,
                    (atFlags & LinuxSyscalls.AT_SYMLINK_NOFOLLOW) != 0 ? LinuxSyscalls.O_NOFOLLOW : 0, 0);
            if (program < 0) {
                return fail(call, -program);
            }
            int existing = slotOf(tgid);
            int slot = existing >= 0 ? existing : freeSlot();
            int canonical = paths.canonical(program, slot < 0 ? running : approved[slot]);
            if (program != paths.base()) {
                LinuxSyscalls.close(program);
            }
            if (canonical < 0) {
                return fail(call, -canonical);
            }
            gateway.decideResolvedPath(call, slot < 0 ? running : approved[slot], canonical, EXECUTE);
            if (call.action() != VerdictAction.ALLOW) {
                return false;
            }
            if (slot < 0) {
                call.verdict(VerdictAction.DENY, LinuxSyscalls.EAGAIN, call.ruleId(), true);
                return false;
            }
            groups[slot] = tgid;
            callers[slot] = tid;
            approvedLength[slot] = canonical;
            if (existing < 0) {
                pending++;
            }
            return true;
        } finally {
            paths.release();
        }
    }

    /**
     * Checks the program of the thread group that made {@code call}, if an approved exec of it is
     * pending. Runs after the policy gave {@code call} its own verdict, which it keeps unless the
     * program is not allowed: then the verdict becomes KILL with the rule that denied it.
     *
     * @return true if the sandbox must be killed
     */
    boolean verify(SyscallEvent call, SyscallGateway gateway, int tid, int tgid) {
        if (pending == 0) {
            return false;
        }
        int slot = slotOf(tgid);
        if (slot < 0) {
            return false;
        }
        int length;
        try {
            int prepared = paths.prepare(tid, tgid, LinuxSyscalls.AT_FDCWD, true);
            int program = prepared < 0 ? prepared : paths.executable();
            if (program == -LinuxSyscalls.ESRCH) {
                return false; // the task is gone; its call will not be answered either
            }
            length = program < 0 ? program : paths.canonical(program, running);
            if (program >= 0) {
                LinuxSyscalls.close(program);
            }
        } finally {
            paths.release();
        }
        if (length == approvedLength[slot] && Arrays.equals(running, 0, length, approved[slot], 0, length)) {
            forgetSlot(slot);
            return false;
        }
        VerdictAction action = call.action();
        int errno = call.errno();
        int ruleId = call.ruleId();
        boolean memoryDependent = call.memoryDependent();
        if (length > 0) {
            gateway.decideResolvedPath(call, running, length, EXECUTE);
        } else {
            call.verdict(VerdictAction.DENY, -length, ruleId, true); // no path to decide on: fail closed
        }
        if (call.action() != VerdictAction.ALLOW) {
            call.verdict(VerdictAction.KILL, 0, call.ruleId(), true);
            forgetSlot(slot);
            return true;
        }
        call.verdict(action, errno, ruleId, memoryDependent);
        if (tid == callers[slot]) {
            forgetSlot(slot);
        }
        return false;
    }

    /** The thread group ended. */
    void forget(int tgid) {
        if (pending > 0) {
            int slot = slotOf(tgid);
            if (slot >= 0) {
                forgetSlot(slot);
            }
        }
    }

    private boolean fail(SyscallEvent call, int errno) {
        call.verdict(VerdictAction.EMULATE, 0, call.ruleId(), true);
        call.result(-errno);
        return false;
    }

    private int slotOf(int tgid) {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (groups[slot] == tgid) {
                return slot;
            }
        }
        return -1;
    }

    private int freeSlot() {
        return slotOf(FREE);
    }

    private void forgetSlot(int slot) {
        groups[slot] = FREE;
        pending--;
    }
}
