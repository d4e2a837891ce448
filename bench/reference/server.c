/*
 * Minimal reference server for bench/SocketDaemon.Bench: accepts on a Unix or TCP socket, reads one framing,
 * appends one line per message to a file. One thread per connection; each connection gathers lines in a
 * 64 KiB buffer and appends it to the shared stdio stream under a mutex (buffered writes, like a careful
 * C daemon would). Kept minimal but fair: no per-message syscalls.
 *
 *   cc -O2 -pthread -o server server.c
 *   ./server unix /tmp/s.sock lines out.log     (prints "READY" once listening)
 *   ./server tcp 0 seed out.log                  (prints "READY <port>")
 * Framings: lines (\n-terminated), seed (4-byte host-order length counting a trailing NUL), octet (RFC 6587).
 * Stops on SIGTERM or SIGINT, flushing the file.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum framing { LINES, SEED, OCTET };
static enum framing framing;
static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

#define IN_SIZE (256 * 1024)
#define OUT_SIZE (64 * 1024)

struct obuf { char data[OUT_SIZE]; size_t len; };

static void flush_obuf(struct obuf *o, int sync)
{
    pthread_mutex_lock(&out_lock);
    if (o->len > 0)
        fwrite(o->data, 1, o->len, out);
    if (sync)
        fflush(out);
    pthread_mutex_unlock(&out_lock);
    o->len = 0;
}

static void emit(struct obuf *o, const char *msg, size_t len)
{
    if (o->len + len + 1 > OUT_SIZE) {
        flush_obuf(o, 0);
        if (len + 1 > OUT_SIZE) {
            pthread_mutex_lock(&out_lock);
            fwrite(msg, 1, len, out);
            fputc('\n', out);
            pthread_mutex_unlock(&out_lock);
            return;
        }
    }
    memcpy(o->data + o->len, msg, len);
    o->len += len;
    o->data[o->len++] = '\n';
}

/* Parses as many whole frames as buf holds; returns the bytes consumed, or -1 on a bad frame. */
static long parse(char *buf, size_t n, struct obuf *o)
{
    size_t pos = 0;
    for (;;) {
        char *p = buf + pos;
        size_t left = n - pos;
        if (framing == LINES) {
            char *nl = memchr(p, '\n', left);
            if (!nl)
                return (long)pos;
            emit(o, p, (size_t)(nl - p));
            pos += (size_t)(nl - p) + 1;
        } else if (framing == SEED) {
            int len;
            if (left < 4)
                return (long)pos;
            memcpy(&len, p, 4);
            if (len <= 0 || len > IN_SIZE - 4)
                return -1;
            if (left - 4 < (size_t)len)
                return (long)pos;
            emit(o, p + 4, (size_t)len - (p[4 + len - 1] == 0 ? 1 : 0));
            pos += 4 + (size_t)len;
        } else {
            size_t i = 0, len = 0;
            while (i < left && p[i] >= '0' && p[i] <= '9' && i < 10)
                len = len * 10 + (size_t)(p[i++] - '0');
            if (i == left)
                return (long)pos;
            if (i == 0 || p[i] != ' ' || len > IN_SIZE - 12)
                return -1;
            if (left - i - 1 < len)
                return (long)pos;
            emit(o, p + i + 1, len);
            pos += i + 1 + len;
        }
    }
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg;
    char *buf = malloc(IN_SIZE);
    struct obuf *o = malloc(sizeof *o);
    size_t have = 0;
    o->len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, IN_SIZE - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
        long used = parse(buf, have, o);
        if (used < 0)
            break;
        memmove(buf, buf + used, have - (size_t)used);
        have -= (size_t)used;
    }
    if (framing == LINES && have > 0)
        emit(o, buf, have); /* the last line may end with the connection */
    flush_obuf(o, 1);
    close(fd);
    free(buf);
    free(o);
    return NULL;
}

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s unix|tcp PATH|PORT lines|seed|octet OUTFILE\n", argv[0]);
        return 2;
    }
    framing = strcmp(argv[3], "seed") == 0 ? SEED : strcmp(argv[3], "octet") == 0 ? OCTET : LINES;
    out = fopen(argv[4], "a");
    if (!out) { perror("fopen"); return 1; }
    setvbuf(out, NULL, _IOFBF, 1 << 20);

    int lfd;
    if (strcmp(argv[1], "unix") == 0) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        strncpy(a.sun_path, argv[2], sizeof a.sun_path - 1);
        unlink(argv[2]);
        lfd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
        listen(lfd, 128);
        printf("READY\n");
    } else {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2])) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int one = 1;
        lfd = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
        listen(lfd, 128);
        socklen_t al = sizeof a;
        getsockname(lfd, (struct sockaddr *)&a, &al);
        printf("READY %d\n", ntohs(a.sin_port));
    }
    fflush(stdout);

    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_t t;
        pthread_create(&t, NULL, serve, (void *)(long)fd);
        pthread_detach(t);
    }
    pthread_mutex_lock(&out_lock);
    fflush(out);
    pthread_mutex_unlock(&out_lock);
    return 0;
}
