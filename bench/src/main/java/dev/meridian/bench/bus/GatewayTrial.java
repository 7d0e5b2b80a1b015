package dev.meridian.bench.bus;

import dev.meridian.api.PolicySource;
import dev.meridian.api.Isolation;
import dev.meridian.api.ExitStatus;
import dev.meridian.api.GuestMemory;
import dev.meridian.api.NorthShim;
import dev.meridian.api.Policy;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.internal.ChronicleSyscallBus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One sandbox's gateway onto a real Chronicle journal in a temporary directory (deleted after the
 * trial), served call by call as the platform serves it: onCall, answer, onCompletion.
 */
abstract class GatewayTrial {

    static final int AUDIT_ARCH_X86_64 = 0xC000003E;

    final SyscallEvent event = new SyscallEvent();
    private Path journal;
    private SyscallGateway gateway;
    private long calls;

    void open(NorthShim shim, Policy policy) throws Exception {
        journal = Files.createTempDirectory("meridian-bench-journal");
        ChronicleSyscallBus bus = new ChronicleSyscallBus();
        bus.bindShim(shim);
        SandboxSpec spec = new SandboxSpec(List.of("bench"), Map.of(), Path.of("/"), List.of(PolicySource.profile(policy.name())), Isolation.DEFAULT, journal);
        gateway = bus.open(journal, SandboxIds.next(), spec, policy);
    }

    @TearDown(Level.Trial)
    public void closeGateway() throws IOException {
        gateway.onExit(ExitStatus.exited(0), calls);
        gateway.close();
        try (Stream<Path> files = Files.walk(journal)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** Serves {@link #event} (already reset and filled) and returns its latency, for the blackhole. */
    long serve(GuestMemory memory) {
        gateway.onCall(event, memory);
        event.completed();
        gateway.onCompletion(event);
        calls++;
        return event.latencyNanos();
    }
}
