package dev.meridian.bench.bus;

import dev.meridian.api.GuestMemory;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bus's share of one notified system call: {@code onCall} (shim dispatch, policy, CALL record
 * appended to the Chronicle journal) plus {@code onCompletion} (COMPLETION record), with a trivial
 * shim and policy so the bus itself is measured. Run with {@code -prof gc}: the guest path must
 * show {@code gc.alloc.rate.norm} of about 0 B/op.
 *
 * <p>Iterations are short because every operation grows the journal (160 bytes, 200 with the
 * path, index included); the journal lives in a temporary directory deleted after the trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GatewayBenchmark extends GatewayTrial {

    private static final int NR_GETPID = 39;
    private static final int NR_OPENAT = 257;
    private static final long AT_FDCWD = -100;
    private static final String PATH = "/usr/lib/x86_64-linux-gnu/libc.so.6";

    private final GuestMemory memory = new FixedStringMemory(PATH);

    @Setup(Level.Trial)
    public void openGateway() throws Exception {
        open(new PathCapturingShim(), new AllowAllPolicy());
    }

    /** A call decided on its number alone (getpid). */
    @Benchmark
    public long call() {
        return serve(NR_GETPID);
    }

    /** A call whose path argument the shim captures into the event and the journal (openat). */
    @Benchmark
    public long callWithPathCapture() {
        return serve(NR_OPENAT);
    }

    private long serve(int number) {
        event.reset(0, 4242, AUDIT_ARCH_X86_64, number, 0x401000);
        event.arg(0, AT_FDCWD);
        event.arg(1, 0x7ffd_1234_5000L);
        return serve(memory);
    }
}
