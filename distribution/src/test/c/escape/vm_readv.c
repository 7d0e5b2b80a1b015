/*
 * Route: read the memory of a process outside the sandbox (the test's victim) at ADDRESS (hex,
 * the start of its first mapping, taken by the test from /proc/PID/maps: the ELF header), with
 * process_vm_readv (mode readv) or by pread on /proc/PID/mem (mode procmem).
 * Success = read the 4 bytes "\x7fELF".
 * Stopped by: seccomp-BPF (process_vm_readv denied: EPERM); Landlock (no access to /proc/PID
 * outside /proc/self) and Landlock ptrace scoping (ptrace access checks: EPERM); a pid namespace.
 */
#include "escape.h"

#include <stdint.h>
#include <sys/uio.h>

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[3], "readv") != 0 && strcmp(argv[3], "procmem") != 0)) {
        usage_exit("vm_readv PID HEX_ADDRESS readv|procmem");
    }
    int readv_mode = strcmp(argv[3], "readv") == 0;
    attempt(readv_mode ? "process_vm_readv" : "proc-pid-mem");
    pid_t victim = atoi(argv[1]);
    uintptr_t address = strtoull(argv[2], NULL, 16);
    char bytes[4];
    if (readv_mode) {
        struct iovec local = {.iov_base = bytes, .iov_len = sizeof bytes};
        struct iovec remote = {.iov_base = (void *) address, .iov_len = sizeof bytes};
        if (process_vm_readv(victim, &local, 1, &remote, 1, 0) != (ssize_t) sizeof bytes) {
            blocked("process_vm_readv");
        }
    } else {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", (int) victim);
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            blocked("open-proc-pid-mem");
        }
        if (pread(fd, bytes, sizeof bytes, (off_t) address) != (ssize_t) sizeof bytes) {
            blocked("pread-proc-pid-mem");
        }
    }
    if (memcmp(bytes, "\177ELF", 4) != 0) {
        blocked_with("memory-content", ENODATA);
    }
    char proof[96];
    int length = snprintf(proof, sizeof proof, "ELF header at 0x%lx of pid %d", (unsigned long) address, (int) victim);
    escaped(readv_mode ? "read another process's memory with process_vm_readv:"
                       : "read another process's memory through /proc/PID/mem:", proof, length);
}
