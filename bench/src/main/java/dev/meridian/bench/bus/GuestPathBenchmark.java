package dev.meridian.bench.bus;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.internal.ChronicleSyscallBus;
import dev.meridian.policy.internal.BuiltinPolicyEngine;
import dev.meridian.shim.linux.x86_64.internal.LinuxX86_64Shim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole in-process guest path of one call as the Linux platform drives it: bus dispatch, the
 * real linux-x86_64 shim's decoding and capture, the {@code trace} profile's verdict, and the
 * CALL and COMPLETION records in the Chronicle journal. Guest memory is a byte array here, so
 * this is the inline budget that sits on top of the kernel's notification round trip (design §3).
 * Run with {@code -prof gc}: every variant must show {@code gc.alloc.rate.norm} of about 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuestPathBenchmark extends GatewayTrial {

    private static final int NR_GETPPID = 110;
    private static final int NR_OPENAT = 257;
    private static final int NR_EXECVE = 59;
    private static final long AT_FDCWD = -100;
    private static final long O_RDONLY_CLOEXEC = 0x80000;

    private final FixedStringMemory memory = new FixedStringMemory("/usr/lib/x86_64-linux-gnu/libc.so.6");

    @Setup(Level.Trial)
    public void openGateway() throws Exception {
        open(new LinuxX86_64Shim(), new BuiltinPolicyEngine().load(java.util.List.of(dev.meridian.api.PolicySource.profile("trace")), java.util.Map.of()));
    }

    /** No memory argument: decided on the number alone. */
    @Benchmark
    public long getppid() {
        event.reset(0, 4242, AUDIT_ARCH_X86_64, NR_GETPPID, 0x401000);
        return serve(memory);
    }

    /** One path argument captured from guest memory. */
    @Benchmark
    public long openat() {
        event.reset(0, 4242, AUDIT_ARCH_X86_64, NR_OPENAT, 0x401000);
        event.arg(0, AT_FDCWD);
        event.arg(1, 0x7ffd_1234_5000L);
        event.arg(2, O_RDONLY_CLOEXEC);
        return serve(memory);
    }

    /**
     * A path and an argument vector (the fake memory answers every pointer read with the path's
     * bytes, so the argv array reads as pointers into it: a bounded, realistic amount of copying).
     */
    @Benchmark
    public long execve() {
        event.reset(0, 4242, AUDIT_ARCH_X86_64, NR_EXECVE, 0x401000);
        event.arg(0, 0x7ffd_1234_5000L);
        event.arg(1, 0x7ffd_1234_6000L);
        event.arg(2, 0x7ffd_1234_7000L);
        return serve(memory);
    }

}
