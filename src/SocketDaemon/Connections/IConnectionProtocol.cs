using SocketDaemon.Framing;

namespace SocketDaemon.Connections;

/// <summary>
/// What a stream connection speaks once its framing is known (<see cref="ConnectionProtocols"/>): a raw framing cut
/// into messages, an HTTP request, or the native protocol. Chosen once per connection.
/// </summary>
internal interface IConnectionProtocol
{
    /// <summary>Whether this protocol serves connections of <paramref name="framing"/>.</summary>
    bool Speaks(FramingKind framing);

    /// <summary>
    /// Serves <paramref name="connection"/> until it ends; <paramref name="resumed"/> when it goes on where a park or an
    /// earlier run left it. Returns true when the connection parked instead (it runs again on its next bytes).
    /// </summary>
    Task<bool> RunAsync(StreamConnection connection, bool resumed);
}
