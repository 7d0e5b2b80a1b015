/*
 * isolation_probe OUT MODE [ARG]: reports what the guest observes of its isolation into OUT.
 *   pids         the numeric entries of /proc, space-separated
 *   fds          the open descriptors (this probe's own output file excluded), space-separated
 *   read FD      the first line read from descriptor FD
 *   connect PORT "ok" or the errno name of a TCP connect to 127.0.0.1:PORT
 *   loopback     "ok" once a byte went through a listener on 127.0.0.1 and back, else the failing step
 *   interfaces   the network interface names, space-separated
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static FILE *out;
static int out_fd;

static const char *errno_name(int error)
{
    switch (error) {
    case ENETUNREACH: return "ENETUNREACH";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    default: return strerror(error);
    }
}

static struct sockaddr_in loopback_address(int port)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

static void list_pids(void)
{
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    while (proc != NULL && (entry = readdir(proc)) != NULL)
        if (entry->d_name[0] >= '0' && entry->d_name[0] <= '9')
            fprintf(out, "%s ", entry->d_name);
}

static void list_fds(void)
{
    for (int fd = 0; fd < 4096; fd++)
        if (fd != out_fd && fcntl(fd, F_GETFD) >= 0)
            fprintf(out, "%d ", fd);
}

static void read_fd(int fd)
{
    char line[256] = "";
    ssize_t length = read(fd, line, sizeof line - 1);
    fprintf(out, "%s", length < 0 ? errno_name(errno) : strtok(line, "\n"));
}

static void connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback_address(port);
    fprintf(out, "%s", connect(fd, (struct sockaddr *) &address, sizeof address) == 0 ? "ok" : errno_name(errno));
}

static void loopback_round_trip(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback_address(0);
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *) &address, sizeof address) != 0
            || listen(listener, 1) != 0
            || getsockname(listener, (struct sockaddr *) &address, &length) != 0) {
        fprintf(out, "listen: %s", errno_name(errno));
        return;
    }
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *) &address, sizeof address) != 0) {
        fprintf(out, "connect: %s", errno_name(errno));
        return;
    }
    int server = accept(listener, NULL, NULL);
    char byte = 'x';
    if (server < 0 || write(client, &byte, 1) != 1 || read(server, &byte, 1) != 1) {
        fprintf(out, "transfer: %s", errno_name(errno));
        return;
    }
    fprintf(out, "ok");
}

static void list_interfaces(void)
{
    struct if_nameindex *interfaces = if_nameindex();
    for (struct if_nameindex *at = interfaces; at != NULL && at->if_index != 0; at++)
        fprintf(out, "%s ", at->if_name);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (out = fopen(argv[1], "w")) == NULL)
        return 2;
    out_fd = fileno(out);
    const char *mode = argv[2];
    if (strcmp(mode, "pids") == 0)
        list_pids();
    else if (strcmp(mode, "fds") == 0)
        list_fds();
    else if (strcmp(mode, "read") == 0 && argc > 3)
        read_fd(atoi(argv[3]));
    else if (strcmp(mode, "connect") == 0 && argc > 3)
        connect_to(atoi(argv[3]));
    else if (strcmp(mode, "loopback") == 0)
        loopback_round_trip();
    else if (strcmp(mode, "interfaces") == 0)
        list_interfaces();
    else
        return 2;
    return fclose(out) == 0 ? 0 : 1;
}
