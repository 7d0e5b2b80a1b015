package dev.meridian.platform.linux.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One sandbox's guest path: waits on the listener, receives each notification, hands it to the
 * gateway and answers the kernel with the verdict. Runs on the sandbox's supervisor thread; all
 * native memory, the event and the memory reader are allocated once, so serving a call
 * allocates nothing once the JIT compiled the loop, takes no lock and logs nothing. (Until then,
 * and after a deoptimization, the FFM errno capture allocates a small slice per native call;
 * SupervisorPerformanceTest measures the compiled steady state.)
 *
 * <p>Fail closed: a call without a usable verdict, or an ALLOW that looked at guest memory
 * (which the guest could rewrite after the check), is answered EPERM; when the gateway throws or
 * the kernel refuses an answer, the whole sandbox is killed. Two verdicts on guest memory are
 * served here instead: EMULATE of an open-family call ({@link OpenEmulator}: the supervisor opens
 * the file and injects the fd), EMULATE of a link or rename ({@link LinkEmulator}: the supervisor
 * makes the call) and ALLOW of an execve, the one call continued after a memory check
 * because {@link ExecVerifier} checks the program that actually runs at the next notification.
 * Any other EMULATE is answered EPERM.
 */
final class NotificationLoop {

    private final int listenerFd;
    private final SyscallGateway gateway;
    private final LinuxGuest guest;
    private final MemorySegment callState;
    private final MemorySegment pollFd;
    private final MemorySegment notification;
    private final MemorySegment response;
    private final SyscallEvent event = new SyscallEvent();
    private final ProcessMemory memory;
    private final ThreadGroups threadGroups;
    private final OpenEmulator opens;
    private final LinkEmulator links;
    private final ExecVerifier execs;
    /** Set once the loop killed the sandbox: the gateway is not called again. */
    private boolean broken;
    private Throwable failure;

    /**
     * Made on the supervisor thread, which alone calls {@link #run}: that thread gets a umask of
     * its own (see {@link OpenEmulator}).
     *
     * @param arena confined to the supervisor thread
     */
    NotificationLoop(Arena arena, int listenerFd, SyscallGateway gateway, LinuxGuest guest) {
        this.listenerFd = listenerFd;
        this.gateway = gateway;
        this.guest = guest;
        this.callState = arena.allocate(LinuxSyscalls.CALL_STATE);
        this.pollFd = arena.allocate(LinuxSyscalls.POLLFD);
        this.notification = arena.allocate(LinuxSyscalls.SECCOMP_NOTIF);
        this.response = arena.allocate(LinuxSyscalls.SECCOMP_NOTIF_RESP);
        this.memory = new ProcessMemory(arena, listenerFd);
        this.threadGroups = new ThreadGroups(arena, callState);
        GuestPaths paths = new GuestPaths(arena, callState, memory);
        GuestCredentials credentials = new GuestCredentials(arena, callState);
        this.opens = new OpenEmulator(arena, callState, listenerFd, paths, credentials);
        this.links = new LinkEmulator(arena, callState, paths, credentials);
        this.execs = new ExecVerifier(paths);
        pollFd.set(JAVA_INT, LinuxSyscalls.POLLFD_FD, listenerFd);
        pollFd.set(JAVA_SHORT, LinuxSyscalls.POLLFD_EVENTS, LinuxSyscalls.POLLIN);
        event.sandboxId(gateway.sandboxId());
    }

    /**
     * Serves calls until no guest task is left (POLLHUP: the kernel reports it once the last
     * task that holds the filter was reaped).
     */
    void run() {
        for (;;) {
            int events = awaitEvents();
            if ((events & LinuxSyscalls.POLLIN) != 0) {
                serveOne();
            } else if ((events & LinuxSyscalls.POLLHUP) != 0) {
                return;
            } else {
                failed(new IllegalStateException(events < 0
                        ? LinuxSyscalls.describe("poll on the seccomp listener", -events)
                        : "seccomp listener reported poll events 0x" + Integer.toHexString(events)));
                return;
            }
        }
    }

    /**
     * The listener's poll events, or -errno. A method of its own, called per call, so the JIT
     * compiles it whole and the errno capture inside the downcall does not allocate.
     */
    private int awaitEvents() {
        while (LinuxSyscalls.poll(callState, pollFd, 1, -1) < 0) {
            int errno = LinuxSyscalls.errno(callState);
            if (errno != LinuxSyscalls.EINTR) {
                return -errno;
            }
        }
        return pollFd.get(JAVA_SHORT, LinuxSyscalls.POLLFD_REVENTS);
    }

    /** What made the loop kill the sandbox, or null. */
    Throwable failure() {
        return failure;
    }

    private void serveOne() {
        // The kernel refuses (EINVAL) a receive buffer that is not zeroed.
        notification.fill((byte) 0);
        if (LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_RECV, notification) < 0) {
            int errno = LinuxSyscalls.errno(callState);
            // ENOENT: the task died before we received its call. Back to poll, which blocks
            // until a call or the end arrives; retrying RECV here would spin.
            if (errno != LinuxSyscalls.ENOENT && errno != LinuxSyscalls.EINTR) {
                failed(new IllegalStateException(LinuxSyscalls.describe("SECCOMP_IOCTL_NOTIF_RECV", errno)));
            }
            return;
        }
        long id = notification.get(JAVA_LONG, LinuxSyscalls.NOTIF_ID);
        int tid = notification.get(JAVA_INT, LinuxSyscalls.NOTIF_PID);
        int number = notification.get(JAVA_INT, LinuxSyscalls.NOTIF_NR);
        int abi = notification.get(JAVA_INT, LinuxSyscalls.NOTIF_ARCH);
        event.reset(id, tid, abi, number, notification.get(JAVA_LONG, LinuxSyscalls.NOTIF_IP));
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            event.arg(i, notification.get(JAVA_LONG, LinuxSyscalls.NOTIF_ARGS + 8L * i));
        }
        int tgid = threadGroups.of(tid);
        event.pid(tgid);
        event.tid(tid);
        memory.bind(tid, id);

        int served = ANSWER_VERDICT;
        if (!broken) {
            try {
                gateway.onCall(event, memory);
                if (abi == LinuxSyscalls.AUDIT_ARCH_X86_64) {
                    served = serveMemoryVerdict(number, tid, tgid);
                }
            } catch (Throwable t) {
                failed(t);
                served = ANSWER_VERDICT;
            }
        }
        if (served == ANSWERED) {
            guest.countAnswered();
        } else if (served != DROPPED) {
            answer(id, served == CONTINUE_EXEC);
        }
        if (abi == LinuxSyscalls.AUDIT_ARCH_X86_64) {
            if (number == LinuxSyscalls.SYS_EXIT) {
                threadGroups.threadExited(tid);
            } else if (number == LinuxSyscalls.SYS_EXIT_GROUP) {
                threadGroups.groupExited(tgid);
                execs.forget(tgid);
            }
        }
        event.completed();
        if (!broken) {
            try {
                gateway.onCompletion(event);
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    /** How a call was served: the verdict still to be answered, or already answered. */
    private static final int ANSWER_VERDICT = 0;
    private static final int ANSWERED = 1;
    private static final int DROPPED = 2;
    private static final int CONTINUE_EXEC = 3;

    /**
     * The verdicts that need the supervisor beyond an answer: the exec re-verification of the
     * calling thread group, EMULATE of an open, a link or a rename, and ALLOW of an execve after a
     * memory check.
     */
    private int serveMemoryVerdict(int number, int tid, int tgid) {
        if (execs.verify(event, gateway, tid, tgid)) {
            return ANSWER_VERDICT; // now KILL
        }
        VerdictAction action = event.action();
        if (action == VerdictAction.EMULATE && OpenEmulator.handles(number)) {
            if (opens.emulate(event, gateway, tid, tgid)) {
                return event.interrupted() ? DROPPED : ANSWERED;
            }
        } else if (action == VerdictAction.EMULATE && LinkEmulator.handles(number)) {
            links.emulate(event, gateway, tid, tgid);
        } else if (action == VerdictAction.ALLOW && event.memoryDependent() && ExecVerifier.handles(number)) {
            return execs.approve(event, gateway, tid, tgid) ? CONTINUE_EXEC : ANSWER_VERDICT;
        }
        return ANSWER_VERDICT;
    }

    /** @param approvedExec an execve {@link ExecVerifier} approved: continued despite the memory check */
    private void answer(long id, boolean approvedExec) {
        long value = 0;
        int error = 0;
        int flags = 0;
        VerdictAction action = broken ? null : event.action();
        if (action == VerdictAction.ALLOW) {
            if (event.memoryDependent() && !approvedExec) {
                // The guest could rewrite the memory after the check: never continue.
                error = -LinuxSyscalls.EPERM;
                guest.countRefusedMemoryDependentAllow();
            } else {
                flags = LinuxSyscalls.SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            }
        } else if (action == VerdictAction.DENY) {
            int errno = event.errno();
            error = errno > 0 && errno <= LinuxSyscalls.MAX_ERRNO ? -errno : -LinuxSyscalls.EPERM;
        } else if (action == VerdictAction.EMULATE && event.resultKnown()) {
            long result = event.returnValue();
            if (result < 0 && result >= -LinuxSyscalls.MAX_ERRNO) {
                error = (int) result;
            } else {
                value = result;
            }
        } else if (action == VerdictAction.KILL) {
            guest.kill();
            error = -LinuxSyscalls.EPERM;
        } else {
            error = -LinuxSyscalls.EPERM;
            guest.countFailClosedAnswer();
        }
        response.set(JAVA_LONG, LinuxSyscalls.RESP_ID, id);
        response.set(JAVA_LONG, LinuxSyscalls.RESP_VAL, value);
        response.set(JAVA_INT, LinuxSyscalls.RESP_ERROR, error);
        response.set(JAVA_INT, LinuxSyscalls.RESP_FLAGS, flags);
        if (LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_SEND, response) < 0) {
            int errno = LinuxSyscalls.errno(callState);
            event.interrupted(true);
            // ENOENT: the guest abandoned the call (a signal, or it died). Anything else leaves
            // the guest waiting forever: end the sandbox.
            if (errno != LinuxSyscalls.ENOENT) {
                failed(new IllegalStateException(LinuxSyscalls.describe("SECCOMP_IOCTL_NOTIF_SEND", errno)));
            }
            return;
        }
        guest.countAnswered();
        if (flags == 0) {
            event.result(error != 0 ? error : value);
        }
    }

    private void failed(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        broken = true;
        guest.kill();
    }
}
