/*
 * meridian-exec: starts one Meridian guest under a seccomp user-notification filter.
 *
 *   meridian-exec CONFIG-FILE -- PROGRAM [ARGS...]
 *
 * The supervisor JVM (bundle dev.meridian.platform.linux) writes CONFIG-FILE into a private
 * runtime directory and starts this helper with an empty environment. The helper
 *   1. reads and unlinks the config: report FIFO, guest environment, seccomp program;
 *   2. arms PR_SET_PDEATHSIG, joins the sandbox's cgroup, takes the passed descriptors and
 *      creates a PID namespace;
 *   3. forks the namespace's init (pid 1), which creates the mount, IPC, UTS (and network)
 *      namespaces, builds the guest's view of the files with its own /proc, forks the guest,
 *      reaps orphans and forwards signals to the guest;
 *   4. the guest reports its host pid and the listener's fd number on the FIFO, installs its
 *      Landlock ruleset (if any) and the filter, and waits in the handshake call
 *      seccomp(HANDSHAKE_OPERATION, HANDSHAKE_FLAGS, 0), which every guest filter notifies,
 *      until the supervisor took the listener with pidfd_getfd and answered it with 0; then it
 *      execs PROGRAM.
 * If the supervisor dies the helper dies, then the init, and the kernel kills the rest of the
 * namespace: no guest outlives its supervisor.
 *
 * Config file, version 1 (little-endian):
 *   header   "MXEC", u16 version, u16 flags (none defined, must be 0), u32 supervisor pid,
 *            u32 section count
 *   section  u32 type, u32 payload length, payload; each type at most once:
 *     1 report FIFO      path bytes (no NUL)
 *     2 environment      u32 count, then count NUL-terminated "NAME=value" strings
 *     3 seccomp filter   u32 seccomp() flags, u32 instruction count, struct sock_filter[count]
 *     4 landlock         optional: u64 handled fs access, u64 handled net access, u64 scoped,
 *                        u32 path rule count, per rule u64 allowed access, u32 path length,
 *                        path bytes (absolute, no NUL); u32 port rule count, per rule
 *                        u64 allowed access, u64 port
 *     5 isolation        rootfs, mounts, network, host name, rlimits, cgroup, passed descriptors
 *                        (optional; meridian-exec-isolation.c documents it)
 *     6 session          optional: u32 flags (1 the guest starts a new session, 2 it gets a
 *                        terminal: 1 and 2 together), then for 2 the terminal's path (a pts the
 *                        supervisor allocated; no NUL). The helper opens it O_NOCTTY before
 *                        anything else and puts it on its 0, 1 and 2, so the init and the guest
 *                        inherit it; the guest makes it its controlling terminal (TIOCSCTTY).
 *   A section type this helper does not know is refused: an older helper must not silently run
 *   a guest without the confinement a later one would have installed.
 *
 * Landlock (apply_landlock), installed by the guest right before its seccomp filter, after the
 * isolation built its view of the files: a path that does not exist (ENOENT, ENOTDIR) is
 * skipped, as it grants nothing; on a path that is not a directory only the rights Landlock
 * knows for files are kept; any other error fails.
 *
 * Report records on the FIFO (native byte order): u32 type, u32 payload length, payload.
 *   1 INIT   i32 host pid of the namespace init, i32 namespace kind (1 pid, 2 user+pid)
 *   2 READY  i32 host pid of the guest, i32 listener fd number, u32 seccomp() flags in effect
 *   3 EXIT   i32 raw wait status of the guest (a bare signal number when the namespace was killed),
 *            u64 user and u64 system CPU microseconds of the whole namespace (the init and every
 *            task it reaped, which is every task of the namespace)
 *   4 FAIL   UTF-8 message: the helper could not start the guest
 *
 * Exit status: the guest's (128 + signal when a signal killed it); 125 when the helper failed;
 * 126 / 127 when PROGRAM cannot be executed / was not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Landlock UAPI newer than Debian 12's 6.1 headers (ABI 2), as linux/landlock.h defines it. */
#define MERIDIAN_LANDLOCK_RULE_NET_PORT 2                        /* ABI 4 */
#define MERIDIAN_LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)        /* ABI 3 */
#define MERIDIAN_LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)       /* ABI 5 */

/* struct landlock_ruleset_attr as of ABI 6; the kernel takes a prefix of it (its size). */
struct meridian_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;  /* ABI 4 */
    uint64_t scoped;              /* ABI 6 */
};

/* struct landlock_net_port_attr (ABI 4). */
struct meridian_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

/* The rights a path rule may grant on a file that is not a directory (the kernel's ACCESS_FILE). */
#define LANDLOCK_FILE_ACCESS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE \
        | LANDLOCK_ACCESS_FS_READ_FILE | MERIDIAN_LANDLOCK_ACCESS_FS_TRUNCATE \
        | MERIDIAN_LANDLOCK_ACCESS_FS_IOCTL_DEV)

enum { EXIT_HELPER_FAILED = 125, EXIT_CANNOT_EXECUTE = 126, EXIT_NOT_FOUND = 127 };

/* The handshake call's arguments (SeccompCompiler.HANDSHAKE_*): an operation the kernel refuses
 * (EINVAL), so only the supervisor's answer returns 0. */
#define HANDSHAKE_OPERATION 0x6d786563L
#define HANDSHAKE_FLAGS 0x68616e64L

#define CONFIG_MAGIC "MXEC"
#define CONFIG_VERSION 1
#define CONFIG_MAX_BYTES (4u << 20)
#define MAX_ENVIRONMENT 65536u

enum section_type {
    SECTION_REPORT_FIFO = 1, SECTION_ENVIRONMENT = 2, SECTION_SECCOMP_FILTER = 3, SECTION_LANDLOCK = 4,
    SECTION_ISOLATION = 5, SECTION_SESSION = 6
};
enum session_flags { SESSION_NEW = 1, SESSION_TERMINAL = 2 };
enum record_type { RECORD_INIT = 1, RECORD_READY = 2, RECORD_EXIT = 3, RECORD_FAIL = 4 };
enum namespace_kind { NAMESPACE_PID = 1, NAMESPACE_USER_PID = 2 };

#define SUPPORTED_SECCOMP_FLAGS \
    (SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* Sent to the helper or the init by someone (the supervisor, kill(1)), passed on to the guest. */
static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2 };

struct landlock_path_rule {
    uint64_t allowed_access;
    char *path;
};

struct landlock_port_rule {
    uint64_t allowed_access;
    uint64_t port;
};

struct landlock_rules {
    int present;
    struct meridian_ruleset_attr handled;
    uint32_t path_count;
    struct landlock_path_rule *paths;
    uint32_t port_count;
    struct landlock_port_rule *ports;
};

struct config {
    pid_t supervisor_pid;
    char *report_path;
    char **environment;
    uint32_t seccomp_flags;
    struct sock_fprog filter;
    struct landlock_rules landlock;
    uint32_t session_flags;
    char *terminal_path;
};

extern char **environ;

static int report_fd = -1;

static int write_record(uint32_t type, const void *payload, uint32_t length)
{
    unsigned char record[8 + 512];
    if (length > sizeof record - 8)
        length = sizeof record - 8;
    memcpy(record, &type, 4);
    memcpy(record + 4, &length, 4);
    memcpy(record + 8, payload, length);
    /* Writes of at most PIPE_BUF bytes to a FIFO are atomic: records never interleave. */
    ssize_t written;
    do {
        written = write(report_fd, record, 8 + length);
    } while (written < 0 && errno == EINTR);
    return written == (ssize_t) (8 + length);
}

/* Reports why the guest could not be started (to the supervisor when it listens) and exits. */
__attribute__((noreturn, format(printf, 1, 2)))
static void fail(const char *format, ...)
{
    char message[480];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (length < 0)
        length = 0;
    if ((size_t) length >= sizeof message)
        length = sizeof message - 1;
    if (report_fd < 0 || !write_record(RECORD_FAIL, message, (uint32_t) length))
        dprintf(STDERR_FILENO, "meridian-exec: %s\n", message);
    _exit(EXIT_HELPER_FAILED);
}

/* Opens /dev/null on a closed 0, 1 or 2, so no descriptor of the helper lands there. */
static void ensure_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        if (open("/dev/null", O_RDWR) != fd)
            fail("cannot open /dev/null on closed descriptor %d: %s", fd, strerror(errno));
    }
}

struct cursor {
    const unsigned char *data;
    size_t size;
    size_t at;
};

static const unsigned char *take(struct cursor *cursor, size_t length, const char *what)
{
    if (cursor->size - cursor->at < length)
        fail("config is truncated in %s", what);
    const unsigned char *start = cursor->data + cursor->at;
    cursor->at += length;
    return start;
}

static uint32_t take_u32(struct cursor *cursor, const char *what)
{
    uint32_t value;
    memcpy(&value, take(cursor, 4, what), 4);
    return value;
}

static uint64_t take_u64(struct cursor *cursor, const char *what)
{
    uint64_t value;
    memcpy(&value, take(cursor, 8, what), 8);
    return value;
}

static uint16_t take_u16(struct cursor *cursor, const char *what)
{
    uint16_t value;
    memcpy(&value, take(cursor, 2, what), 2);
    return value;
}

static void parse_report_fifo(struct cursor *section, struct config *config)
{
    size_t length = section->size;
    if (length == 0 || memchr(section->data, '\0', length) != NULL)
        fail("config names no valid report FIFO");
    config->report_path = strndup((const char *) section->data, length);
    if (config->report_path == NULL)
        fail("out of memory");
}

static void parse_environment(struct cursor *section, struct config *config)
{
    uint32_t count = take_u32(section, "environment");
    if (count > MAX_ENVIRONMENT)
        fail("config has too many environment variables (%u)", count);
    char **environment = calloc((size_t) count + 1, sizeof *environment);
    if (environment == NULL)
        fail("out of memory");
    for (uint32_t i = 0; i < count; i++) {
        const char *start = (const char *) section->data + section->at;
        const char *end = memchr(start, '\0', section->size - section->at);
        if (end == NULL || strchr(start, '=') == NULL)
            fail("config environment entry %u is malformed", i);
        environment[i] = (char *) start;
        section->at += (size_t) (end - start) + 1;
    }
    if (section->at != section->size)
        fail("config environment has trailing bytes");
    config->environment = environment;
}

static void parse_seccomp_filter(struct cursor *section, struct config *config)
{
    config->seccomp_flags = take_u32(section, "seccomp filter");
    uint32_t count = take_u32(section, "seccomp filter");
    if ((config->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) == 0
            || (config->seccomp_flags & ~SUPPORTED_SECCOMP_FLAGS) != 0)
        fail("config asks for unsupported seccomp flags 0x%x", config->seccomp_flags);
    if (count == 0 || count > BPF_MAXINSNS)
        fail("config seccomp program has %u instructions (1 to %d allowed)", count, BPF_MAXINSNS);
    if (section->size - section->at != (size_t) count * sizeof(struct sock_filter))
        fail("config seccomp program length does not match its %u instructions", count);
    struct sock_filter *instructions = malloc((size_t) count * sizeof *instructions);
    if (instructions == NULL)
        fail("out of memory");
    memcpy(instructions, section->data + section->at, (size_t) count * sizeof *instructions);
    config->filter.len = (unsigned short) count;
    config->filter.filter = instructions;
}

static void parse_landlock(struct cursor *section, struct config *config)
{
    struct landlock_rules *rules = &config->landlock;
    rules->handled.handled_access_fs = take_u64(section, "landlock");
    rules->handled.handled_access_net = take_u64(section, "landlock");
    rules->handled.scoped = take_u64(section, "landlock");
    rules->path_count = take_u32(section, "landlock");
    if (rules->path_count > section->size / 12)
        fail("config landlock section has too many path rules (%u)", rules->path_count);
    rules->paths = calloc((size_t) rules->path_count + 1, sizeof *rules->paths);
    if (rules->paths == NULL)
        fail("out of memory");
    for (uint32_t i = 0; i < rules->path_count; i++) {
        rules->paths[i].allowed_access = take_u64(section, "landlock path rule");
        uint32_t length = take_u32(section, "landlock path rule");
        const char *path = (const char *) take(section, length, "landlock path rule");
        if (length == 0 || path[0] != '/' || memchr(path, '\0', length) != NULL)
            fail("config landlock path rule %u is not an absolute path", i);
        rules->paths[i].path = strndup(path, length);
        if (rules->paths[i].path == NULL)
            fail("out of memory");
    }
    rules->port_count = take_u32(section, "landlock");
    if (rules->port_count > section->size / 16)
        fail("config landlock section has too many port rules (%u)", rules->port_count);
    rules->ports = calloc((size_t) rules->port_count + 1, sizeof *rules->ports);
    if (rules->ports == NULL)
        fail("out of memory");
    for (uint32_t i = 0; i < rules->port_count; i++) {
        rules->ports[i].allowed_access = take_u64(section, "landlock port rule");
        rules->ports[i].port = take_u64(section, "landlock port rule");
    }
    if (section->at != section->size)
        fail("config landlock section has trailing bytes");
    rules->present = 1;
}

static void parse_session(struct cursor *section, struct config *config)
{
    config->session_flags = take_u32(section, "session");
    size_t length = section->size - section->at;
    uint32_t known = SESSION_NEW | SESSION_TERMINAL;
    int terminal = (config->session_flags & SESSION_TERMINAL) != 0;
    if ((config->session_flags & ~known) != 0 || (terminal && (config->session_flags & SESSION_NEW) == 0))
        fail("config session flags 0x%x are not supported", config->session_flags);
    if (terminal != (length > 0))
        fail("config session %s a terminal path", terminal ? "lacks" : "has");
    if (terminal) {
        const char *path = (const char *) section->data + section->at;
        if (path[0] != '/' || memchr(path, '\0', length) != NULL)
            fail("config terminal path is not absolute");
        config->terminal_path = strndup(path, length);
        if (config->terminal_path == NULL)
            fail("out of memory");
    }
}

/* The terminal on 0, 1 and 2 of the helper (so of the init and the guest too); O_NOCTTY: only the
 * guest, once it leads its own session, makes it a controlling terminal. */
static void attach_terminal(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        fail("cannot open the terminal %s: %s", path, strerror(errno));
    if (!isatty(fd))
        fail("%s is not a terminal", path);
    for (int target = 0; target <= 2; target++)
        if (dup2(fd, target) != target)
            fail("cannot put the terminal on descriptor %d: %s", target, strerror(errno));
    close(fd);
}

#include "meridian-exec-isolation.c"

static void parse_config(const unsigned char *data, size_t size, struct config *config)
{
    struct cursor cursor = { data, size, 0 };
    if (memcmp(take(&cursor, 4, "header"), CONFIG_MAGIC, 4) != 0)
        fail("config is not a meridian-exec config (bad magic)");
    uint16_t version = take_u16(&cursor, "header");
    if (version != CONFIG_VERSION)
        fail("config version %u is not supported (this helper reads version %d)", version,
             CONFIG_VERSION);
    uint16_t flags = take_u16(&cursor, "header");
    if (flags != 0)
        fail("config flags 0x%x are not supported", flags);
    config->supervisor_pid = (pid_t) take_u32(&cursor, "header");
    uint32_t sections = take_u32(&cursor, "header");
    uint32_t seen = 0;
    for (uint32_t i = 0; i < sections; i++) {
        uint32_t type = take_u32(&cursor, "section header");
        uint32_t length = take_u32(&cursor, "section header");
        struct cursor section = { take(&cursor, length, "section"), length, 0 };
        if (type == 0 || type >= 32)
            fail("config section type %u is not supported by this helper", type);
        if (seen & (1u << type))
            fail("config repeats section type %u", type);
        seen |= 1u << type;
        switch (type) {
        case SECTION_REPORT_FIFO: parse_report_fifo(&section, config); break;
        case SECTION_ENVIRONMENT: parse_environment(&section, config); break;
        case SECTION_SECCOMP_FILTER: parse_seccomp_filter(&section, config); break;
        case SECTION_LANDLOCK: parse_landlock(&section, config); break;
        case SECTION_ISOLATION: parse_isolation(&section); break;
        case SECTION_SESSION: parse_session(&section, config); break;
        default: fail("config section type %u is not supported by this helper", type);
        }
    }
    if (cursor.at != cursor.size)
        fail("config has trailing bytes");
    uint32_t required = (1u << SECTION_REPORT_FIFO) | (1u << SECTION_ENVIRONMENT)
            | (1u << SECTION_SECCOMP_FILTER);
    if ((seen & required) != required)
        fail("config lacks a required section");
}

/* Reads the config, which only the supervisor's user may have written, and removes it. */
static void read_config(const char *path, struct config *config)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        fail("cannot open config %s: %s", path, strerror(errno));
    struct stat status;
    if (fstat(fd, &status) != 0)
        fail("cannot stat config %s: %s", path, strerror(errno));
    if (!S_ISREG(status.st_mode) || status.st_uid != geteuid() || (status.st_mode & 077) != 0)
        fail("config %s must be a regular file private to uid %u", path, (unsigned) geteuid());
    if (status.st_size < 16 || (uintmax_t) status.st_size > CONFIG_MAX_BYTES)
        fail("config %s has a bad size (%jd bytes)", path, (intmax_t) status.st_size);
    size_t size = (size_t) status.st_size;
    unsigned char *data = malloc(size);
    if (data == NULL)
        fail("out of memory");
    for (size_t done = 0; done < size;) {
        ssize_t n = read(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("cannot read config %s: %s", path, n == 0 ? "file shrank" : strerror(errno));
        done += (size_t) n;
    }
    close(fd);
    if (unlink(path) != 0)
        fail("cannot remove config %s: %s", path, strerror(errno));
    parse_config(data, size, config);
}

static void open_report(const char *path)
{
    /* O_NONBLOCK: fail at once (ENXIO) instead of waiting when the supervisor is not reading. */
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        fail("cannot open report FIFO %s: %s", path, strerror(errno));
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISFIFO(status.st_mode))
        fail("report path %s is not a FIFO", path);
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        fail("cannot configure report FIFO: %s", strerror(errno));
    report_fd = fd;
}

/*
 * The seccomp() flags to install the filter with: the requested ones, without
 * WAIT_KILLABLE_RECV on kernels before 5.19. The kernel validates flags before it copies the
 * program in, so a NULL program answers EFAULT exactly when it accepts the flags.
 */
static uint32_t usable_seccomp_flags(uint32_t requested)
{
    uint32_t flags = requested;
    for (;;) {
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT)
            return flags;
        if (errno != EINVAL || (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) == 0)
            fail("the kernel refuses seccomp filter flags 0x%x: %s", flags, strerror(errno));
        flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
}

static void write_proc_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t length = (ssize_t) strlen(text);
    if (fd < 0 || write(fd, text, (size_t) length) != length)
        fail("cannot write %s: %s", path, strerror(errno));
    close(fd);
}

/* The next child is pid 1 of a new PID namespace; unprivileged users get it in a user namespace. */
static int enter_pid_namespace(void)
{
    if (unshare(CLONE_NEWPID) == 0)
        return NAMESPACE_PID;
    if (errno != EPERM)
        fail("cannot create a PID namespace: %s", strerror(errno));
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0)
        fail("cannot create a PID namespace: not permitted, and no user namespace either: %s",
             strerror(errno));
    char map[64];
    write_proc_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
    write_proc_file("/proc/self/uid_map", map);
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
    write_proc_file("/proc/self/gid_map", map);
    return NAMESPACE_USER_PID;
}

/* The fd the next open gets once `closing` is closed too. */
static int lowest_free_fd(int closing)
{
    for (int fd = 0;; fd++)
        if (fd == closing || fcntl(fd, F_GETFD) < 0)
            return fd;
}

static pid_t host_pid(void)
{
    /* The host's procfs (opened before the namespace's own hid it) names the host pid. */
    char link[32];
    ssize_t length = readlinkat(host_proc_fd, "self", link, sizeof link - 1);
    if (length <= 0)
        fail("cannot read /proc/self: %s", length < 0 ? strerror(errno) : "empty link");
    link[length] = '\0';
    char *end;
    long pid = strtol(link, &end, 10);
    if (*end != '\0' || pid <= 0)
        fail("/proc/self is not a pid: %s", link);
    return (pid_t) pid;
}

/* Adds one path rule; a path that does not exist grants nothing and is skipped. */
static void add_path_rule(int ruleset, const struct landlock_path_rule *rule)
{
    int fd = open(rule->path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return;
        fail("cannot open %s for a Landlock rule: %s", rule->path, strerror(errno));
    }
    struct stat status;
    if (fstat(fd, &status) != 0)
        fail("cannot stat %s for a Landlock rule: %s", rule->path, strerror(errno));
    struct landlock_path_beneath_attr beneath = {
        .allowed_access = S_ISDIR(status.st_mode) ? rule->allowed_access
                                                  : rule->allowed_access & LANDLOCK_FILE_ACCESS,
        .parent_fd = fd,
    };
    if (beneath.allowed_access != 0
            && syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0)
        fail("cannot add the Landlock rule for %s: %s", rule->path, strerror(errno));
    close(fd);
}

/* Restricts this process (the guest) by the config's Landlock ruleset; needs no_new_privs. */
static void apply_landlock(const struct landlock_rules *rules)
{
    if (!rules->present)
        return;
    /* The smallest struct that holds what is asked: older kernels refuse fields they lack. */
    size_t size = rules->handled.scoped != 0 ? sizeof rules->handled
            : rules->handled.handled_access_net != 0 ? offsetof(struct meridian_ruleset_attr, scoped)
            : offsetof(struct meridian_ruleset_attr, handled_access_net);
    int ruleset = (int) syscall(SYS_landlock_create_ruleset, &rules->handled, size, 0);
    if (ruleset < 0)
        fail("cannot create the Landlock ruleset: %s", strerror(errno));
    for (uint32_t i = 0; i < rules->path_count; i++)
        add_path_rule(ruleset, &rules->paths[i]);
    for (uint32_t i = 0; i < rules->port_count; i++) {
        struct meridian_net_port_attr port = {
            .allowed_access = rules->ports[i].allowed_access,
            .port = rules->ports[i].port,
        };
        if (syscall(SYS_landlock_add_rule, ruleset, MERIDIAN_LANDLOCK_RULE_NET_PORT, &port, 0) != 0)
            fail("cannot add the Landlock rule for TCP port %llu: %s",
                 (unsigned long long) port.port, strerror(errno));
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
        fail("cannot enforce the Landlock ruleset: %s", strerror(errno));
    close(ruleset);
}

__attribute__((noreturn))
static void run_guest(const struct config *config, uint32_t seccomp_flags,
                      const sigset_t *original_mask, char **argv)
{
    pid_t pid = host_pid();
    keep_guest_descriptors();
    apply_limits();
    if ((config->session_flags & SESSION_NEW) != 0) {
        /* A guest of the daemon starts with default signal handling, not with what the daemon
         * happened to inherit: a daemon started in the background of a script ignores SIGINT,
         * and its guests would too. (An embedded run keeps its caller's, as a shell's child does:
         * nohup meridian run ... must still ignore SIGHUP.) */
        /* The kernel's sigaction, because libc refuses the real-time signals it reserves. */
        struct { void (*handler)(int); unsigned long flags; void (*restorer)(void); uint64_t mask; }
            default_action = { SIG_DFL, 0, NULL, 0 };
        for (int signal_number = 1; signal_number <= 64; signal_number++) {
            if (signal_number != SIGKILL && signal_number != SIGSTOP)
                syscall(SYS_rt_sigaction, signal_number, &default_action, NULL, sizeof default_action.mask);
        }
        sigset_t none;
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
            fail("cannot clear the signal mask: %s", strerror(errno));
    } else if (sigprocmask(SIG_SETMASK, original_mask, NULL) != 0) {
        fail("cannot restore the signal mask: %s", strerror(errno));
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("cannot set no_new_privs: %s", strerror(errno));
    /* Out of the supervisor's session: no signal of its terminal reaches the guest, nor can the
     * guest open that terminal as /dev/tty; with a terminal of its own, it is its controlling one
     * (its window size changes then reach the guest's foreground group as SIGWINCH). */
    if ((config->session_flags & SESSION_NEW) != 0 && setsid() < 0)
        fail("cannot start a new session: %s", strerror(errno));
    if ((config->session_flags & SESSION_TERMINAL) != 0 && ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0)
        fail("cannot make %s the controlling terminal: %s", config->terminal_path, strerror(errno));
    /* Landlock before seccomp: the filter may deny the Landlock calls to the guest. After it,
     * the helper only writes to open descriptors and execs PROGRAM, which the ruleset must allow. */
    apply_landlock(&config->landlock);

    int32_t ready[3] = { pid, lowest_free_fd(report_fd), (int32_t) seccomp_flags };
    if (!write_record(RECORD_READY, ready, sizeof ready))
        fail("cannot report to the supervisor: %s", strerror(errno));
    close(report_fd);
    report_fd = -1;

    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, seccomp_flags, &config->filter) < 0) {
        dprintf(STDERR_FILENO, "meridian-exec: cannot install the seccomp filter: %s\n",
                strerror(errno));
        _exit(EXIT_HELPER_FAILED);
    }
    /* The listener is close-on-exec: wait until the supervisor took it, whatever the filter
     * lets through without asking (an execve let through now would close it for good). */
    if (syscall(SYS_seccomp, HANDSHAKE_OPERATION, HANDSHAKE_FLAGS, 0L) != 0) {
        dprintf(STDERR_FILENO, "meridian-exec: the supervisor did not answer the handshake: %s\n",
                strerror(errno));
        _exit(EXIT_HELPER_FAILED);
    }
    environ = config->environment;
    execvp(argv[0], argv);
    int error = errno;
    dprintf(STDERR_FILENO, "meridian-exec: cannot execute %s: %s\n", argv[0], strerror(error));
    _exit(error == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
}

/*
 * Waits until SIGCHLD arrives, forwarding every other signal of wait_set to target. Signals the
 * terminal sent (SI_KERNEL) are not forwarded: they reach the guest's process group directly.
 */
static void await_child_event(const sigset_t *wait_set, pid_t target)
{
    for (;;) {
        siginfo_t info;
        int signal_number = sigwaitinfo(wait_set, &info);
        if (signal_number == SIGCHLD)
            return;
        if (signal_number > 0 && info.si_code != SI_KERNEL)
            kill(target, signal_number);
    }
}

/*
 * Pid 1 of the namespace: runs the guest as its child (pid 1 ignores signals it has no handler
 * for, so the guest must not be pid 1), reaps orphans, forwards signals, and hands the guest's
 * wait status to the helper. Exiting takes the whole namespace down.
 */
__attribute__((noreturn))
static void run_init(const struct config *config, uint32_t seccomp_flags, int status_fd,
                     const sigset_t *wait_set, const sigset_t *original_mask, char **argv,
                     int32_t namespace_kind)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        fail("cannot set the parent-death signal: %s", strerror(errno));
    /* If the helper died before that, nobody reads the status pipe any more. */
    struct pollfd status_pipe = { .fd = status_fd, .events = 0, .revents = 0 };
    if (poll(&status_pipe, 1, 0) < 0 || (status_pipe.revents & POLLERR) != 0)
        _exit(EXIT_HELPER_FAILED);
    isolate_init(namespace_kind == NAMESPACE_USER_PID);

    pid_t guest = fork();
    if (guest < 0)
        fail("cannot fork the guest: %s", strerror(errno));
    if (guest == 0)
        run_guest(config, seccomp_flags, original_mask, argv);
    close(report_fd);
    report_fd = -1;
    release_guest_descriptors();

    for (;;) {
        await_child_event(wait_set, guest);
        int status;
        pid_t child;
        while ((child = waitpid(-1, &status, WNOHANG)) > 0) {
            if (child == guest) {
                ssize_t written = write(status_fd, &status, sizeof status);
                _exit(written == (ssize_t) sizeof status ? 0 : EXIT_HELPER_FAILED);
            }
        }
    }
}

/* Reports how the guest ended and returns the helper's own exit status. */
static int report_exit(int init_status, int status_fd)
{
    int guest_status;
    if (read(status_fd, &guest_status, sizeof guest_status) != (ssize_t) sizeof guest_status) {
        if (!WIFSIGNALED(init_status))
            return WIFEXITED(init_status) ? WEXITSTATUS(init_status) : EXIT_HELPER_FAILED;
        /* The namespace was killed: the guest died of the same signal as its init. */
        guest_status = WTERMSIG(init_status);
    }
    /* The init has been reaped, and it reaped every other task of the namespace: its children's
     * usage is the whole sandbox's CPU time. */
    struct rusage usage;
    if (getrusage(RUSAGE_CHILDREN, &usage) != 0)
        memset(&usage, 0, sizeof usage);
    unsigned char record[20];
    int32_t status = guest_status;
    uint64_t user = (uint64_t) usage.ru_utime.tv_sec * 1000000u + (uint64_t) usage.ru_utime.tv_usec;
    uint64_t system = (uint64_t) usage.ru_stime.tv_sec * 1000000u + (uint64_t) usage.ru_stime.tv_usec;
    memcpy(record, &status, 4);
    memcpy(record + 4, &user, 8);
    memcpy(record + 12, &system, 8);
    write_record(RECORD_EXIT, record, sizeof record);
    return WIFSIGNALED(guest_status) ? 128 + WTERMSIG(guest_status) : WEXITSTATUS(guest_status);
}

static int wait_for_init(pid_t init, int status_fd, const sigset_t *wait_set)
{
    for (;;) {
        await_child_event(wait_set, init);
        int init_status;
        pid_t done = waitpid(init, &init_status, WNOHANG);
        if (done < 0)
            fail("cannot wait for the namespace init: %s", strerror(errno));
        if (done == init)
            return report_exit(init_status, status_fd);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        dprintf(STDERR_FILENO, "usage: meridian-exec CONFIG-FILE -- PROGRAM [ARGS...]\n");
        return EXIT_HELPER_FAILED;
    }
    ensure_standard_fds();
    struct config config = { 0 };
    read_config(argv[1], &config);
    open_report(config.report_path);
    if (config.terminal_path != NULL)
        attach_terminal(config.terminal_path);

    /* Die with the supervisor. A parent that is not the supervisor means it is already gone. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        fail("cannot set the parent-death signal: %s", strerror(errno));
    if (getppid() != config.supervisor_pid)
        fail("supervisor %d is gone", (int) config.supervisor_pid);

    /* Signals are taken with sigwaitinfo; an inherited SIG_IGN for SIGCHLD would auto-reap. */
    signal(SIGCHLD, SIG_DFL);
    sigset_t wait_set, original_mask;
    sigemptyset(&wait_set);
    sigaddset(&wait_set, SIGCHLD);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaddset(&wait_set, forwarded_signals[i]);
    if (sigprocmask(SIG_BLOCK, &wait_set, &original_mask) != 0)
        fail("cannot block signals: %s", strerror(errno));

    uint32_t seccomp_flags = usable_seccomp_flags(config.seccomp_flags);
    prepare_isolation(config.supervisor_pid);
    int32_t namespace_kind = enter_pid_namespace();

    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0)
        fail("cannot create a pipe: %s", strerror(errno));
    pid_t init = fork();
    if (init < 0)
        fail("cannot fork the namespace init: %s", strerror(errno));
    if (init == 0) {
        close(status_pipe[0]);
        run_init(&config, seccomp_flags, status_pipe[1], &wait_set, &original_mask, argv + 3, namespace_kind);
    }
    close(status_pipe[1]);
    int32_t started[2] = { init, namespace_kind };
    if (!write_record(RECORD_INIT, started, sizeof started))
        fail("cannot report to the supervisor: %s", strerror(errno));
    return wait_for_init(init, status_pipe[0], &wait_set);
}
