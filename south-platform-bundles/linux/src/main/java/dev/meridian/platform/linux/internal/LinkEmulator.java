package dev.meridian.platform.linux.internal;

import dev.meridian.api.FileAccess;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.SyscallGateway;
import dev.meridian.api.VerdictAction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Performs a call that gives an existing object a new name (link, linkat, rename, renameat,
 * renameat2) that the policy gave {@link VerdictAction#EMULATE}: a glob over canonical paths
 * cannot see a denied file under a new name, nor a file put where writing is denied, so the
 * supervisor decides both names and then makes the call itself. Nothing is ever answered with
 * CONTINUE: the paths were read from guest memory.
 *
 * <p>Each side is resolved race-free from the paths the shim captured (never reading guest memory
 * again): its parent directory is opened (O_PATH) in the guest's root, cwd or dirfd by
 * {@link GuestPaths}, and the call then works on {@code (parent fd, last component)}, as the
 * kernel does. The policy is asked ({@code decideResolvedPath}) about:
 * <ul>
 *   <li>the source as the guest names it (its parent's canonical path plus its name) and the
 *       object it is (reached with O_NOFOLLOW, as link and rename do not follow a final symlink,
 *       except linkat's AT_SYMLINK_FOLLOW), with READ|WRITE, plus DELETE for a rename: the new
 *       name gives every access to the same object;</li>
 *   <li>the destination (its parent's canonical path plus the new name) with CREATE|WRITE, plus
 *       DELETE when a rename may replace what is there;</li>
 *   <li>for RENAME_EXCHANGE, both sides as sources and as destinations.</li>
 * </ul>
 * The supervisor is outside the guest's Landlock domain, so those access bits also make the
 * policy's allow-list check stand in for Landlock's. If every answer allows, the supervisor calls
 * {@code renameat2(oldparent, oldname, newparent, newname, flags)} or
 * {@code linkat(oldparent, oldname, newparent, newname, 0)}; a followed link source is linked as
 * the object that was decided on ({@code /proc/self/fd/N} with AT_SYMLINK_FOLLOW). The guest gets
 * the kernel's own result: EXDEV, EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY...
 *
 * <p>Calls are served one at a time by the sandbox's supervisor thread, so no other guest link or
 * rename can move a name between the checks and the call; what a guest can still put at a checked
 * name meanwhile (a new empty file or directory, a symlink) is nothing the policy denies.
 *
 * <p>Known differences from the native call, all failing closed: a source or destination whose
 * last component is {@code .} or {@code ..} (or a path of slashes only) is answered EBUSY
 * (rename), EPERM (link source) or EEXIST (link destination) without looking further, so another
 * error of the same call may be reported natively instead; a linkat source through a magic link
 * ({@code /proc/self/fd/N} with AT_SYMLINK_FOLLOW) gives ELOOP, and an unlinked O_TMPFILE given
 * with AT_EMPTY_PATH gives ENOENT; a guest whose credentials differ from the supervisor's gets
 * EPERM.
 */
final class LinkEmulator {

    private static final int READ = FileAccess.READ.bit();
    private static final int WRITE = FileAccess.WRITE.bit();
    private static final int CREATE = FileAccess.CREATE.bit();
    private static final int DELETE = FileAccess.DELETE.bit();
    private static final int LINKAT_FLAGS = LinuxSyscalls.AT_SYMLINK_FOLLOW | LinuxSyscalls.AT_EMPTY_PATH;
    private static final int RENAME_FLAGS = LinuxSyscalls.RENAME_NOREPLACE | LinuxSyscalls.RENAME_EXCHANGE
            | LinuxSyscalls.RENAME_WHITEOUT;
    /** No fd held. */
    private static final int NONE = Integer.MIN_VALUE;
    /** What {@link #serve} returns when the policy denied the call: its verdict is the answer. */
    private static final int DENIED = Integer.MIN_VALUE;

    private final MemorySegment callState;
    private final GuestPaths paths;
    private final GuestCredentials credentials;
    private final NativeString oldName;
    private final NativeString newName;
    private final byte[] canonical = new byte[GuestPaths.PATH_MAX + 1];
    private final byte[] objectPath = new byte[GuestPaths.PATH_MAX + 1];

    // The call being served, decoded.
    private boolean rename;
    private int oldDirfd;
    private int oldArg;
    private int newDirfd;
    private int newArg;
    private int flags;

    // The fds held while serving it.
    private int oldParent = NONE;
    private int newParent = NONE;
    private int object = NONE;

    LinkEmulator(Arena arena, MemorySegment callState, GuestPaths paths, GuestCredentials credentials) {
        this.callState = callState;
        this.paths = paths;
        this.credentials = credentials;
        this.oldName = new NativeString(arena, GuestPaths.PATH_MAX + 64);
        this.newName = new NativeString(arena, GuestPaths.PATH_MAX + 64);
    }

    static boolean handles(int number) {
        return number == LinuxSyscalls.SYS_LINK || number == LinuxSyscalls.SYS_LINKAT
                || number == LinuxSyscalls.SYS_RENAME || number == LinuxSyscalls.SYS_RENAMEAT
                || number == LinuxSyscalls.SYS_RENAMEAT2;
    }

    /**
     * Serves {@code call} (an EMULATE verdict on a call {@link #handles} names) of thread
     * {@code tid}. Leaves the final verdict on the call for the caller to answer: EMULATE with the
     * result, or the policy's denial.
     */
    void emulate(SyscallEvent call, SyscallGateway gateway, int tid, int tgid) {
        int problem = decode(call);
        if (problem != 0) {
            EmulatedCalls.result(call, -problem);
            return;
        }
        if (!credentials.sameAsSupervisor(tid)) {
            call.verdict(VerdictAction.DENY, LinuxSyscalls.EPERM, call.ruleId(), true);
            return;
        }
        try {
            int result = serve(call, gateway, tid, tgid);
            if (result != DENIED) {
                EmulatedCalls.result(call, result);
            }
        } finally {
            closeHeld();
            paths.release();
        }
    }

    /** Decodes the call into the fields; 0, or the errno the kernel would give for bad arguments. */
    private int decode(SyscallEvent call) {
        int number = call.number();
        rename = number == LinuxSyscalls.SYS_RENAME || number == LinuxSyscalls.SYS_RENAMEAT
                || number == LinuxSyscalls.SYS_RENAMEAT2;
        boolean at = number != LinuxSyscalls.SYS_LINK && number != LinuxSyscalls.SYS_RENAME;
        oldDirfd = at ? (int) call.arg(0) : LinuxSyscalls.AT_FDCWD;
        oldArg = at ? 1 : 0;
        newDirfd = at ? (int) call.arg(2) : LinuxSyscalls.AT_FDCWD;
        newArg = at ? 3 : 1;
        flags = number == LinuxSyscalls.SYS_LINKAT || number == LinuxSyscalls.SYS_RENAMEAT2 ? (int) call.arg(4) : 0;
        if (number == LinuxSyscalls.SYS_LINKAT && (flags & ~LINKAT_FLAGS) != 0
                || rename && (flags & ~RENAME_FLAGS) != 0
                || (flags & LinuxSyscalls.RENAME_EXCHANGE) != 0 && rename
                        && (flags & (LinuxSyscalls.RENAME_NOREPLACE | LinuxSyscalls.RENAME_WHITEOUT)) != 0) {
            return LinuxSyscalls.EINVAL;
        }
        boolean emptySourceAllowed = !rename && (flags & LinuxSyscalls.AT_EMPTY_PATH) != 0;
        int problem = pathProblem(call, oldArg, emptySourceAllowed);
        return problem != 0 ? problem : pathProblem(call, newArg, false);
    }

    private static int pathProblem(SyscallEvent call, int arg, boolean emptyAllowed) {
        if (!call.hasCapture(arg)) {
            return LinuxSyscalls.EFAULT;
        }
        if (call.captureTruncated(arg)) {
            return LinuxSyscalls.ENAMETOOLONG;
        }
        return call.captureLength(arg) == 0 && !emptyAllowed ? LinuxSyscalls.ENOENT : 0;
    }

    /** Resolves, decides and performs the call: its result, -errno, or {@link #DENIED}. */
    private int serve(SyscallEvent call, SyscallGateway gateway, int tid, int tgid) {
        byte[] data = call.captureData();
        int oldOffset = call.captureOffset(oldArg);
        int oldLength = call.captureLength(oldArg);
        int newOffset = call.captureOffset(newArg);
        int newLength = call.captureLength(newArg);
        boolean follow = !rename && (flags & LinuxSyscalls.AT_SYMLINK_FOLLOW) != 0;
        boolean exchange = rename && (flags & LinuxSyscalls.RENAME_EXCHANGE) != 0;

        int prepared = paths.prepare(tid, tgid, oldDirfd, isAbsolute(data, oldOffset, oldLength));
        if (prepared < 0) {
            return prepared;
        }
        int oldEnd = withoutTrailingSlashes(data, oldOffset, oldLength);
        int oldStart = GuestPaths.nameStart(data, oldOffset, oldEnd);
        if (oldLength == 0) {
            object = paths.takeBase(); // linkat AT_EMPTY_PATH: the file the dirfd refers to
        } else {
            oldParent = paths.lookupParent(data, oldOffset, oldStart, 0);
            if (oldParent < 0) {
                return oldParent;
            }
            if (follow) {
                object = paths.lookup(data, oldOffset, oldLength, 0, 0); // its error comes after the new parent's
            }
        }
        prepared = paths.prepare(tid, tgid, newDirfd, isAbsolute(data, newOffset, newLength));
        if (prepared < 0) {
            return prepared;
        }
        int newEnd = withoutTrailingSlashes(data, newOffset, newLength);
        int newStart = GuestPaths.nameStart(data, newOffset, newEnd);
        newParent = paths.lookupParent(data, newOffset, newStart, 0);
        if (newParent < 0) {
            return newParent;
        }
        if (oldLength != 0 && isSpecialName(data, oldStart, oldEnd)) {
            return -(rename ? LinuxSyscalls.EBUSY : LinuxSyscalls.EPERM);
        }
        if (rename && isSpecialName(data, newStart, newEnd)) {
            return -LinuxSyscalls.EBUSY;
        }
        if (object == NONE) {
            object = paths.lookupIn(oldParent, data, oldStart, oldEnd - oldStart, LinuxSyscalls.O_NOFOLLOW);
        }
        if (object < 0) {
            return object;
        }
        if (isSpecialName(data, newStart, newEnd)) {
            return -LinuxSyscalls.EEXIST;
        }

        int sourceAccess = READ | WRITE | (rename ? DELETE : 0) | (exchange ? CREATE : 0);
        int destinationAccess = CREATE | WRITE
                | (rename && (flags & LinuxSyscalls.RENAME_NOREPLACE) == 0 ? DELETE : 0) | (exchange ? READ : 0);
        int namedLength = 0;
        if (oldLength != 0) {
            namedLength = paths.canonicalEntry(oldParent, data, oldStart, oldEnd - oldStart, canonical);
            if (namedLength < 0) {
                return namedLength;
            }
            if (!EmulatedCalls.allowed(call, gateway, canonical, namedLength, sourceAccess)) {
                return DENIED;
            }
        }
        int objectLength = paths.canonical(object, objectPath);
        if (objectLength < 0) {
            return objectLength;
        }
        if (!samePath(objectLength, namedLength)
                && !EmulatedCalls.allowed(call, gateway, objectPath, objectLength, sourceAccess)) {
            return DENIED;
        }
        int destinationLength = paths.canonicalEntry(newParent, data, newStart, newEnd - newStart, canonical);
        if (destinationLength < 0) {
            return destinationLength;
        }
        if (!EmulatedCalls.allowed(call, gateway, canonical, destinationLength, destinationAccess)) {
            return DENIED;
        }
        newName.clear().append(data, newStart, newOffset + newLength - newStart);
        return perform(data, oldStart, oldOffset + oldLength - oldStart, follow || oldLength == 0);
    }

    /** Makes the call itself on what was decided: 0, or -errno as the kernel answered. */
    private int perform(byte[] data, int oldStart, int oldNameLength, boolean linkObject) {
        int done;
        if (rename) {
            oldName.clear().append(data, oldStart, oldNameLength);
            done = LinuxSyscalls.renameat2(callState, oldParent, oldName.segment(), newParent, newName.segment(), flags);
        } else if (linkObject && oldParent == NONE) {
            oldName.clear(); // AT_EMPTY_PATH: the kernel checks the (shared) credentials as for the guest
            done = LinuxSyscalls.linkat(callState, object, oldName.segment(), newParent, newName.segment(),
                    LinuxSyscalls.AT_EMPTY_PATH);
        } else if (linkObject) {
            oldName.clear().append(GuestPaths.SELF_FD).append(object);
            done = LinuxSyscalls.linkat(callState, LinuxSyscalls.AT_FDCWD, oldName.segment(), newParent,
                    newName.segment(), LinuxSyscalls.AT_SYMLINK_FOLLOW);
        } else {
            oldName.clear().append(data, oldStart, oldNameLength);
            done = LinuxSyscalls.linkat(callState, oldParent, oldName.segment(), newParent, newName.segment(), 0);
        }
        return done < 0 ? -LinuxSyscalls.errno(callState) : 0;
    }

    private boolean samePath(int objectLength, int namedLength) {
        return objectLength == namedLength
                && Arrays.equals(objectPath, 0, objectLength, canonical, 0, namedLength);
    }

    private void closeHeld() {
        oldParent = closed(oldParent);
        newParent = closed(newParent);
        object = closed(object);
    }

    private static int closed(int fd) {
        if (fd >= 0) {
            LinuxSyscalls.close(fd);
        }
        return NONE;
    }

    private static boolean isAbsolute(byte[] data, int offset, int length) {
        return length > 0 && data[offset] == '/';
    }

    /** The end of the path {@code data[offset, offset + length)} without its trailing slashes. */
    private static int withoutTrailingSlashes(byte[] data, int offset, int length) {
        int end = offset + length;
        while (end > offset && data[end - 1] == '/') {
            end--;
        }
        return end;
    }

    /** Whether the last component {@code data[start, end)} is empty, {@code .} or {@code ..}. */
    private static boolean isSpecialName(byte[] data, int start, int end) {
        int length = end - start;
        return length == 0 || data[start] == '.' && (length == 1 || length == 2 && data[start + 1] == '.');
    }
}
