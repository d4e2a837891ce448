/* The local stream client of "Advanced Linux Programming", listing 5.11 (socket-client.c):
   writes int length (host byte order, counting the NUL) and then the text with its NUL,
   in two write calls. Extended only to send every argument after the socket name. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void write_text (int socket_fd, const char* text)
{
  int length = strlen (text) + 1;
  write (socket_fd, &length, sizeof (length));
  write (socket_fd, text, length);
}

int main (int argc, char* const argv[])
{
  const char* const socket_name = argv[1];
  int socket_fd;
  struct sockaddr_un name;
  int i;

  socket_fd = socket (PF_LOCAL, SOCK_STREAM, 0);
  name.sun_family = AF_LOCAL;
  strcpy (name.sun_path, socket_name);
  if (connect (socket_fd, (struct sockaddr*) &name, SUN_LEN (&name)) != 0) {
    perror ("connect");
    return 1;
  }
  for (i = 2; i < argc; i++)
    write_text (socket_fd, argv[i]);
  close (socket_fd);
  return 0;
}
