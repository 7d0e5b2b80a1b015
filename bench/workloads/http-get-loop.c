/*
 * http-get-loop PORT [N [PATH]]: N sequential HTTP/1.0 GETs of PATH (default 1000 and "/") from
 * 127.0.0.1:PORT, one connection each (socket, connect, write, read to EOF, close), as a
 * simple HTTP client does. Loopback only. Exits 1 at the first failure or non-200 answer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int get_once(const struct sockaddr_in *server, const char *request, size_t request_length) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("http-get-loop: socket");
        return -1;
    }
    if (connect(fd, (const struct sockaddr *) server, sizeof *server) != 0) {
        perror("http-get-loop: connect");
        close(fd);
        return -1;
    }
    for (size_t sent = 0; sent < request_length;) {
        ssize_t n = write(fd, request + sent, request_length - sent);
        if (n < 0 && errno != EINTR) {
            perror("http-get-loop: write");
            close(fd);
            return -1;
        }
        sent += n > 0 ? (size_t) n : 0;
    }
    char buffer[16384], status_line[16] = "";
    size_t received = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            perror("http-get-loop: read");
            close(fd);
            return -1;
        }
        if (n == 0) {
            break;
        }
        if (received < sizeof status_line - 1) {
            size_t take = sizeof status_line - 1 - received;
            memcpy(status_line + received, buffer, (size_t) n < take ? (size_t) n : take);
        }
        received += (size_t) n;
    }
    close(fd);
    if (strncmp(status_line, "HTTP/1.0 200", 12) != 0 && strncmp(status_line, "HTTP/1.1 200", 12) != 0) {
        fprintf(stderr, "http-get-loop: unexpected answer '%.12s' (%zu bytes)\n", status_line, received);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    long port = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    long count = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
    const char *path = argc > 3 ? argv[3] : "/";
    if (port <= 0 || port > 65535 || count <= 0 || path[0] != '/') {
        fprintf(stderr, "usage: http-get-loop PORT [N > 0 [/PATH]]\n");
        return 2;
    }
    struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char request[1024];
    int length = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (length < 0 || (size_t) length >= sizeof request) {
        fprintf(stderr, "http-get-loop: path too long\n");
        return 2;
    }
    for (long i = 0; i < count; i++) {
        if (get_once(&server, request, (size_t) length) != 0) {
            fprintf(stderr, "http-get-loop: request %ld of %ld failed\n", i + 1, count);
            return 1;
        }
    }
    return 0;
}
