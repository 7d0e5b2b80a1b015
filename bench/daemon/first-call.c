/*
 * first-call: a guest whose very first system call reads the clock.
 *
 * Usage: first-call OUTFILE
 * Built static with -nostdlib: no C runtime start-up, so clock_gettime(CLOCK_MONOTONIC) below
 * is the first instruction that enters the kernel after execve. It writes the time in
 * nanoseconds to OUTFILE, so a harness that took CLOCK_MONOTONIC before its request knows how
 * long the request took to reach the guest's first system call.
 */
#include <asm/unistd.h>
#include <fcntl.h>
#include <time.h>

static long raw_syscall(long number, long a, long b, long c, long d) {
    long result;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return result;
}

static int decimal(long value, char *out) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char) ('0' + value % 10);
        value /= 10;
    } while (value > 0);
    for (int i = 0; i < n; i++) {
        out[i] = digits[n - 1 - i];
    }
    out[n] = '\n';
    return n + 1;
}

__attribute__((force_align_arg_pointer, noreturn)) void _start_c(long *stack) {
    struct timespec now;
    raw_syscall(__NR_clock_gettime, CLOCK_MONOTONIC, (long) &now, 0, 0);
    char **argv = (char **) (stack + 1);
    int status = 2;
    if (stack[0] >= 2) {
        char line[24];
        int length = decimal(now.tv_sec * 1000000000L + now.tv_nsec, line);
        long fd = raw_syscall(__NR_openat, AT_FDCWD, (long) argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        status = fd >= 0 && raw_syscall(__NR_write, fd, (long) line, length, 0) == length ? 0 : 1;
    }
    raw_syscall(__NR_exit_group, status, 0, 0, 0);
    __builtin_unreachable();
}

/* The kernel enters here with the stack pointer at argc; hand it to C. */
__asm__(".globl _start\n_start:\n  mov %rsp, %rdi\n  call _start_c\n");
