/* Tries what the kernel layers may refuse and writes one line per attempt to RESULT-FILE: 0 when
 * it worked, else the errno. Calls are made with syscall(2) so the numbers are the ones a test's
 * filter names.
 *
 *   access_probe RESULT-FILE OPERATION ARGUMENT [OPERATION ARGUMENT]...
 *     read PATH      open O_RDONLY and read a byte
 *     write PATH     open O_WRONLY|O_CREAT|O_TRUNC and write a byte
 *     mkdir PATH     mkdir(2)
 *     connect PORT   TCP connect to 127.0.0.1:PORT
 *     signal PID     kill(PID, SIGCONT)
 *     socket FAMILY  socket(FAMILY, SOCK_STREAM, 0)
 *     getppid -      getppid(2)
 *     uname -        uname(2)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static long outcome(long result)
{
    return result < 0 ? errno : 0;
}

static long try_read(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    char byte;
    long result = outcome(read(fd, &byte, 1));
    close(fd);
    return result;
}

static long try_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    long result = outcome(write(fd, "x", 1));
    close(fd);
    return result;
}

static long try_connect(const char *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(port)) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    long result = outcome(connect(fd, (struct sockaddr *) &address, sizeof address));
    close(fd);
    return result;
}

static long try_socket(const char *family)
{
    long fd = syscall(SYS_socket, atol(family), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0)
        close((int) fd);
    return outcome(fd);
}

static long attempt(const char *operation, const char *argument)
{
    struct utsname names;
    if (strcmp(operation, "read") == 0)
        return try_read(argument);
    if (strcmp(operation, "write") == 0)
        return try_write(argument);
    if (strcmp(operation, "mkdir") == 0)
        return outcome(syscall(SYS_mkdir, argument, 0700));
    if (strcmp(operation, "connect") == 0)
        return try_connect(argument);
    if (strcmp(operation, "signal") == 0)
        return outcome(syscall(SYS_kill, atol(argument), SIGCONT));
    if (strcmp(operation, "socket") == 0)
        return try_socket(argument);
    if (strcmp(operation, "getppid") == 0)
        return outcome(syscall(SYS_getppid));
    if (strcmp(operation, "uname") == 0)
        return outcome(syscall(SYS_uname, &names));
    fprintf(stderr, "access_probe: unknown operation %s\n", operation);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc % 2 != 0) {
        fprintf(stderr, "usage: access_probe RESULT-FILE [OPERATION ARGUMENT]...\n");
        return 2;
    }
    int results = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (results < 0) {
        perror(argv[1]);
        return 3;
    }
    for (int i = 2; i < argc; i += 2)
        dprintf(results, "%ld\n", attempt(argv[i], argv[i + 1]));
    return close(results) == 0 ? 0 : 4;
}
