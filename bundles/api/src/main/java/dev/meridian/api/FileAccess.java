package dev.meridian.api;

/**
 * Kinds of file access a policy speaks of (design §4). The ordinal is the bit used in
 * {@link Policy#decideResolvedPath}'s access mask.
 */
public enum FileAccess {
    /** Read a file's contents or list a directory. */
    READ,
    /** Write to or truncate an existing file. */
    WRITE,
    /** Execute a file. */
    EXECUTE,
    /** Create files, directories, links, FIFOs and sockets; rename or link into a directory. */
    CREATE,
    /** Remove files and directories; rename out of a directory. */
    DELETE;

    public int bit() {
        return 1 << ordinal();
    }
}
