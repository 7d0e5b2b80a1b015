package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.NR_READ;
import static dev.meridian.bus.internal.Fixtures.call;
import static dev.meridian.bus.internal.Fixtures.spec;

import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.bus.internal.Fixtures.StringMemory;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.nio.file.Path;

/**
 * A host process that dies with a sandbox running, in a JVM of its own: journals {@code CALLS}
 * calls of sandbox 1 through the bus (arg0 = i) as fast as it can, then halts the JVM at once, so
 * the last calls are still in the sandbox's ring, not yet in the queue.
 */
public final class HaltingSandbox {

    private HaltingSandbox() {
    }

    public static void main(String[] args) throws Exception {
        Path journal = Path.of(args[0]);
        int calls = Integer.parseInt(args[1]);
        ChronicleSyscallBus bus = Fixtures.busWithShim();
        StringMemory memory = new StringMemory("/");
        SyscallEvent event = new SyscallEvent();
        SyscallGateway gateway = bus.open(journal, 1, spec(journal, "x"), new TestPolicy());
        for (int i = 0; i < calls; i++) {
            call(gateway, event, memory, 1, NR_READ, i);
        }
        Runtime.getRuntime().halt(9);
    }
}
