package dev.meridian.platform.linux.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestStdio;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.Stdio;
import dev.meridian.api.SyscallGateway;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One sandbox's supervisor thread, from start to end: writes the helper's config, starts the
 * helper, takes the guest's seccomp listener, runs the {@link NotificationLoop}, and reports
 * the end to the gateway.
 *
 * <p>The helper is started from this thread, not the caller's, because PR_SET_PDEATHSIG fires
 * when the <em>thread</em> that created the helper ends: this thread lives exactly as long as
 * the sandbox.
 */
final class SandboxSupervisor implements Runnable {

    private static final System.Logger LOG = System.getLogger(SandboxSupervisor.class.getName());
    private static final long REPORT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long LISTENER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** After the helper, the init: the kernel kills and reaps the namespace's tasks before the init exits. */
    private static final int NAMESPACE_GONE_TIMEOUT_MILLIS = 5_000;
    private static final String SECCOMP_LISTENER_LINK = "anon_inode:seccomp notify";

    private final Path helperPath;
    private final Path runtimeBase;
    private final SandboxSpec spec;
    private final IsolationPlan isolation;
    private final SyscallGateway gateway;
    private final SeccompProgram filter;
    private final LandlockRuleset landlock;
    private final CompletableFuture<LinuxGuest> started = new CompletableFuture<>();
    /** Made by the start, released once the helper is gone; only this thread touches it. */
    private SandboxResources resources;
    /** The guest's pseudo-terminal ({@link Stdio#TTY}), closed once the helper is gone; or null. */
    private GuestTerminal terminal;

    private SandboxSupervisor(Path helperPath, Path runtimeBase, SandboxSpec spec, IsolationPlan isolation,
            SyscallGateway gateway, SeccompProgram filter, LandlockRuleset landlock) {
        this.helperPath = helperPath;
        this.runtimeBase = runtimeBase;
        this.spec = spec;
        this.isolation = isolation;
        this.gateway = gateway;
        this.filter = filter;
        this.landlock = landlock;
    }

    /**
     * Starts the sandbox's supervisor thread and returns once the guest runs under it: its first
     * call (the execve of the program) is then waiting for the gateway.
     *
     * @param helperPath the meridian-exec binary
     * @param runtimeBase where the private per-sandbox runtime directory is created
     * @param filter the guest's seccomp program
     * @param landlock the guest's Landlock ruleset, or null for none
     * @throws SandboxException naming why the guest could not be started; the gateway is then
     *     untouched and still the caller's to close
     */
    static LinuxGuest start(Path helperPath, Path runtimeBase, SandboxSpec spec, IsolationPlan isolation,
            SyscallGateway gateway, SeccompProgram filter, LandlockRuleset landlock) throws SandboxException {
        SandboxSupervisor supervisor = new SandboxSupervisor(helperPath, runtimeBase, spec, isolation, gateway,
                filter, landlock);
        Thread.ofPlatform()
                .name("meridian-supervisor-" + SandboxIds.format(gateway.sandboxId()))
                .daemon()
                .start(supervisor);
        try {
            return supervisor.started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SandboxException cause) {
                throw cause;
            }
            throw new SandboxException("cannot start the sandbox: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void run() {
        LinuxGuest guest = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = arena.allocate(LinuxSyscalls.CALL_STATE);
            MemorySegment readBuffer = arena.allocate(4096);
            HelperReport report = new HelperReport();
            Startup startup = new Startup(arena, callState, readBuffer, report);
            int listenerFd;
            try {
                listenerFd = startup.run();
            } catch (Throwable t) {
                startup.abandon();
                throw t;
            }
            guest = startup.guest;
            started.complete(guest);
            supervise(arena, listenerFd, guest);
            ExitStatus status = awaitEnd(guest, report, callState, readBuffer, startup.fifoFd);
            LinuxSyscalls.close(listenerFd);
            LinuxSyscalls.close(startup.fifoFd);
            guest.cpu().sampleLast();
            guest.cpu().finish(report.cpuNanos);
            // The helper has exited, so the sandbox's terminal, layers and cgroup are no longer in use.
            releaseTerminal();
            resources.release();
            endGateway(status, guest.answeredCalls());
            guest.release();
            guest.complete(status);
        } catch (Throwable t) {
            if (guest == null) {
                started.completeExceptionally(t);
            } else {
                // A bug after the start: leave no guest running and no waiter hanging.
                LOG.log(System.Logger.Level.ERROR, "supervisor of sandbox " + SandboxIds.format(gateway.sandboxId())
                        + " failed", t);
                guest.kill();
                guest.helper().onExit().join();
                guest.cpu().finish(-1);
                releaseTerminal();
                resources.release();
                guest.release();
                guest.fail(t);
            }
        }
    }

    private void releaseTerminal() {
        if (terminal != null) {
            terminal.release();
        }
    }

    private void supervise(Arena arena, int listenerFd, LinuxGuest guest) {
        Throwable failure;
        try {
            NotificationLoop loop = new NotificationLoop(arena, listenerFd, gateway, guest);
            loop.run();
            failure = loop.failure();
        } catch (Throwable t) {
            guest.kill();
            failure = t;
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.ERROR, "sandbox " + SandboxIds.format(gateway.sandboxId())
                    + " was killed because its supervision failed", failure);
        }
        if (guest.refusedMemoryDependentAllows() > 0 || guest.failClosedAnswers() > 0) {
            LOG.log(System.Logger.Level.WARNING, "sandbox " + SandboxIds.format(gateway.sandboxId()) + ": "
                    + guest.refusedMemoryDependentAllows() + " memory-dependent ALLOW verdicts and "
                    + guest.failClosedAnswers() + " calls without a usable verdict were answered EPERM");
        }
    }

    /** Waits for the helper, whose exit means the whole namespace is gone, and reads how the guest ended. */
    private static ExitStatus awaitEnd(LinuxGuest guest, HelperReport report, MemorySegment callState,
            MemorySegment readBuffer, int fifoFd) {
        Process helper = guest.helper();
        boolean interrupted = false;
        while (helper.isAlive()) {
            try {
                helper.waitFor();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!guest.awaitNamespaceGone(NAMESPACE_GONE_TIMEOUT_MILLIS)) {
            LOG.log(System.Logger.Level.WARNING, "the namespace init of guest " + guest.hostPid()
                    + " did not exit within " + NAMESPACE_GONE_TIMEOUT_MILLIS + " ms of its exec helper");
        }
        try {
            report.drain(callState, fifoFd, readBuffer);
        } catch (IllegalStateException e) {
            // Guest tasks can reach the FIFO through /proc/<helper>/fd; fall back to the exit value.
            LOG.log(System.Logger.Level.WARNING, "unreadable exit report of the exec helper", e);
            return fromHelperExitValue(helper.exitValue());
        }
        return report.exited ? HelperReport.decode(report.rawExitStatus) : fromHelperExitValue(helper.exitValue());
    }

    /** For a helper that could not report (it was killed): Java reports 128 + signal for signal deaths. */
    private static ExitStatus fromHelperExitValue(int value) {
        return value > 128 && value <= 128 + 64 ? ExitStatus.killed(value - 128) : ExitStatus.exited(value);
    }

    private void endGateway(ExitStatus status, long answeredCalls) {
        try {
            gateway.onExit(status, answeredCalls);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the bus failed to record the end of sandbox "
                    + SandboxIds.format(gateway.sandboxId()), e);
        } finally {
            try {
                gateway.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "the bus failed to close the gateway of sandbox "
                        + SandboxIds.format(gateway.sandboxId()), e);
            }
        }
    }

    /** Starting one guest; {@link #abandon} undoes whatever a failed start left behind. */
    private final class Startup {
        private final MemorySegment callState;
        private final MemorySegment readBuffer;
        private final MemorySegment pollFd;
        private final HelperReport report;
        private final Arena arena;
        private Path runtimeDirectory;
        private Process helper;
        int fifoFd = -1;
        private int guestPidfd = -1;
        private int initPidfd = -1;
        private int listenerFd = -1;
        LinuxGuest guest;

        Startup(Arena arena, MemorySegment callState, MemorySegment readBuffer, HelperReport report) {
            this.callState = callState;
            this.readBuffer = readBuffer;
            this.pollFd = arena.allocate(LinuxSyscalls.POLLFD);
            this.report = report;
            this.arena = arena;
        }

        /** @return the listener fd */
        int run() throws SandboxException {
            try {
                runtimeDirectory = Files.createTempDirectory(runtimeBase, "meridian-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Path fifo = runtimeDirectory.resolve("report");
                Path config = runtimeDirectory.resolve("config");
                openReportFifo(fifo);
                resources = SandboxResources.create(isolation, runtimeBase, SandboxIds.format(gateway.sandboxId()));
                if (spec.stdio() == Stdio.TTY) {
                    terminal = GuestTerminal.open();
                }
                writeConfig(config, fifo);
                startHelper(config);
                awaitReady();
                guestPidfd = openPidfd(report.guestPid, report.initPid, "guest");
                initPidfd = openPidfd(report.initPid, helper.pid(), "namespace init");
                listenerFd = takeListener();
                answerHandshake();
                boolean syncWakeUp = LinuxSyscalls.ioctl(callState, listenerFd,
                        LinuxSyscalls.SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                        LinuxSyscalls.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
                boolean waitKillable =
                        (report.seccompFlags & LinuxSyscalls.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0;
                GuestStdio stdio = switch (spec.stdio()) {
                    case INHERIT -> null;
                    case PIPE -> new GuestPipes(helper);
                    case TTY -> terminal;
                };
                guest = new LinuxGuest(report.guestPid, helper, guestPidfd, initPidfd, waitKillable, syncWakeUp,
                        stdio, new GuestCpu(report.initPid, report.guestPid, resources.cgroup()));
                return listenerFd;
            } catch (IOException e) {
                throw new SandboxException("cannot prepare the sandbox's runtime directory in " + runtimeBase
                        + ": " + e.getMessage(), e);
            } finally {
                deleteRuntimeDirectory();
            }
        }

        private void openReportFifo(Path fifo) throws SandboxException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment path = arena.allocateFrom(fifo.toString());
                if (LinuxSyscalls.mkfifo(callState, path, 0600) < 0) {
                    throw new SandboxException(LinuxSyscalls.describe("cannot create " + fifo,
                            LinuxSyscalls.errno(callState)));
                }
                // Non-blocking: opening waits for no writer, and reads never block the thread.
                fifoFd = LinuxSyscalls.open(callState, path,
                        LinuxSyscalls.O_RDONLY | LinuxSyscalls.O_NONBLOCK | LinuxSyscalls.O_CLOEXEC);
                if (fifoFd < 0) {
                    throw new SandboxException(LinuxSyscalls.describe("cannot open " + fifo,
                            LinuxSyscalls.errno(callState)));
                }
            }
        }

        private void writeConfig(Path config, Path fifo) throws IOException {
            byte[] bytes = HelperConfig.encode(ProcessHandle.current().pid(), fifo, spec.environment(), filter,
                    LinuxSyscalls.SECCOMP_FILTER_FLAG_NEW_LISTENER
                            | LinuxSyscalls.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, landlock,
                    resources.section(spec.workingDirectory()), spec.stdio() != Stdio.INHERIT,
                    terminal == null ? null : terminal.slave());
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(config, bytes, StandardOpenOption.WRITE);
        }

        private void startHelper(Path config) throws SandboxException {
            List<String> command = new ArrayList<>();
            command.add(helperPath.toString());
            command.add(config.toString());
            command.add("--");
            command.addAll(spec.command());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(isolation.helperDirectory(spec.workingDirectory()).toFile());
            switch (spec.stdio()) {
                case INHERIT -> builder.inheritIO();
                case PIPE -> { } // ProcessBuilder's default: three pipes
                // The helper puts the terminal on its 0, 1 and 2 itself (see GuestTerminal).
                case TTY -> builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
            }
            // The guest's environment travels in the config: the helper runs before the filter,
            // so nothing in it (LD_PRELOAD, ...) may change what the helper does.
            builder.environment().clear();
            try {
                helper = builder.start();
            } catch (IOException e) {
                throw new SandboxException("cannot start the exec helper " + helperPath + ": " + e.getMessage(), e);
            }
        }

        private void awaitReady() throws SandboxException {
            pollFd.set(ValueLayout.JAVA_INT, LinuxSyscalls.POLLFD_FD, fifoFd);
            pollFd.set(ValueLayout.JAVA_SHORT, LinuxSyscalls.POLLFD_EVENTS, LinuxSyscalls.POLLIN);
            long deadline = System.nanoTime() + REPORT_TIMEOUT_NANOS;
            for (;;) {
                LinuxSyscalls.poll(callState, pollFd, 1, 20);
                // No writer yet reads as end of file too: only the helper's exit says it is over
                // (read after the exit, so a failure it reported just before is not missed).
                boolean helperGone = !helper.isAlive();
                report.drain(callState, fifoFd, readBuffer);
                if (report.failure != null) {
                    throw new SandboxException(report.failure);
                }
                if (report.ready()) {
                    return;
                }
                if (helperGone) {
                    throw new SandboxException(helperEnded("before the guest started"));
                }
                if (System.nanoTime() > deadline) {
                    throw new SandboxException("the exec helper did not start the guest within "
                            + TimeUnit.NANOSECONDS.toSeconds(REPORT_TIMEOUT_NANOS) + " s");
                }
            }
        }

        private String helperEnded(String when) {
            try {
                if (!helper.waitFor(1, TimeUnit.SECONDS)) {
                    return "the exec helper stopped reporting " + when;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "the exec helper " + helperPath + " exited with status " + helper.exitValue() + " " + when;
        }

        /** Opens a pidfd for {@code pid} and checks it is the expected child of {@code parent}. */
        private int openPidfd(int pid, long parent, String what) throws SandboxException {
            int pidfd = LinuxSyscalls.pidfdOpen(callState, pid);
            if (pidfd < 0) {
                throw new SandboxException(LinuxSyscalls.describe("cannot open the " + what + " (pid " + pid + ")",
                        LinuxSyscalls.errno(callState)));
            }
            // The pidfd pins the process; if pid was reused before it was opened, the parent differs.
            if (parentOf(pid) != parent) {
                LinuxSyscalls.close(pidfd);
                throw new SandboxException("the " + what + " (pid " + pid + ") ended before it could be supervised");
            }
            return pidfd;
        }

        private long parentOf(int pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"),
                        StandardCharsets.ISO_8859_1)) {
                    if (line.startsWith("PPid:")) {
                        return Long.parseLong(line.substring(5).strip());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }

        /**
         * Takes the guest's listener: the guest reported its number before it called seccomp(),
         * so the fd may not exist yet, or not be the listener yet.
         */
        private int takeListener() throws SandboxException {
            long deadline = System.nanoTime() + LISTENER_TIMEOUT_NANOS;
            for (;;) {
                int fd = LinuxSyscalls.pidfdGetfd(callState, guestPidfd, report.listenerFd);
                if (fd >= 0) {
                    if (SECCOMP_LISTENER_LINK.equals(LinuxSyscalls.readlink("/proc/self/fd/" + fd))) {
                        return fd;
                    }
                    LinuxSyscalls.close(fd);
                } else {
                    int errno = LinuxSyscalls.errno(callState);
                    if (errno == LinuxSyscalls.ESRCH) {
                        throw new SandboxException("the guest ended before its supervision began");
                    }
                    if (errno != LinuxSyscalls.EBADF) {
                        throw new SandboxException(LinuxSyscalls.describe(
                                "cannot take the guest's seccomp listener (pidfd_getfd)", errno));
                    }
                }
                if (!helper.isAlive()) {
                    throw new SandboxException(helperEnded("before the guest installed its seccomp filter"));
                }
                if (System.nanoTime() > deadline) {
                    throw new SandboxException("the guest did not install its seccomp filter within "
                            + TimeUnit.NANOSECONDS.toSeconds(LISTENER_TIMEOUT_NANOS) + " s");
                }
                LockSupport.parkNanos(50_000);
            }
        }

        /**
         * Answers the guest's first notification, the handshake call of the helper (see
         * {@link SeccompCompiler#HANDSHAKE_OPERATION}), with 0: the guest goes on to exec its
         * program only now that the listener is ours. The gateway never sees it.
         */
        private void answerHandshake() throws SandboxException {
            pollFd.set(ValueLayout.JAVA_INT, LinuxSyscalls.POLLFD_FD, listenerFd);
            pollFd.set(ValueLayout.JAVA_SHORT, LinuxSyscalls.POLLFD_EVENTS, LinuxSyscalls.POLLIN);
            long deadline = System.nanoTime() + LISTENER_TIMEOUT_NANOS;
            // A timeout or EINTR (0 or -1) polls again until the deadline.
            while (LinuxSyscalls.poll(callState, pollFd, 1, 20) <= 0) {
                if (!helper.isAlive()) {
                    throw new SandboxException(helperEnded("before the guest's handshake"));
                }
                if (System.nanoTime() > deadline) {
                    throw new SandboxException("the guest did not make its handshake call within "
                            + TimeUnit.NANOSECONDS.toSeconds(LISTENER_TIMEOUT_NANOS) + " s");
                }
            }
            if ((pollFd.get(ValueLayout.JAVA_SHORT, LinuxSyscalls.POLLFD_REVENTS) & LinuxSyscalls.POLLIN) == 0) {
                throw new SandboxException("the guest ended before its supervision began");
            }
            MemorySegment notification = arena.allocate(LinuxSyscalls.SECCOMP_NOTIF);
            if (LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_RECV, notification) < 0) {
                throw new SandboxException(LinuxSyscalls.describe("the guest's handshake did not arrive",
                        LinuxSyscalls.errno(callState)));
            }
            int pid = notification.get(ValueLayout.JAVA_INT, LinuxSyscalls.NOTIF_PID);
            int number = notification.get(ValueLayout.JAVA_INT, LinuxSyscalls.NOTIF_NR);
            long operation = notification.get(ValueLayout.JAVA_LONG, LinuxSyscalls.NOTIF_ARGS);
            long flags = notification.get(ValueLayout.JAVA_LONG, LinuxSyscalls.NOTIF_ARGS + 8);
            if (pid != report.guestPid || number != LinuxSyscalls.SYS_SECCOMP
                    || operation != SeccompCompiler.HANDSHAKE_OPERATION || flags != SeccompCompiler.HANDSHAKE_FLAGS) {
                throw new SandboxException("the guest's first notification was not its handshake: call " + number
                        + " of pid " + pid);
            }
            MemorySegment response = arena.allocate(LinuxSyscalls.SECCOMP_NOTIF_RESP);
            response.set(ValueLayout.JAVA_LONG, LinuxSyscalls.RESP_ID,
                    notification.get(ValueLayout.JAVA_LONG, LinuxSyscalls.NOTIF_ID));
            if (LinuxSyscalls.ioctl(callState, listenerFd, LinuxSyscalls.SECCOMP_IOCTL_NOTIF_SEND, response) < 0) {
                throw new SandboxException(LinuxSyscalls.describe("cannot answer the guest's handshake",
                        LinuxSyscalls.errno(callState)));
            }
        }

        /** Kills whatever was started and closes what was opened. */
        void abandon() {
            if (initPidfd >= 0) {
                LinuxSyscalls.pidfdSendSignal(callState, initPidfd, LinuxSyscalls.SIGKILL);
            }
            if (helper != null) {
                // Its namespace init has PR_SET_PDEATHSIG: the whole guest tree follows.
                helper.destroyForcibly();
                helper.onExit().join();
            }
            for (int fd : new int[] {listenerFd, guestPidfd, initPidfd, fifoFd}) {
                if (fd >= 0) {
                    LinuxSyscalls.close(fd);
                }
            }
            deleteRuntimeDirectory();
            releaseTerminal();
            if (resources != null) {
                resources.release();
            }
        }

        private void deleteRuntimeDirectory() {
            if (runtimeDirectory == null) {
                return;
            }
            try {
                // The helper unlinks the config itself; the FIFO stays open through fifoFd.
                Files.deleteIfExists(runtimeDirectory.resolve("config"));
                Files.deleteIfExists(runtimeDirectory.resolve("report"));
                Files.deleteIfExists(runtimeDirectory);
                runtimeDirectory = null;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove runtime directory " + runtimeDirectory, e);
            }
        }
    }
}
