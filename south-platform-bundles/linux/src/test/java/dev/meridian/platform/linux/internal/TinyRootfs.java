package dev.meridian.platform.linux.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A root file system made of the host's /bin/sh and the libraries ldd says it needs: no network, no image. */
final class TinyRootfs {

    private static final Pattern LIBRARY = Pattern.compile("(/\\S+) \\(0x");

    private TinyRootfs() {
    }

    static Path build(Path root) throws IOException, InterruptedException {
        Path shell = Path.of("/bin/sh").toRealPath();
        copy(shell, root.resolve("bin/sh"));
        Process ldd = new ProcessBuilder("ldd", shell.toString()).start();
        String libraries = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (ldd.waitFor() != 0) {
            throw new IOException("ldd " + shell + " failed");
        }
        Matcher library = LIBRARY.matcher(libraries);
        while (library.find()) {
            Path path = Path.of(library.group(1));
            copy(path.toRealPath(), root.resolve(path.toString().substring(1)));
        }
        return root;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
