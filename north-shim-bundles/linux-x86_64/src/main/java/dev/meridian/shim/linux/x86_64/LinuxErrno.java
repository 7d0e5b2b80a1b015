package dev.meridian.shim.linux.x86_64;

import java.util.HashMap;
import java.util.Map;

/**
 * Linux error numbers 1..133 ({@code include/uapi/asm-generic/errno-base.h} and {@code errno.h};
 * x86-64 uses the generic numbering) with the descriptions glibc's {@code strerror} gives, as
 * strace prints them. 41 and 58 are unused. Aliases ({@code EWOULDBLOCK}, {@code EDEADLOCK}) map
 * to the canonical name.
 */
public final class LinuxErrno {

    /** The highest error number user space sees; above it lie kernel-internal codes. */
    public static final int MAX = 133;

    private static final String[] NAMES = new String[MAX + 1];
    private static final String[] DESCRIPTIONS = new String[MAX + 1];
    private static final Map<String, Integer> NUMBERS = new HashMap<>();

    static {
        errno(  1, "EPERM", "Operation not permitted");
        errno(  2, "ENOENT", "No such file or directory");
        errno(  3, "ESRCH", "No such process");
        errno(  4, "EINTR", "Interrupted system call");
        errno(  5, "EIO", "Input/output error");
        errno(  6, "ENXIO", "No such device or address");
        errno(  7, "E2BIG", "Argument list too long");
        errno(  8, "ENOEXEC", "Exec format error");
        errno(  9, "EBADF", "Bad file descriptor");
        errno( 10, "ECHILD", "No child processes");
        errno( 11, "EAGAIN", "Resource temporarily unavailable");
        errno( 12, "ENOMEM", "Cannot allocate memory");
        errno( 13, "EACCES", "Permission denied");
        errno( 14, "EFAULT", "Bad address");
        errno( 15, "ENOTBLK", "Block device required");
        errno( 16, "EBUSY", "Device or resource busy");
        errno( 17, "EEXIST", "File exists");
        errno( 18, "EXDEV", "Invalid cross-device link");
        errno( 19, "ENODEV", "No such device");
        errno( 20, "ENOTDIR", "Not a directory");
        errno( 21, "EISDIR", "Is a directory");
        errno( 22, "EINVAL", "Invalid argument");
        errno( 23, "ENFILE", "Too many open files in system");
        errno( 24, "EMFILE", "Too many open files");
        errno( 25, "ENOTTY", "Inappropriate ioctl for device");
        errno( 26, "ETXTBSY", "Text file busy");
        errno( 27, "EFBIG", "File too large");
        errno( 28, "ENOSPC", "No space left on device");
        errno( 29, "ESPIPE", "Illegal seek");
        errno( 30, "EROFS", "Read-only file system");
        errno( 31, "EMLINK", "Too many links");
        errno( 32, "EPIPE", "Broken pipe");
        errno( 33, "EDOM", "Numerical argument out of domain");
        errno( 34, "ERANGE", "Numerical result out of range");
        errno( 35, "EDEADLK", "Resource deadlock avoided");
        errno( 36, "ENAMETOOLONG", "File name too long");
        errno( 37, "ENOLCK", "No locks available");
        errno( 38, "ENOSYS", "Function not implemented");
        errno( 39, "ENOTEMPTY", "Directory not empty");
        errno( 40, "ELOOP", "Too many levels of symbolic links");
        errno( 42, "ENOMSG", "No message of desired type");
        errno( 43, "EIDRM", "Identifier removed");
        errno( 44, "ECHRNG", "Channel number out of range");
        errno( 45, "EL2NSYNC", "Level 2 not synchronized");
        errno( 46, "EL3HLT", "Level 3 halted");
        errno( 47, "EL3RST", "Level 3 reset");
        errno( 48, "ELNRNG", "Link number out of range");
        errno( 49, "EUNATCH", "Protocol driver not attached");
        errno( 50, "ENOCSI", "No CSI structure available");
        errno( 51, "EL2HLT", "Level 2 halted");
        errno( 52, "EBADE", "Invalid exchange");
        errno( 53, "EBADR", "Invalid request descriptor");
        errno( 54, "EXFULL", "Exchange full");
        errno( 55, "ENOANO", "No anode");
        errno( 56, "EBADRQC", "Invalid request code");
        errno( 57, "EBADSLT", "Invalid slot");
        errno( 59, "EBFONT", "Bad font file format");
        errno( 60, "ENOSTR", "Device not a stream");
        errno( 61, "ENODATA", "No data available");
        errno( 62, "ETIME", "Timer expired");
        errno( 63, "ENOSR", "Out of streams resources");
        errno( 64, "ENONET", "Machine is not on the network");
        errno( 65, "ENOPKG", "Package not installed");
        errno( 66, "EREMOTE", "Object is remote");
        errno( 67, "ENOLINK", "Link has been severed");
        errno( 68, "EADV", "Advertise error");
        errno( 69, "ESRMNT", "Srmount error");
        errno( 70, "ECOMM", "Communication error on send");
        errno( 71, "EPROTO", "Protocol error");
        errno( 72, "EMULTIHOP", "Multihop attempted");
        errno( 73, "EDOTDOT", "RFS specific error");
        errno( 74, "EBADMSG", "Bad message");
        errno( 75, "EOVERFLOW", "Value too large for defined data type");
        errno( 76, "ENOTUNIQ", "Name not unique on network");
        errno( 77, "EBADFD", "File descriptor in bad state");
        errno( 78, "EREMCHG", "Remote address changed");
        errno( 79, "ELIBACC", "Can not access a needed shared library");
        errno( 80, "ELIBBAD", "Accessing a corrupted shared library");
        errno( 81, "ELIBSCN", ".lib section in a.out corrupted");
        errno( 82, "ELIBMAX", "Attempting to link in too many shared libraries");
        errno( 83, "ELIBEXEC", "Cannot exec a shared library directly");
        errno( 84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        errno( 85, "ERESTART", "Interrupted system call should be restarted");
        errno( 86, "ESTRPIPE", "Streams pipe error");
        errno( 87, "EUSERS", "Too many users");
        errno( 88, "ENOTSOCK", "Socket operation on non-socket");
        errno( 89, "EDESTADDRREQ", "Destination address required");
        errno( 90, "EMSGSIZE", "Message too long");
        errno( 91, "EPROTOTYPE", "Protocol wrong type for socket");
        errno( 92, "ENOPROTOOPT", "Protocol not available");
        errno( 93, "EPROTONOSUPPORT", "Protocol not supported");
        errno( 94, "ESOCKTNOSUPPORT", "Socket type not supported");
        errno( 95, "EOPNOTSUPP", "Operation not supported");
        errno( 96, "EPFNOSUPPORT", "Protocol family not supported");
        errno( 97, "EAFNOSUPPORT", "Address family not supported by protocol");
        errno( 98, "EADDRINUSE", "Address already in use");
        errno( 99, "EADDRNOTAVAIL", "Cannot assign requested address");
        errno(100, "ENETDOWN", "Network is down");
        errno(101, "ENETUNREACH", "Network is unreachable");
        errno(102, "ENETRESET", "Network dropped connection on reset");
        errno(103, "ECONNABORTED", "Software caused connection abort");
        errno(104, "ECONNRESET", "Connection reset by peer");
        errno(105, "ENOBUFS", "No buffer space available");
        errno(106, "EISCONN", "Transport endpoint is already connected");
        errno(107, "ENOTCONN", "Transport endpoint is not connected");
        errno(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown");
        errno(109, "ETOOMANYREFS", "Too many references: cannot splice");
        errno(110, "ETIMEDOUT", "Connection timed out");
        errno(111, "ECONNREFUSED", "Connection refused");
        errno(112, "EHOSTDOWN", "Host is down");
        errno(113, "EHOSTUNREACH", "No route to host");
        errno(114, "EALREADY", "Operation already in progress");
        errno(115, "EINPROGRESS", "Operation now in progress");
        errno(116, "ESTALE", "Stale file handle");
        errno(117, "EUCLEAN", "Structure needs cleaning");
        errno(118, "ENOTNAM", "Not a XENIX named type file");
        errno(119, "ENAVAIL", "No XENIX semaphores available");
        errno(120, "EISNAM", "Is a named type file");
        errno(121, "EREMOTEIO", "Remote I/O error");
        errno(122, "EDQUOT", "Disk quota exceeded");
        errno(123, "ENOMEDIUM", "No medium found");
        errno(124, "EMEDIUMTYPE", "Wrong medium type");
        errno(125, "ECANCELED", "Operation canceled");
        errno(126, "ENOKEY", "Required key not available");
        errno(127, "EKEYEXPIRED", "Key has expired");
        errno(128, "EKEYREVOKED", "Key has been revoked");
        errno(129, "EKEYREJECTED", "Key was rejected by service");
        errno(130, "EOWNERDEAD", "Owner died");
        errno(131, "ENOTRECOVERABLE", "State not recoverable");
        errno(132, "ERFKILL", "Operation not possible due to RF-kill");
        errno(133, "EHWPOISON", "Memory page has hardware error");
        NUMBERS.put("EWOULDBLOCK", 11);
        NUMBERS.put("EDEADLOCK", 35);
        NUMBERS.put("ENOTSUP", 95);
    }

    private LinuxErrno() {
    }

    private static void errno(int number, String name, String description) {
        NAMES[number] = name;
        DESCRIPTIONS[number] = description;
        NUMBERS.put(name, number);
    }

    /** The symbolic name of {@code number}, e.g. {@code ENOENT}, or {@code null} if it has none. */
    public static String name(int number) {
        return number > 0 && number <= MAX ? NAMES[number] : null;
    }

    /** What {@code strerror} says for {@code number}, or {@code null} if it has no name. */
    public static String description(int number) {
        return number > 0 && number <= MAX ? DESCRIPTIONS[number] : null;
    }

    /** The number of the error named {@code name} (aliases included), or -1. */
    public static int number(String name) {
        Integer number = NUMBERS.get(name);
        return number == null ? -1 : number;
    }
}
