/*
 * Route: open the secret with the x32 ABI entry point: the x86-64 `syscall` instruction with
 * the number's bit 30 set (__X32_SYSCALL_BIT | 257 = x32 openat). A filter comparing only the
 * low bits of nr would take it for openat's neighbours or let it through.
 * Native expectation: only kernels built with CONFIG_X86_X32_ABI (and booted without
 * syscall.x32=n) have this entry point; elsewhere it fails with ENOSYS natively too.
 * Stopped by: seccomp-BPF (nr with bit 30 set denied/killed); Landlock also checks the open.
 */
#include "escape.h"

#include <sys/syscall.h>

#define X32_SYSCALL_BIT 0x40000000L

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("x32 SECRET");
    }
    attempt("x32-abi");
    long fd = syscall(X32_SYSCALL_BIT | __NR_openat, AT_FDCWD, argv[1], O_RDONLY);
    if (fd < 0) {
        blocked("x32-openat");
    }
    read_secret_from((int) fd, "read the secret with an x32 openat");
}
