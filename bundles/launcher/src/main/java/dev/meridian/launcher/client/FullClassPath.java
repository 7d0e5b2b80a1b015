package dev.meridian.launcher.client;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded launcher in a client-only JVM (bin/meridian started it with the launcher jar alone, expecting a
 * daemon that then did not answer): the launcher again, in a class loader over every jar of {@code lib/}, as
 * bin/meridian would have started it. Slower than a normal embedded start (no AOT cache for these classes), and
 * only for that race.
 */
final class FullClassPath {
    private FullClassPath() {
    }

    /** Runs the embedded launcher with {@code args}; its Main ends the process, so this returns only on failure. */
    static int runEmbedded(String[] args) {
        try {
            Path lib = Path.of(System.getProperty("meridian.home"), "lib");
            List<String> jars = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(lib, "*.jar")) {
                for (Path jar : entries) {
                    jars.add(jar.toString());
                }
            }
            // The order of bin/meridian (C locale): the same classes win as in a normal start.
            jars.sort(null);
            List<URL> urls = new ArrayList<>();
            for (String jar : jars) {
                urls.add(Path.of(jar).toUri().toURL());
            }
            // The launcher reads both: the libraries it exports to bundles, and not to take this path again.
            System.setProperty("java.class.path", String.join(java.io.File.pathSeparator, jars));
            System.setProperty(DaemonClient.CLIENT_ONLY, "false");
            ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            Thread.currentThread().setContextClassLoader(loader);
            String[] embedded = new String[args.length + 1];
            embedded[0] = args[0];
            embedded[1] = RunRequest.EMBEDDED;
            System.arraycopy(args, 1, embedded, 2, args.length - 1);
            loader.loadClass("dev.meridian.launcher.Main").getMethod("main", String[].class)
                    .invoke(null, (Object) embedded);
            return 0;
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            System.err.println("meridian: cannot run embedded after the daemon did not answer: " + cause);
            return ClientException.SETUP_FAILED;
        }
    }
}
