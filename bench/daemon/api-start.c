/*
 * api-start: start latency through a warm Meridian daemon, measured from the request.
 *
 * Usage: api-start SOCKET RUNS WORKDIR PROFILE PROGRAM [ARGS...]
 * For each run: takes CLOCK_MONOTONIC, sends POST /v1/sandboxes (start at once, stdio "null",
 * the given profile) over the daemon's Unix socket, then GET /v1/sandboxes/ID/wait. When
 * PROGRAM is first-call, the guest writes the time of its first system call to
 * WORKDIR/first-N (first-call's only argument, appended here), so the request-to-first-call
 * latency is known; for any other program only the whole round trip is.
 * Prints one line per run: "first_ns total_ns" (first_ns -1 when not measured).
 * Exits 1 naming the cause when a request fails or the guest does not exit 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "api-start: %s\n", what);
    exit(1);
}

/* One request on a new connection (as a client command makes it); the response's body in out. */
static int request(const char *socket_path, const char *head, const char *body, char *out, size_t out_size) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, socket_path, sizeof address.sun_path - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *) &address, sizeof address) < 0) {
        fprintf(stderr, "api-start: cannot connect to %s: %s\n", socket_path, strerror(errno));
        exit(1);
    }
    char message[8192];
    int length = snprintf(message, sizeof message, "%s\r\nHost: meridian\r\nConnection: close\r\n"
            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", head, strlen(body), body);
    if (write(fd, message, (size_t) length) != length) {
        die("short write");
    }
    size_t used = 0;
    ssize_t n;
    while (used < out_size - 1 && (n = read(fd, out + used, out_size - 1 - used)) > 0) {
        used += (size_t) n;
    }
    out[used] = 0;
    close(fd);
    int status = 0;
    if (sscanf(out, "HTTP/1.1 %d", &status) != 1) {
        die("no HTTP status in the response");
    }
    char *content = strstr(out, "\r\n\r\n");
    memmove(out, content ? content + 4 : out + used, strlen(content ? content + 4 : out + used) + 1);
    return status;
}

/* Appends s to the JSON being built in buffer, as a string literal. */
static void json_string(char *buffer, size_t size, const char *s) {
    size_t at = strlen(buffer);
    buffer[at++] = '"';
    for (; *s && at < size - 8; s++) {
        if (*s == '"' || *s == '\\') {
            buffer[at++] = '\\';
        }
        buffer[at++] = *s;
    }
    buffer[at++] = '"';
    buffer[at] = 0;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: api-start SOCKET RUNS WORKDIR PROFILE PROGRAM [ARGS...]\n");
        return 2;
    }
    const char *socket_path = argv[1];
    int runs = atoi(argv[2]);
    const char *workdir = argv[3];
    const char *profile = argv[4];
    int first_call = strstr(argv[5], "first-call") != NULL;
    static char body[16384], response[65536], head[256], path[4096];
    for (int run = 0; run < runs; run++) {
        snprintf(path, sizeof path, "%s/first-%d", workdir, run);
        unlink(path);
        strcpy(body, "{\"command\":[");
        for (int i = 5; i < argc; i++) {
            json_string(body, sizeof body, argv[i]);
            strcat(body, i + 1 < argc || first_call ? "," : "");
        }
        if (first_call) {
            json_string(body, sizeof body, path);
        }
        strcat(body, "],\"cwd\":");
        json_string(body, sizeof body, workdir);
        strcat(body, ",\"stdio\":\"null\",\"policies\":[{\"profile\":");
        json_string(body, sizeof body, profile);
        strcat(body, "}]}");

        int64_t begin = now_ns();
        int status = request(socket_path, "POST /v1/sandboxes HTTP/1.1", body, response, sizeof response);
        if (status != 201) {
            fprintf(stderr, "api-start: POST /v1/sandboxes answered %d: %s\n", status, response);
            return 1;
        }
        char *id = strstr(response, "\"id\"");
        char sandbox[64] = {0};
        if (id == NULL || sscanf(id, "\"id\" : \"%63[0-9a-f]\"", sandbox) != 1) {
            if (id == NULL || sscanf(id, "\"id\":\"%63[0-9a-f]\"", sandbox) != 1) {
                fprintf(stderr, "api-start: no id in %s\n", response);
                return 1;
            }
        }
        snprintf(head, sizeof head, "GET /v1/sandboxes/%s/wait?timeout=60000 HTTP/1.1", sandbox);
        status = request(socket_path, head, "", response, sizeof response);
        int64_t end = now_ns();
        if (status != 200 || strstr(response, "\"status\":0") == NULL) {
            fprintf(stderr, "api-start: the sandbox %s did not exit 0 (%d): %s\n", sandbox, status, response);
            return 1;
        }
        long long first = -1;
        if (first_call) {
            FILE *file = fopen(path, "r");
            if (file == NULL || fscanf(file, "%lld", &first) != 1) {
                fprintf(stderr, "api-start: the guest wrote no time to %s\n", path);
                return 1;
            }
            fclose(file);
            first -= begin;
        }
        printf("%lld %lld\n", first, (long long) (end - begin));
        fflush(stdout);
    }
    return 0;
}
