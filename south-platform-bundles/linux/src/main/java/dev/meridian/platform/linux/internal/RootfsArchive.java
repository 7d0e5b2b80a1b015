package dev.meridian.platform.linux.internal;

import dev.meridian.api.SandboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * A tar rootfs, extracted once (by tar(1), which also reads compressed archives) into a cache
 * private to this user: {@code <runtime>/meridian-rootfs-<uid>/<digest>}, the digest naming the
 * archive's real path, size and modification time. Sandboxes only ever read it (it is the
 * overlay's lower layer); entries are not removed automatically.
 */
final class RootfsArchive {

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private RootfsArchive() {
    }

    static Path extract(Path archive, Path runtimeBase) throws SandboxException {
        try {
            Path cache = privateCache(runtimeBase);
            Path extracted = cache.resolve(key(archive));
            if (Files.isDirectory(extracted)) {
                return extracted;
            }
            Path staging = Files.createTempDirectory(cache, "extracting-");
            Process tar = new ProcessBuilder("tar", "-x", "-f", archive.toAbsolutePath().toString(), "-C", staging.toString())
                    .redirectErrorStream(true)
                    .start();
            tar.getOutputStream().close();
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (tar.waitFor() != 0) {
                FileTrees.delete(staging);
                throw new SandboxException("cannot extract rootfs " + archive + ": "
                        + (output.isEmpty() ? "tar failed" : output.lines().findFirst().orElseThrow()));
            }
            try {
                Files.move(staging, extracted, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // Another sandbox extracted the same archive meanwhile.
                FileTrees.delete(staging);
            }
            return extracted;
        } catch (IOException e) {
            throw new SandboxException("cannot extract rootfs " + archive + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while extracting rootfs " + archive, e);
        }
    }

    /** Made by us and closed to others, so nobody can slip a prepared tree in. */
    private static Path privateCache(Path runtimeBase) throws IOException, SandboxException {
        // /proc/self belongs to the process's effective uid.
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Path cache = runtimeBase.resolve("meridian-rootfs-" + uid);
        if (!Files.exists(cache, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(cache, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (FileAlreadyExistsException e) {
                // Made meanwhile: checked below like any other.
            }
        }
        if (!Files.isDirectory(cache, LinkOption.NOFOLLOW_LINKS)
                || !Files.getAttribute(cache, "unix:uid", LinkOption.NOFOLLOW_LINKS).equals(uid)
                || !Files.getPosixFilePermissions(cache, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE)) {
            throw new SandboxException("the rootfs cache " + cache + " is not a directory private to this user");
        }
        return cache;
    }

    private static String key(Path archive) throws IOException {
        Path real = archive.toRealPath();
        String identity = real + "\0" + Files.size(real) + "\0" + Files.getLastModifiedTime(real).toMillis();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
