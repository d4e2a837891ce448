using System.Net.Sockets;
using SocketDaemon.Client;

namespace SocketDaemon.Systemd;

/// <summary>A listening socket systemd passed to the daemon (socket activation).</summary>
/// <param name="FileDescriptor">The descriptor, from 3 on.</param>
/// <param name="Name">Its <c>FileDescriptorName=</c>, from <c>LISTEN_FDNAMES</c>; <c>unknown</c> when none was given.</param>
/// <param name="SocketType">Stream or datagram, read from the descriptor (<c>SO_TYPE</c>).</param>
/// <param name="Endpoint">The address it is bound to, as an endpoint string; <see langword="null"/> when it has none SocketDaemon can write.</param>
public sealed record ActivatedSocket(int FileDescriptor, string Name, SocketType SocketType, SocketEndpoint? Endpoint);
