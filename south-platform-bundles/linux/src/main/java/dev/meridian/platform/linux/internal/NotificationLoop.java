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
 * the kernel refuses an answer, the whole sandbox is killed.
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
    /** Set once the loop killed the sandbox: the gateway is not called again. */
    private boolean broken;
    private Throwable failure;

    /** @param arena confined to the supervisor thread, which is the only caller of {@link #run} */
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

        if (!broken) {
            try {
                gateway.onCall(event, memory);
            } catch (Throwable t) {
                failed(t);
            }
        }
        answer(id);
        if (abi == LinuxSyscalls.AUDIT_ARCH_X86_64) {
            if (number == LinuxSyscalls.SYS_EXIT) {
                threadGroups.threadExited(tid);
            } else if (number == LinuxSyscalls.SYS_EXIT_GROUP) {
                threadGroups.groupExited(tgid);
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

    private void answer(long id) {
        long value = 0;
        int error = 0;
        int flags = 0;
        VerdictAction action = broken ? null : event.action();
        if (action == VerdictAction.ALLOW) {
            if (event.memoryDependent()) {
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
