package dev.meridian.api;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Allow-list file-system rules for a kernel access-control layer (Landlock on Linux): every
 * access kind in {@link #handled} is denied unless a grant allows it for the file or a
 * directory above it. Paths are absolute and already canonical in the sandbox's view.
 *
 * @param handled the access kinds the rules restrict; the others are not restricted here
 * @param grants what is allowed beneath which path
 */
public record FileRules(Set<FileAccess> handled, List<Grant> grants) {

    /**
     * @param path an absolute path; the grant covers it and everything beneath it
     * @param access what is allowed there (a subset of {@link FileRules#handled})
     * @param ruleId the policy rule this came from
     */
    public record Grant(String path, Set<FileAccess> access, int ruleId) {
        public Grant {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("a file grant needs an absolute path: " + path);
            }
            access = Set.copyOf(access);
        }
    }

    public FileRules {
        handled = Set.copyOf(handled);
        grants = List.copyOf(grants);
    }
}
