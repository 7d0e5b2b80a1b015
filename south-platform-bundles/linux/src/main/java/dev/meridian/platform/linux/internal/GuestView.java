package dev.meridian.platform.linux.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Maps a path as the guest will see it to the host file behind it, for the checks made before
 * launch: the host's own files, or a rootfs directory in which symbolic links are followed as
 * the guest follows them (an absolute target starts again at the rootfs, {@code ..} stops there).
 * Mounts over the root are not taken into account.
 */
final class GuestView {

    static final GuestView HOST = new GuestView(null);

    /** Linux's own limit on symbolic links followed in one lookup. */
    private static final int MAX_LINKS = 40;

    private final Path root;

    private GuestView(Path root) {
        this.root = root;
    }

    /** @param root the directory that is the guest's {@code /} */
    static GuestView rootedAt(Path root) {
        return new GuestView(root);
    }

    /** @param guestPath an absolute path in the guest */
    Path toHost(Path guestPath) {
        if (root == null) {
            return guestPath;
        }
        Deque<String> pending = new ArrayDeque<>();
        guestPath.forEach(name -> pending.addLast(name.toString()));
        Path current = root;
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (name.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            if (name.equals(".")) {
                continue;
            }
            Path next = current.resolve(name);
            if (!Files.isSymbolicLink(next) || ++links > MAX_LINKS) {
                current = next;
                continue;
            }
            Path target;
            try {
                target = Files.readSymbolicLink(next);
            } catch (IOException e) {
                current = next;
                continue;
            }
            for (int i = target.getNameCount() - 1; i >= 0; i--) {
                pending.addFirst(target.getName(i).toString());
            }
            if (target.isAbsolute()) {
                current = root;
            }
        }
        return current;
    }
}
