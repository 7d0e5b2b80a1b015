package dev.meridian.platform.linux.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test programs of src/test/c, compiled with gcc on first use, and the helper the build made. */
final class NativePrograms {

    private static final Path SOURCES = Path.of("src/test/c").toAbsolutePath();
    private static final Path OUTPUT = Path.of("target/test-native").toAbsolutePath();
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private NativePrograms() {
    }

    /** target/native/meridian-exec, built by the compile phase. */
    static Path helper() {
        Path helper = Path.of("target/native/meridian-exec").toAbsolutePath();
        if (!Files.isExecutable(helper)) {
            throw new IllegalStateException("the exec helper was not built: " + helper);
        }
        return helper;
    }

    /** A platform using the freshly built helper. */
    static LinuxPlatform platform() {
        Map<String, String> properties = Map.of(LinuxPlatform.HELPER_PROPERTY, helper().toString());
        return new LinuxPlatform(properties::get);
    }

    static Path program(String name) {
        return BUILT.computeIfAbsent(name, NativePrograms::compile);
    }

    private static Path compile(String name) {
        try {
            Files.createDirectories(OUTPUT);
            Path binary = OUTPUT.resolve(name);
            Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o",
                    binary.toString(), SOURCES.resolve(name + ".c").toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed for " + name + ":\n" + output);
            }
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run gcc for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
