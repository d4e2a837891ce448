namespace SocketDaemon.Systemd;

/// <summary>A client connection an earlier run of the daemon left in systemd's store, as this run takes it back.</summary>
/// <param name="FileDescriptor">The connected socket, inherited through <c>LISTEN_FDS</c>.</param>
/// <param name="Name">Its stored name: connection id, framing and listener.</param>
/// <param name="Pending">Bytes the earlier run had read from the socket but not yet made a message of; they come first.</param>
internal sealed record StoredConnection(int FileDescriptor, StoredDescriptorName Name, byte[] Pending);
