package dev.meridian.control.internal;

import dev.meridian.api.PolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The stored policies, {@code STATE/policies/NAME.yaml}. A policy is checked where it will live (so its relative
 * {@code extends} resolve as they will at use): the new text takes the name's place, is loaded, and the previous text
 * is put back when it does not load.
 */
final class PolicyStore {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final String SUFFIX = ".yaml";

    /** Loads the policy file at the path; the message of the exception names the problems. */
    interface Check {
        void load(Path file) throws PolicyException;
    }

    private final Path directory;

    PolicyStore(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("a policy name takes 1 to 64 letters, digits, '-' and '_', starting with a "
                    + "letter or digit: '" + name + "'");
        }
    }

    Path path(String name) {
        checkName(name);
        return directory.resolve(name + SUFFIX);
    }

    /** The file of stored policy {@code name}, which must exist. */
    Path existing(String name) {
        Path file = path(name);
        if (!Files.isRegularFile(file)) {
            throw ApiException.policyInvalid("no stored policy '" + name + "' (store it with PUT /v1/policies/" + name
                    + ")");
        }
        return file;
    }

    List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - SUFFIX.length());
                if (NAME.matcher(name).matches() && Files.isRegularFile(file)) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return names;
    }

    String read(String name) throws IOException {
        try {
            return Files.readString(path(name), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw ApiException.notFound("no stored policy '" + name + "'");
        }
    }

    /**
     * Stores {@code text} as policy {@code name} if it loads.
     *
     * @return whether a policy of that name was replaced
     */
    synchronized boolean store(String name, String text, Check check) throws IOException {
        Path file = path(name);
        Files.createDirectories(directory);
        Path incoming = directory.resolve("." + name + SUFFIX + ".incoming");
        Path previous = directory.resolve("." + name + SUFFIX + ".previous");
        Files.writeString(incoming, text, StandardCharsets.UTF_8);
        boolean replaced = Files.isRegularFile(file);
        if (replaced) {
            Files.move(file, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(incoming, file, StandardCopyOption.ATOMIC_MOVE);
        try {
            check.load(file);
        } catch (PolicyException e) {
            restore(file, previous, replaced);
            throw ApiException.policyInvalid(e.getMessage());
        } catch (RuntimeException e) {
            restore(file, previous, replaced);
            throw e;
        }
        Files.deleteIfExists(previous);
        return replaced;
    }

    private static void restore(Path file, Path previous, boolean replaced) throws IOException {
        if (replaced) {
            Files.move(previous, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.deleteIfExists(file);
        }
    }
}
