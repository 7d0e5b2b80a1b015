package dev.meridian.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled tree (system property meridian.home) has the layout bin/meridian and the launcher rely on. */
class DistributionLayoutIT {
    private static final Path HOME = Path.of(System.getProperty("meridian.home"));

    @Test
    void treeHoldsLauncherLibrariesBundlesAndHelper() throws IOException {
        assertTrue(Files.isExecutable(HOME.resolve("bin/meridian")));
        assertTrue(Files.isExecutable(HOME.resolve("libexec/meridian-exec")));
        assertTrue(Files.isRegularFile(HOME.resolve("libexec/find-java.sh")));
        assertTrue(Files.isRegularFile(HOME.resolve("lib/jvm.args")));
        assertTrue(Files.isRegularFile(HOME.resolve("lib/meridian.aot")), "the build trains the AOT cache");
        assertTrue(Files.isRegularFile(HOME.resolve("etc/README")));
        assertTrue(Files.isRegularFile(HOME.resolve("etc/dev.meridian.observability.cfg")));
        assertTrue(Files.isRegularFile(HOME.resolve("share/observability/grafana/dashboards/meridian.json")));
        assertTrue(Files.isRegularFile(HOME.resolve("share/observability/grafana/provisioning/datasources/meridian.yml")));
        assertTrue(Files.isRegularFile(HOME.resolve("share/observability/prometheus/prometheus.yml")));
        assertTrue(Files.isDirectory(HOME.resolve("deploy")));

        List<String> libraries = jarNames(HOME.resolve("lib"));
        for (String prefix : List.of("meridian-launcher-", "org.apache.felix.framework-", "org.osgi.service.log-",
                "chronicle-queue-", "chronicle-wire-", "chronicle-bytes-", "chronicle-core-", "chronicle-threads-",
                "slf4j-api-", "slf4j-nop-")) {
            assertTrue(libraries.stream().anyMatch(name -> name.startsWith(prefix)), prefix + " missing: " + libraries);
        }
        List<String> bundles = jarNames(HOME.resolve("bundles"));
        for (String prefix : List.of("org.apache.felix.scr-", "org.osgi.service.component-", "org.osgi.util.promise-",
                "org.osgi.util.function-", "meridian-api-", "meridian-syscall-bus-", "meridian-policy-engine-",
                "meridian-shim-linux-x86_64-", "meridian-platform-linux-", "meridian-supervisor-", "meridian-cli-",
                "meridian-observability-")) {
            assertTrue(bundles.stream().anyMatch(name -> name.startsWith(prefix)), prefix + " missing: " + bundles);
        }
        assertFalse(bundles.stream().anyMatch(name -> name.startsWith("chronicle-")), "Chronicle is no bundle");
    }

    @Test
    void withoutJava25TheScriptSaysSoInOneLine(@TempDir Path noJvms) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(HOME.resolve("bin/meridian").toString(), "--help");
        builder.environment().put("JAVA_HOME", noJvms.toString());
        builder.environment().put("MERIDIAN_JVM_ROOT", noJvms.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertEquals("meridian: needs Java 25 or newer; set JAVA_HOME\n",
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static List<String> jarNames(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".jar")).toList();
        }
    }
}
