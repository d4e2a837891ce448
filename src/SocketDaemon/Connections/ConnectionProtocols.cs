using SocketDaemon.Framing;

namespace SocketDaemon.Connections;

/// <summary>
/// The table of what a connection may speak, by framing, and the detection that picks an entry from its first bytes
/// when the listener's framing is <c>auto</c>.
/// </summary>
internal sealed class ConnectionProtocols
{
    private readonly IConnectionProtocol?[] _table;

    /// <summary>The table of <paramref name="protocols"/> (registered with the daemon's services): for each framing, the first that speaks it.</summary>
    public ConnectionProtocols(IEnumerable<IConnectionProtocol> protocols)
    {
        var all = protocols.ToArray();
        var kinds = Enum.GetValues<FramingKind>();
        _table = new IConnectionProtocol?[kinds.Max(static k => (int)k) + 1];
        foreach (var kind in kinds)
        {
            _table[(int)kind] = Array.Find(all, p => p.Speaks(kind));
        }
    }

    /// <summary>The protocol of <paramref name="framing"/>.</summary>
    /// <exception cref="InvalidOperationException">No protocol speaks it (a framing a stream connection cannot have).</exception>
    public IConnectionProtocol For(FramingKind framing) =>
        (uint)framing < (uint)_table.Length && _table[(int)framing] is { } protocol ? protocol
        : throw new InvalidOperationException($"no connection protocol speaks {framing}");

    /// <summary>
    /// Looks at the first bytes without consuming them (the pipe's equivalent of <c>recv(MSG_PEEK)</c>), so that the
    /// chosen protocol sees the connection from its first byte. Returns null when the connection ended or stayed silent:
    /// a connection that sent nothing within <c>FrameTimeout</c> is closed as idle; one that sent the start of something
    /// and then nothing is closed for <c>FrameTimeout</c> (a frame under way), not left to wait for <c>IdleTimeout</c> too.
    /// </summary>
    /// <exception cref="FramingException">Some bytes came, then nothing within <c>FrameTimeout</c>.</exception>
    public static async Task<FramingKind?> DetectAsync(StreamConnection connection)
    {
        var input = connection.Input;
        var deadline = connection.Deadline;
        long seen = 0;
        while (true)
        {
            var timeout = deadline.NextTimeout(midFrame: true);
            if (await connection.ReadAsync(timeout) is not { } result)
            {
                // At a stop, what came is text too short for any other framing, and is read as lines.
                if (seen > 0 && connection.Stopping.IsCancellationRequested)
                {
                    return FramingKind.Lines;
                }

                deadline.OnTimeout(midFrame: seen > 0, seen > 0 ? timeout : connection.Listener.Limits.FrameTimeout);
                return null;
            }

            var buffer = result.Buffer;
            seen = buffer.Length;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                return null;
            }

            var kind = FramingDetector.Detect(buffer, connection.Listener.MaxMessageBytes, isFinal: result.IsCompleted);
            input.AdvanceTo(buffer.Start, kind is null ? buffer.End : buffer.Start);
            if (kind is not null)
            {
                return kind;
            }
        }
    }
}
