package dev.meridian.platform.linux.internal;

import dev.meridian.api.Confinement;
import dev.meridian.api.GuestProcess;
import dev.meridian.api.Isolation;
import java.util.Set;
import java.util.List;
import java.util.EnumSet;
import java.util.ArrayList;
import dev.meridian.api.NetworkRules;
import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallGateway;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The South platform for Linux x86-64 hosts. The exec helper confines the guest before its
 * first instruction: the confinement's file, port and scope rules as a Landlock ruleset
 * ({@link LandlockRuleset}), then its system-call filter compiled to seccomp BPF
 * ({@link SeccompCompiler}), whose NOTIFY calls reach the supervisor by user notification.
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

    /** The rule id of port grants that come from the isolation options rather than the policy. */
    private static final int ISOLATION_RULE = -1;

    private final UnaryOperator<String> properties;
    private final String hostProblem;
    private final int landlockAbi;

    /**
     * Reads the properties once: a platform replaced while its sandboxes run keeps serving launches
     * that raced the swap, and the context of a stopped bundle can no longer be asked.
     */
    @Activate
    public LinuxPlatform(BundleContext context) {
        this(propertiesOf(context));
    }

    private static UnaryOperator<String> propertiesOf(BundleContext context) {
        Map<String, String> values = new HashMap<>();
        for (String key : List.of(HELPER_PROPERTY, HOME_PROPERTY, RUNTIME_DIRECTORY_PROPERTY)) {
            String value = context.getProperty(key);
            if (value != null) {
                values.put(key, value);
            }
        }
        return values::get;
    }

    /** @param properties looks up the properties above (e.g. {@code System::getProperty}) */
    public LinuxPlatform(UnaryOperator<String> properties) {
        this.properties = properties;
        this.hostProblem = probeHost();
        this.landlockAbi = hostProblem == null ? LinuxSyscalls.landlockAbi() : 0;
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
        LandlockRuleset landlock = LandlockRuleset.lower(withIsolationPorts(confinement, spec.isolation()), landlockAbi);
        return SandboxSupervisor.start(helperPath(), runtimeDirectory(), spec, isolation, gateway,
                seccompProgram(confinement), landlock);
    }

    /**
     * The confinement with the isolation's TCP port allow lists applied over the policy's: a port
     * must be allowed by both, as if the two were stacked Landlock rulesets.
     */
    static Confinement withIsolationPorts(Confinement confinement, Isolation isolation) {
        if (isolation.connectPorts().isEmpty() && isolation.bindPorts().isEmpty()) {
            return confinement;
        }
        NetworkRules policy = confinement.network();
        Set<NetworkRules.Direction> handled = EnumSet.noneOf(NetworkRules.Direction.class);
        List<NetworkRules.Grant> grants = new ArrayList<>();
        for (NetworkRules.Direction direction : NetworkRules.Direction.values()) {
            Set<Integer> allowed = direction == NetworkRules.Direction.CONNECT
                    ? isolation.connectPorts() : isolation.bindPorts();
            boolean policyHandles = policy != null && policy.handled().contains(direction);
            if (policyHandles) {
                handled.add(direction);
                for (NetworkRules.Grant grant : policy.grants()) {
                    if (grant.direction() == direction && (allowed.isEmpty() || allowed.contains(grant.port()))) {
                        grants.add(grant);
                    }
                }
            } else if (!allowed.isEmpty()) {
                handled.add(direction);
                allowed.forEach(port -> grants.add(new NetworkRules.Grant(direction, port, ISOLATION_RULE)));
            }
        }
        return new Confinement(confinement.syscalls(), confinement.files(), new NetworkRules(handled, grants),
                confinement.scopeSignals(), confinement.scopeAbstractUnixSockets());
    }

    /** The guest's filter; only x86-64 calls can be judged (the others are killed by it). */
    private static SeccompProgram seccompProgram(Confinement confinement) throws SandboxException {
        int abi = confinement.syscalls().abi();
        if (abi != LinuxSyscalls.AUDIT_ARCH_X86_64) {
            throw new SandboxException("the linux platform judges x86-64 system calls (AUDIT_ARCH 0x"
                    + Integer.toHexString(LinuxSyscalls.AUDIT_ARCH_X86_64) + "), the filter is for 0x"
                    + Integer.toHexString(abi));
        }
        try {
            return SeccompCompiler.compileForGuest(confinement.syscalls());
        } catch (IllegalArgumentException e) {
            throw new SandboxException(e.getMessage(), e);
        }
    }

    /** The kernel's Landlock ABI version, 0 when it has none. */
    int landlockAbi() {
        return landlockAbi;
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
