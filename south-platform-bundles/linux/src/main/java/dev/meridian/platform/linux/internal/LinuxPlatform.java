package dev.meridian.platform.linux.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallGateway;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The South platform for Linux x86-64 hosts: every system call of the guest is sent to the
 * supervisor by a seccomp user-notification filter, installed by the exec helper before the
 * guest's first instruction.
 *
 * <p>Properties (framework, then system):
 * <ul>
 *   <li>{@value #HELPER_PROPERTY}: absolute path of the meridian-exec binary; default
 *       {@code ${meridian.home}/libexec/meridian-exec}</li>
 *   <li>{@value #RUNTIME_DIRECTORY_PROPERTY}: where per-sandbox runtime directories are made;
 *       default {@code java.io.tmpdir}</li>
 * </ul>
 */
@Component(service = SouthPlatform.class)
public final class LinuxPlatform implements SouthPlatform {

    public static final String HELPER_PROPERTY = "meridian.exec.helper";
    public static final String HOME_PROPERTY = "meridian.home";
    public static final String RUNTIME_DIRECTORY_PROPERTY = "meridian.runtime.dir";

    private static final Path SECCOMP_ACTIONS = Path.of("/proc/sys/kernel/seccomp/actions_avail");

    private final UnaryOperator<String> properties;
    private final String hostProblem;

    @Activate
    public LinuxPlatform(BundleContext context) {
        this(context::getProperty);
    }

    /** @param properties looks up the properties above (e.g. {@code System::getProperty}) */
    public LinuxPlatform(UnaryOperator<String> properties) {
        this.properties = properties;
        this.hostProblem = probeHost();
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public String unavailableReason() {
        if (hostProblem != null) {
            return hostProblem;
        }
        return helperProblem(helperPath());
    }

    /**
     * Starts the guest confined as asked. On success the gateway belongs to the sandbox: it is
     * told the end and closed by the supervisor thread. On failure it is untouched.
     */
    @Override
    public GuestProcess launch(SandboxSpec spec, Confinement confinement, SyscallGateway gateway)
            throws SandboxException {
        String problem = unavailableReason();
        if (problem != null) {
            throw new SandboxException(SandboxException.Kind.PLATFORM_UNAVAILABLE,
                    "the linux platform cannot run guests here: " + problem);
        }
        IsolationPlan isolation = IsolationPlan.check(spec.isolation(), runtimeDirectory());
        GuestCommand.checkWorkingDirectory(spec, isolation.view());
        GuestCommand.checkArguments(spec);
        GuestCommand.checkEnvironment(spec.environment());
        GuestCommand.resolveProgram(spec, isolation.view());
        if (!confinement.equals(Confinement.superviseEverything(LinuxSyscalls.AUDIT_ARCH_X86_64))) {
            throw new SandboxException("the linux platform cannot enforce kernel-layer rules yet");
        }
        return SandboxSupervisor.start(helperPath(), runtimeDirectory(), spec, isolation, gateway,
                SeccompProgram.notifyEverything());
    }

    /** The configured helper, or null when neither property is set. */
    Path helperPath() {
        String configured = properties.apply(HELPER_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = properties.apply(HOME_PROPERTY);
        return home == null || home.isBlank() ? null : Path.of(home, "libexec", "meridian-exec");
    }

    private Path runtimeDirectory() {
        String configured = properties.apply(RUNTIME_DIRECTORY_PROPERTY);
        return Path.of(configured != null && !configured.isBlank() ? configured : System.getProperty("java.io.tmpdir"));
    }

    private static String helperProblem(Path helper) {
        if (helper == null) {
            return "the exec helper is not configured: set " + HELPER_PROPERTY + " or " + HOME_PROPERTY;
        }
        if (!helper.isAbsolute()) {
            return HELPER_PROPERTY + " must be an absolute path: " + helper;
        }
        if (!Files.isRegularFile(helper) || !Files.isExecutable(helper)) {
            return "the exec helper " + helper + " is missing or not executable";
        }
        return null;
    }

    private static String probeHost() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!"Linux".equals(os) || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "needs Linux on x86-64, this is " + os + " on " + arch;
        }
        try {
            if (!Files.readString(SECCOMP_ACTIONS).contains("user_notif")) {
                return "the kernel has no seccomp user notification (" + SECCOMP_ACTIONS + ")";
            }
        } catch (IOException e) {
            return "the kernel has no seccomp filters: cannot read " + SECCOMP_ACTIONS;
        }
        return probePidfds();
    }

    /** The supervisor takes the guest's listener with pidfd_getfd (Linux 5.6+): try it on ourselves. */
    private static String probePidfds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(LinuxSyscalls.CALL_STATE);
            int pidfd = LinuxSyscalls.pidfdOpen(state, (int) ProcessHandle.current().pid());
            if (pidfd < 0) {
                return LinuxSyscalls.describe("the kernel lacks pidfd_open", LinuxSyscalls.errno(state));
            }
            int copy = LinuxSyscalls.pidfdGetfd(state, pidfd, pidfd);
            int errno = LinuxSyscalls.errno(state);
            LinuxSyscalls.close(pidfd);
            if (copy < 0) {
                return LinuxSyscalls.describe("the kernel refuses pidfd_getfd", errno);
            }
            LinuxSyscalls.close(copy);
            return null;
        }
    }
}
