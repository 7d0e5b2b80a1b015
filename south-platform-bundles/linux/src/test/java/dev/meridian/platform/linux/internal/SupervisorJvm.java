package dev.meridian.platform.linux.internal;

import dev.meridian.api.PolicySource;
import dev.meridian.api.Isolation;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallGateway;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A second JVM that supervises one long-running guest, so a test can kill the supervisor the
 * hard way (SIGKILL, no shutdown hooks) and watch the guest die with it.
 */
public final class SupervisorJvm {

    private SupervisorJvm() {
    }

    static Process start(Path helper, Path pidFile) throws Exception {
        String classPath = String.join(File.pathSeparator,
                Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString(),
                Path.of(SyscallGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                SupervisorJvm.class.getName(), helper.toString(), pidFile.toString())
                .inheritIO()
                .start();
    }

    /** Starts {@code sleep 60} under supervision, writes the guest's pid, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        LinuxPlatform platform = new LinuxPlatform(Map.of(LinuxPlatform.HELPER_PROPERTY, args[0])::get);
        Path pidFile = Path.of(args[1]);
        SandboxSpec spec = new SandboxSpec(List.of("sleep", "60"), Map.of("PATH", "/usr/bin:/bin"),
                pidFile.getParent(), List.of(PolicySource.profile("trace")), Isolation.DEFAULT, pidFile.getParent());
        long pid = platform.launch(spec, TestConfinements.SUPERVISE_ALL, new RecordingGateway()).hostPid();
        Path partial = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
        Files.writeString(partial, Long.toString(pid));
        Files.move(partial, pidFile);
        Thread.sleep(Long.MAX_VALUE);
    }
}
