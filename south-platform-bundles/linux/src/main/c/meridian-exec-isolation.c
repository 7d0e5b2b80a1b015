/*
 * Isolation of the guest: config section 5, included by meridian-exec.c (one translation unit,
 * so it shares fail(), the config cursor and the report FIFO).
 *
 * Section 5 payload (little-endian; a string is a u32 length and that many bytes, no NUL):
 *   u32 flags              1 new network namespace, 2 bring its loopback interface up
 *   string hostname        empty: the host's
 *   string working dir     where the guest starts, looked up in its own view of the files
 *   string rootfs          directory mounted read-only as the guest's root under a writable
 *                          overlay layer; empty: the host's root
 *   string sandbox dir     private directory holding upper/, work/ and root/ of that overlay
 *   u32 count, then count  u32 kind (1 read-only bind, 2 writable bind, 3 tmpfs), string path
 *   u32 count, then count  u32 RLIMIT_ resource, u64 value (soft = hard)
 *   string cgroup          cgroup v2 directory the helper joins before anything starts; empty: none
 *   u32 count, then count  i32 descriptor of the supervisor the guest gets at the same number
 *
 * Every guest gets its own mount, IPC and UTS namespaces (inside the user namespace when the
 * helper is unprivileged) and a fresh /proc for its PID namespace, with or without section 5.
 *
 * Who does what: the helper joins the cgroup, takes the passed descriptors from the supervisor
 * with pidfd_getfd and opens the host's /proc; the namespace init (it alone is in the new PID
 * namespace, which a new procfs belongs to) creates the other namespaces and builds the file
 * system view; the guest learns its host pid through the host's /proc, puts the passed
 * descriptors at their numbers and sets the rlimits, then carries on as before.
 */
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>

enum { ISOLATION_NEW_NETWORK = 1, ISOLATION_LOOPBACK_UP = 2 };
enum mount_kind { MOUNT_READ_ONLY = 1, MOUNT_READ_WRITE = 2, MOUNT_TMPFS = 3 };

#define MAX_ISOLATION_ITEMS 1024u

struct guest_mount {
    uint32_t kind;
    char *path;
    int tree;   /* for binds: the host tree, cloned before any mount changed the view */
};

struct guest_limit {
    uint32_t resource;
    uint64_t value;
};

struct passed_descriptor {
    int number;  /* in the supervisor, and in the guest */
    int taken;   /* the copy this process holds until the guest puts it in place */
};

struct isolation {
    uint32_t flags;
    char *hostname;
    char *working_directory;
    char *rootfs;
    char *sandbox_directory;
    uint32_t mount_count;
    struct guest_mount *mounts;
    uint32_t limit_count;
    struct guest_limit *limits;
    char *cgroup;
    uint32_t descriptor_count;
    struct passed_descriptor *descriptors;
};

static struct isolation isolation;

/* The host's procfs, opened before the init mounts the namespace's own over /proc. */
static int host_proc_fd = -1;

static char *take_string(struct cursor *cursor, const char *what)
{
    uint32_t length = take_u32(cursor, what);
    const unsigned char *bytes = take(cursor, length, what);
    if (memchr(bytes, '\0', length) != NULL)
        fail("config %s contains a NUL byte", what);
    char *string = strndup((const char *) bytes, length);
    if (string == NULL)
        fail("out of memory");
    return string;
}

static uint32_t take_count(struct cursor *cursor, const char *what)
{
    uint32_t count = take_u32(cursor, what);
    if (count > MAX_ISOLATION_ITEMS)
        fail("config has too many %s (%u)", what, count);
    return count;
}

static void *allocate_items(uint32_t count, size_t size)
{
    void *items = calloc(count == 0 ? 1 : count, size);
    if (items == NULL)
        fail("out of memory");
    return items;
}

static void parse_isolation(struct cursor *section)
{
    isolation.flags = take_u32(section, "isolation flags");
    uint32_t known = ISOLATION_NEW_NETWORK | ISOLATION_LOOPBACK_UP;
    int loopback_without_namespace = (isolation.flags & known) == ISOLATION_LOOPBACK_UP;
    if ((isolation.flags & ~known) != 0 || loopback_without_namespace)
        fail("config isolation flags 0x%x are not supported", isolation.flags);
    isolation.hostname = take_string(section, "hostname");
    if (strlen(isolation.hostname) > 64)
        fail("config hostname is longer than 64 bytes");
    isolation.working_directory = take_string(section, "working directory");
    isolation.rootfs = take_string(section, "rootfs");
    isolation.sandbox_directory = take_string(section, "sandbox directory");
    if (isolation.rootfs[0] != '\0' && isolation.sandbox_directory[0] != '/')
        fail("config has a rootfs but no absolute sandbox directory");

    isolation.mount_count = take_count(section, "mounts");
    isolation.mounts = allocate_items(isolation.mount_count, sizeof *isolation.mounts);
    for (uint32_t i = 0; i < isolation.mount_count; i++) {
        struct guest_mount *mount = &isolation.mounts[i];
        mount->kind = take_u32(section, "mount");
        mount->path = take_string(section, "mount path");
        mount->tree = -1;
        if (mount->kind < MOUNT_READ_ONLY || mount->kind > MOUNT_TMPFS)
            fail("config mount kind %u is not supported", mount->kind);
        if (mount->path[0] != '/')
            fail("config mount path %s is not absolute", mount->path);
    }

    isolation.limit_count = take_count(section, "limits");
    isolation.limits = allocate_items(isolation.limit_count, sizeof *isolation.limits);
    for (uint32_t i = 0; i < isolation.limit_count; i++) {
        isolation.limits[i].resource = take_u32(section, "limit");
        uint32_t low = take_u32(section, "limit");
        uint32_t high = take_u32(section, "limit");
        isolation.limits[i].value = (uint64_t) high << 32 | low;
    }

    isolation.cgroup = take_string(section, "cgroup");
    isolation.descriptor_count = take_count(section, "descriptors");
    isolation.descriptors = allocate_items(isolation.descriptor_count, sizeof *isolation.descriptors);
    for (uint32_t i = 0; i < isolation.descriptor_count; i++) {
        int32_t number = (int32_t) take_u32(section, "descriptors");
        if (number <= STDERR_FILENO)
            fail("config passes descriptor %d, which is not above stdio", number);
        isolation.descriptors[i] = (struct passed_descriptor) { number, -1 };
    }
    if (section->at != section->size)
        fail("config isolation has trailing bytes");
}

/* meridian-exec.c's, defined after the point where this file is included. */
static void write_proc_file(const char *path, const char *text);

/*
 * In the helper, before any namespace: the cgroup (so the init and the guest are born in it),
 * the supervisor's descriptors (it is our parent, so pidfd_getfd may take them), and the host's
 * /proc (the guest's host pid is read there once its own /proc hides the host's).
 */
static void prepare_isolation(pid_t supervisor)
{
    if (isolation.cgroup != NULL && isolation.cgroup[0] != '\0') {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/cgroup.procs", isolation.cgroup) >= (int) sizeof path)
            fail("cgroup path is too long");
        write_proc_file(path, "0");
    }
    if (isolation.descriptor_count > 0) {
        int pidfd = (int) syscall(SYS_pidfd_open, supervisor, 0);
        if (pidfd < 0)
            fail("cannot open the supervisor (pid %d): %s", (int) supervisor, strerror(errno));
        for (uint32_t i = 0; i < isolation.descriptor_count; i++) {
            struct passed_descriptor *passed = &isolation.descriptors[i];
            passed->taken = (int) syscall(SYS_pidfd_getfd, pidfd, passed->number, 0);
            if (passed->taken < 0)
                fail("cannot take descriptor %d from the supervisor: %s", passed->number,
                     errno == EBADF ? "it is not open there" : strerror(errno));
        }
        close(pidfd);
    }
    host_proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (host_proc_fd < 0)
        fail("cannot open /proc: %s", strerror(errno));
}

/* The kernel's own explanation of a failed fsconfig, when it left one in the context's log. */
static void fail_file_system(int context, const char *what)
{
    int error = errno;
    char log[256];
    ssize_t length = context >= 0 ? read(context, log, sizeof log - 1) : -1;
    if (length > 2) {
        log[length] = '\0';
        fail("cannot mount %s: %s (%s)", what, strerror(error), log + 2);
    }
    fail("cannot mount %s: %s", what, strerror(error));
}

struct fs_option { const char *key; const char *value; };

/* A new, detached instance of a file system: mounted with move_mount where it belongs. */
static int new_file_system(const char *type, const struct fs_option *options, size_t count,
                           unsigned int attributes)
{
    int context = fsopen(type, FSOPEN_CLOEXEC);
    if (context < 0)
        fail_file_system(-1, type);
    for (size_t i = 0; i < count; i++) {
        int set = options[i].value == NULL
                ? fsconfig(context, FSCONFIG_SET_FLAG, options[i].key, NULL, 0)
                : fsconfig(context, FSCONFIG_SET_STRING, options[i].key, options[i].value, 0);
        if (set != 0)
            fail_file_system(context, type);
    }
    if (fsconfig(context, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
        fail_file_system(context, type);
    int mount = fsmount(context, FSMOUNT_CLOEXEC, attributes);
    if (mount < 0)
        fail_file_system(context, type);
    close(context);
    return mount;
}

static int resolve_in_root(int root, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    return (int) syscall(SYS_openat2, root, path, &how, sizeof how);
}

/*
 * The mount point for `path` in the view whose root is `root`, resolved as the guest will see it
 * (symlinks stay inside that root). With `create` (a directory, or a file for S_IFREG), missing
 * parts are made: only in a rootfs, whose writes land in the sandbox's own layer.
 */
static int mount_point(int root, const char *path, mode_t create)
{
    char prefix[PATH_MAX];
    if (strlen(path) >= sizeof prefix)
        fail("mount point %s is too long", path);
    int parent = dup(root);
    if (parent < 0)
        fail("cannot duplicate a descriptor: %s", strerror(errno));
    size_t at = 0;
    while (path[at] != '\0') {
        while (path[at] == '/')
            at++;
        size_t end = at;
        while (path[end] != '\0' && path[end] != '/')
            end++;
        if (end == at)
            break;
        memcpy(prefix, path, end);
        prefix[end] = '\0';
        int next = resolve_in_root(root, prefix);
        if (next < 0 && errno == ENOENT && create != 0) {
            char name[NAME_MAX + 1];
            snprintf(name, sizeof name, "%.*s", (int) (end - at), path + at);
            int made = create == S_IFREG && path[end] == '\0'
                    ? openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)
                    : mkdirat(parent, name, 0755);
            if (made < 0)
                fail("cannot create mount point %s: %s", prefix, strerror(errno));
            if (made > 0)
                close(made);
            next = resolve_in_root(root, prefix);
        }
        if (next < 0)
            fail("mount point %s does not exist in the sandbox: %s", prefix, strerror(errno));
        close(parent);
        parent = next;
        at = end;
    }
    return parent;
}

static void attach(int tree, int root, const char *path, mode_t create)
{
    int target = mount_point(root, path, create);
    if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        fail("cannot mount over %s: %s", path, strerror(errno));
    close(target);
    close(tree);
}

/* A copy of the host's tree at `path`, as the host shows it now. */
static int clone_host_tree(const char *path, int read_only)
{
    int tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0)
        fail("cannot bind %s: %s", path, strerror(errno));
    if (read_only) {
        struct mount_attr attributes = { .attr_set = MOUNT_ATTR_RDONLY };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof attributes) != 0)
            fail("cannot make %s read-only: %s", path, strerror(errno));
    }
    return tree;
}

static mode_t mount_point_kind(int tree)
{
    struct stat status;
    if (fstat(tree, &status) != 0)
        fail("cannot inspect a bind source: %s", strerror(errno));
    return S_ISDIR(status.st_mode) ? S_IFDIR : S_IFREG;
}

static int namespace_procfs(void)
{
    return new_file_system("proc", NULL, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

static int tmpfs(const char *mode, unsigned int attributes)
{
    const struct fs_option options[] = { { "mode", mode } };
    return new_file_system("tmpfs", options, 1, attributes);
}

/* A /dev holding only harmless devices (bound from the host's), a private devpts and /dev/shm. */
static void minimal_dev(int root)
{
    attach(tmpfs("0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC), root, "/dev", S_IFDIR);
    static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        char host[32], guest[32];
        snprintf(host, sizeof host, "/dev/%s", devices[i]);
        snprintf(guest, sizeof guest, "/dev/%s", devices[i]);
        int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
            fail("cannot bind %s: %s", host, strerror(errno));
        attach(tree, root, guest, S_IFREG);
    }
    const struct fs_option pts_options[] = { { "newinstance", NULL }, { "ptmxmode", "0666" }, { "mode", "0620" } };
    attach(new_file_system("devpts", pts_options, 3, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC), root, "/dev/pts",
           S_IFDIR);
    attach(tmpfs("1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), root, "/dev/shm", S_IFDIR);
    int dev = mount_point(root, "/dev", 0);
    static const char *const links[][2] = {
        { "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
        { "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
    };
    int dev_directory = openat(dev, ".", O_DIRECTORY | O_CLOEXEC);
    if (dev_directory < 0)
        fail("cannot open the sandbox's /dev: %s", strerror(errno));
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlinkat(links[i][0], dev_directory, links[i][1]) != 0)
            fail("cannot create /dev/%s: %s", links[i][1], strerror(errno));
    close(dev_directory);
    close(dev);
}

/* The rootfs as an overlay: its directory read-only below, the sandbox's own layer above. */
static int mount_rootfs(int in_user_namespace)
{
    char upper[PATH_MAX], work[PATH_MAX], root_path[PATH_MAX];
    snprintf(upper, sizeof upper, "%s/upper", isolation.sandbox_directory);
    snprintf(work, sizeof work, "%s/work", isolation.sandbox_directory);
    if (snprintf(root_path, sizeof root_path, "%s/root", isolation.sandbox_directory) >= (int) sizeof root_path)
        fail("sandbox directory path is too long");
    struct fs_option options[] = {
        /* lowerdir+ (Linux 6.8) takes the path as it is: no escaping of ':' or ','. */
        { "lowerdir+", isolation.rootfs }, { "upperdir", upper }, { "workdir", work },
        { "userxattr", NULL },
    };
    /* In a user namespace the overlay keeps its metadata in user.* xattrs (trusted.* needs host root). */
    int overlay = new_file_system("overlay", options, in_user_namespace ? 4 : 3,
                                  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    if (move_mount(overlay, "", AT_FDCWD, root_path, MOVE_MOUNT_F_EMPTY_PATH) != 0)
        fail("cannot mount the rootfs on %s: %s", root_path, strerror(errno));
    close(overlay);
    int root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        fail("cannot open the mounted rootfs: %s", strerror(errno));
    return root;
}

static void enter_root(int root)
{
    if (fchdir(root) != 0)
        fail("cannot enter the rootfs: %s", strerror(errno));
    /* pivot_root(".", "."): the old root ends up on top of the new one and is then detached. */
    if (syscall(SYS_pivot_root, ".", ".") != 0)
        fail("cannot pivot to the rootfs: %s", strerror(errno));
    if (umount2(".", MNT_DETACH) != 0)
        fail("cannot detach the host's root: %s", strerror(errno));
}

static void setup_file_system(int in_user_namespace)
{
    /* Nothing done here may reach the host's mount namespace, nor anything of the host reach here. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        fail("cannot make the mount tree private: %s", strerror(errno));
    /* Bind sources name the host's files, whatever the mounts below put over them. */
    for (uint32_t i = 0; i < isolation.mount_count; i++) {
        struct guest_mount *mount = &isolation.mounts[i];
        if (mount->kind != MOUNT_TMPFS)
            mount->tree = clone_host_tree(mount->path, mount->kind == MOUNT_READ_ONLY);
    }
    int in_rootfs = isolation.rootfs != NULL && isolation.rootfs[0] != '\0';
    int root = in_rootfs ? mount_rootfs(in_user_namespace) : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        fail("cannot open /: %s", strerror(errno));
    mode_t create = in_rootfs ? S_IFDIR : 0;
    attach(namespace_procfs(), root, "/proc", create);
    if (in_rootfs) {
        minimal_dev(root);
        attach(tmpfs("1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), root, "/tmp", S_IFDIR);
    }
    for (uint32_t i = 0; i < isolation.mount_count; i++) {
        struct guest_mount *mount = &isolation.mounts[i];
        if (mount->kind == MOUNT_TMPFS)
            attach(tmpfs("0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), root, mount->path, create);
        else
            attach(mount->tree, root, mount->path, in_rootfs ? mount_point_kind(mount->tree) : 0);
        mount->tree = -1;
    }
    if (in_rootfs)
        enter_root(root);
    close(root);
    if (isolation.working_directory != NULL && isolation.working_directory[0] != '\0'
            && chdir(isolation.working_directory) != 0)
        fail("working directory %s does not exist in the sandbox: %s", isolation.working_directory,
             strerror(errno));
}

static void bring_loopback_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("cannot open a socket in the sandbox's network: %s", strerror(errno));
    struct ifreq request = { 0 };
    strcpy(request.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &request) != 0)
        fail("the sandbox's network has no loopback interface: %s", strerror(errno));
    request.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &request) != 0)
        fail("cannot bring the sandbox's loopback interface up: %s", strerror(errno));
    close(fd);
}

/* In the namespace init, before the guest is forked: its namespaces and its view of the files. */
static void isolate_init(int in_user_namespace)
{
    int namespaces = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS
            | ((isolation.flags & ISOLATION_NEW_NETWORK) != 0 ? CLONE_NEWNET : 0);
    if (unshare(namespaces) != 0)
        fail("cannot create the sandbox's mount, IPC, UTS%s namespaces: %s",
             (namespaces & CLONE_NEWNET) != 0 ? " and network" : "", strerror(errno));
    if ((isolation.flags & ISOLATION_LOOPBACK_UP) != 0)
        bring_loopback_up();
    if (isolation.hostname != NULL && isolation.hostname[0] != '\0'
            && sethostname(isolation.hostname, strlen(isolation.hostname)) != 0)
        fail("cannot set the host name: %s", strerror(errno));
    setup_file_system(in_user_namespace);
}

/* In the init once the guest is forked: what only the guest needed. */
static void release_guest_descriptors(void)
{
    for (uint32_t i = 0; i < isolation.descriptor_count; i++)
        close(isolation.descriptors[i].taken);
    close(host_proc_fd);
    host_proc_fd = -1;
}

static int move_above(int fd, int highest)
{
    if (fd > highest)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, highest + 1);
    if (moved < 0)
        fail("cannot move descriptor %d: %s", fd, strerror(errno));
    close(fd);
    return moved;
}

static void close_gap(int from, int to)
{
    if (from <= to && close_range((unsigned) from, (unsigned) to, 0) != 0)
        fail("cannot close inherited descriptors: %s", strerror(errno));
}

/*
 * In the guest: stdio, the passed descriptors at their own numbers and the report FIFO stay
 * open, nothing else of the helper does; so the listener gets the lowest free number.
 */
static void keep_guest_descriptors(void)
{
    int highest = STDERR_FILENO;
    for (uint32_t i = 0; i < isolation.descriptor_count; i++)
        if (isolation.descriptors[i].number > highest)
            highest = isolation.descriptors[i].number;
    report_fd = move_above(report_fd, highest);
    for (uint32_t i = 0; i < isolation.descriptor_count; i++)
        isolation.descriptors[i].taken = move_above(isolation.descriptors[i].taken, highest);

    int keep[MAX_ISOLATION_ITEMS + 1];
    size_t kept = 0;
    for (uint32_t i = 0; i < isolation.descriptor_count; i++) {
        struct passed_descriptor *passed = &isolation.descriptors[i];
        /* dup2 leaves close-on-exec off: the guest's program inherits it. */
        if (dup2(passed->taken, passed->number) != passed->number)
            fail("cannot pass descriptor %d: %s", passed->number, strerror(errno));
        size_t at = kept++;
        while (at > 0 && keep[at - 1] > passed->number) {
            keep[at] = keep[at - 1];
            at--;
        }
        keep[at] = passed->number;
    }
    keep[kept++] = report_fd;
    int from = STDERR_FILENO + 1;
    for (size_t i = 0; i < kept; i++) {
        close_gap(from, keep[i] - 1);
        from = keep[i] + 1;
    }
    if (close_range((unsigned) from, ~0U, 0) != 0)
        fail("cannot close inherited descriptors: %s", strerror(errno));
}

static const char *limit_name(uint32_t resource)
{
    switch (resource) {
    case RLIMIT_CPU: return "CPU seconds";
    case RLIMIT_AS: return "address space";
    case RLIMIT_NPROC: return "processes";
    case RLIMIT_FSIZE: return "file size";
    case RLIMIT_NOFILE: return "open files";
    default: return NULL;
    }
}

static void apply_limits(void)
{
    for (uint32_t i = 0; i < isolation.limit_count; i++) {
        const struct guest_limit *limit = &isolation.limits[i];
        const char *name = limit_name(limit->resource);
        if (name == NULL)
            fail("config limit resource %u is not supported", limit->resource);
        struct rlimit value = { (rlim_t) limit->value, (rlim_t) limit->value };
        if (setrlimit((int) limit->resource, &value) != 0)
            fail("cannot limit %s to %llu: %s", name, (unsigned long long) limit->value, strerror(errno));
    }
}
