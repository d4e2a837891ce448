/*
 * listen-fds-exec N FD... NAMES PROGRAM [ARG]...
 *
 * What systemd does when it starts a service with sockets or a file-descriptor store to pass (sd_listen_fds(3)):
 * the N inherited descriptors FD... become 3, 4, ... in order, LISTEN_FDS=N, LISTEN_FDNAMES=NAMES (colon-separated)
 * and LISTEN_PID=the pid of the process that then execs PROGRAM. .NET's Process.Start cannot place descriptors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s N FD... NAMES PROGRAM [ARG]...\n", argv[0]);
        return 64;
    }

    int n = atoi(argv[1]);
    if (n < 0 || argc < 4 + n) {
        fprintf(stderr, "%s: bad descriptor count\n", argv[0]);
        return 64;
    }

    /* First above every target, so that moving one never overwrites another still to be moved. */
    int moved[n > 0 ? n : 1];
    for (int i = 0; i < n; i++) {
        moved[i] = fcntl(atoi(argv[2 + i]), F_DUPFD, 3 + n);
        if (moved[i] < 0) {
            perror("fcntl(F_DUPFD)");
            return 71;
        }
    }

    /* The originals are inherited too: closed, so that the daemon holds each descriptor once, as systemd passes it. */
    for (int i = 0; i < n; i++) {
        close(atoi(argv[2 + i]));
    }

    for (int i = 0; i < n; i++) {
        /* dup2 leaves the new descriptor without FD_CLOEXEC: it survives the exec. */
        if (dup2(moved[i], 3 + i) < 0) {
            perror("dup2");
            return 71;
        }
        close(moved[i]);
    }

    char count[16], pid[16];
    snprintf(count, sizeof count, "%d", n);
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv("LISTEN_FDS", count, 1);
    setenv("LISTEN_FDNAMES", argv[2 + n], 1);
    setenv("LISTEN_PID", pid, 1);
    execvp(argv[3 + n], &argv[3 + n]);
    perror("execvp");
    return 127;
}
