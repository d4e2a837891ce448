namespace SocketDaemon.Nats;

/// <summary>
/// The origin headers that name a message's sender (all but the time it was received), as read in one pass over a
/// message's headers by <see cref="NatsOriginHeaders.Read"/>: equal for the messages of one sender.
/// </summary>
internal readonly record struct NatsOriginValues(string? Host, string? Listener, string? Pid, string? Uid, string? Gid, string? Comm, string? Peer);
