/*
 * Route: connect to a forbidden loopback TCP port, either plainly over IPv4 (mode v4,
 * 127.0.0.1) or from an IPv6 socket to the IPv4-mapped address ::ffff:127.0.0.1 (mode
 * v4mapped), which a filter looking only at AF_INET addresses would miss. Success = connected
 * and read the forbidden server's banner (it starts with the secret marker).
 * Stopped by: seccomp on socket() families (strict allows AF_UNIX only); Landlock TCP connect
 * port rules (they apply to AF_INET and AF_INET6 alike).
 */
#include "escape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[2], "v4") != 0 && strcmp(argv[2], "v4mapped") != 0)) {
        usage_exit("connect PORT v4|v4mapped");
    }
    int mapped = strcmp(argv[2], "v4mapped") == 0;
    attempt(mapped ? "connect-ipv4-mapped-ipv6" : "connect-ipv4");
    in_port_t port = htons(atoi(argv[1]));
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = port};
    if (inet_pton(AF_INET6, "::ffff:127.0.0.1", &v6.sin6_addr) != 1) {
        setup_failed("inet_pton");
    }
    int s = socket(mapped ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        blocked("socket");
    }
    int result = mapped ? connect(s, (struct sockaddr *) &v6, sizeof v6)
                        : connect(s, (struct sockaddr *) &v4, sizeof v4);
    if (result != 0) {
        blocked("connect");
    }
    read_secret_from(s, mapped ? "connected to the forbidden port via ::ffff:127.0.0.1"
                               : "connected to the forbidden port via 127.0.0.1");
}
