/*
 * Route: open and read the secret through io_uring (IORING_OP_OPENAT, then IORING_OP_READ),
 * with raw system calls and the rings mapped by hand (no liburing). The operations run inside
 * the kernel without any system call of their own, so seccomp never sees the openat or read.
 * Stopped by: seccomp-BPF (io_uring_setup/enter/register denied: EPERM); Landlock also checks
 * io_uring's openat, but the supervisor's deny globs would be bypassed entirely.
 */
#include "escape.h"

#include <linux/io_uring.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

struct ring {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
};

static void setup(struct ring *ring) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    ring->fd = (int) syscall(__NR_io_uring_setup, 4, &params);
    if (ring->fd < 0) {
        blocked("io_uring_setup");
    }
    size_t sq_size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    size_t cq_size = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
    char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring->fd, IORING_OFF_SQ_RING);
    char *cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring->fd, IORING_OFF_CQ_RING);
    ring->sqes = mmap(NULL, params.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_POPULATE, ring->fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || ring->sqes == MAP_FAILED) {
        blocked("mmap-ring");
    }
    ring->sq_tail = (unsigned *) (sq + params.sq_off.tail);
    ring->sq_mask = (unsigned *) (sq + params.sq_off.ring_mask);
    ring->sq_array = (unsigned *) (sq + params.sq_off.array);
    ring->cq_head = (unsigned *) (cq + params.cq_off.head);
    ring->cq_tail = (unsigned *) (cq + params.cq_off.tail);
    ring->cq_mask = (unsigned *) (cq + params.cq_off.ring_mask);
    ring->cqes = (struct io_uring_cqe *) (cq + params.cq_off.cqes);
}

/* Submits one prepared entry and waits for its completion; returns the completion's result. */
static int submit_and_wait(struct ring *ring, const struct io_uring_sqe *entry, const char *step) {
    unsigned tail = *ring->sq_tail;
    unsigned index = tail & *ring->sq_mask;
    ring->sqes[index] = *entry;
    ring->sq_array[index] = index;
    __atomic_store_n(ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
    if (syscall(__NR_io_uring_enter, ring->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
        blocked("io_uring_enter");
    }
    unsigned head = *ring->cq_head;
    if (head == __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE)) {
        blocked_with(step, EAGAIN);
    }
    int result = ring->cqes[head & *ring->cq_mask].res;
    __atomic_store_n(ring->cq_head, head + 1, __ATOMIC_RELEASE);
    if (result < 0) {
        blocked_with(step, -result);
    }
    return result;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        usage_exit("io_uring SECRET");
    }
    attempt("io_uring");
    struct ring ring;
    setup(&ring);

    struct io_uring_sqe open_entry;
    memset(&open_entry, 0, sizeof open_entry);
    open_entry.opcode = IORING_OP_OPENAT;
    open_entry.fd = AT_FDCWD;
    open_entry.addr = (uint64_t) (uintptr_t) argv[1];
    open_entry.open_flags = O_RDONLY;
    int fd = submit_and_wait(&ring, &open_entry, "IORING_OP_OPENAT");

    static char content[512];
    struct io_uring_sqe read_entry;
    memset(&read_entry, 0, sizeof read_entry);
    read_entry.opcode = IORING_OP_READ;
    read_entry.fd = fd;
    read_entry.addr = (uint64_t) (uintptr_t) content;
    read_entry.len = sizeof content - 1;
    read_entry.off = 0;
    int length = submit_and_wait(&ring, &read_entry, "IORING_OP_READ");
    if (!is_secret(content, length)) {
        blocked_with("IORING_OP_READ-content", ENODATA);
    }
    escaped("read the secret with io_uring", content, length);
}
