package dev.meridian.it.starter;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.Isolation;
import dev.meridian.api.PolicySource;
import dev.meridian.api.Sandbox;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SandboxSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The activator of the test bundles the daemon ITs drop into the deploy directory (packed by
 * {@code TestBundles}): it starts one sandbox inside the daemon through the {@link SandboxManager}
 * service, as the control API will, and writes how the guest ended to a file. Headers:
 * {@code Meridian-Test-Command} (tab-separated), {@code Meridian-Test-Journal},
 * {@code Meridian-Test-Result}; {@code Meridian-Test-Fail} makes the activator throw with that
 * message instead (a bundle that does not start).
 */
public final class SandboxStarter implements BundleActivator {

    private static final long SERVICE_WAIT_MILLIS = 30_000;

    @Override
    public void start(BundleContext context) {
        Dictionary<String, String> headers = context.getBundle().getHeaders();
        String failure = headers.get("Meridian-Test-Fail");
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        String command = headers.get("Meridian-Test-Command");
        if (command == null) {
            return;
        }
        Path journal = Path.of(headers.get("Meridian-Test-Journal"));
        Path result = Path.of(headers.get("Meridian-Test-Result"));
        Thread thread = new Thread(() -> run(context, List.of(command.split("\t")), journal, result),
                "meridian-it-starter");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop(BundleContext context) {
        // The sandbox is the daemon's: it runs on.
    }

    private static void run(BundleContext context, List<String> command, Path journal, Path result) {
        String outcome;
        try {
            SandboxManager manager = awaitManager(context);
            SandboxSpec spec = new SandboxSpec(command, Map.of("PATH", "/usr/bin:/bin"), Path.of("/"),
                    List.of(PolicySource.profile("trace")), Isolation.DEFAULT, journal);
            Sandbox sandbox = manager.start(spec);
            write(result.resolveSibling(result.getFileName() + ".started"), "started\n");
            ExitStatus status = sandbox.exit().get();
            outcome = "exit " + status.code() + " signal " + status.signal() + "\n";
        } catch (Exception | LinkageError e) {
            outcome = "failed " + e + "\n";
        }
        write(result, outcome);
    }

    private static SandboxManager awaitManager(BundleContext context) throws InterruptedException {
        long deadline = System.currentTimeMillis() + SERVICE_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            ServiceReference<SandboxManager> reference = context.getServiceReference(SandboxManager.class);
            if (reference != null) {
                SandboxManager manager = context.getService(reference);
                if (manager != null) {
                    return manager;
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no SandboxManager service within " + SERVICE_WAIT_MILLIS + " ms");
    }

    private static void write(Path file, String text) {
        try {
            Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
            Files.writeString(partial, text);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
