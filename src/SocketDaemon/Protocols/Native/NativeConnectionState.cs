using System.Buffers;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;

namespace SocketDaemon.Protocols.Native;

/// <summary>What a native connection reuses from batch to batch, so that a batch allocates nothing per message.</summary>
internal sealed class NativeConnectionState(StreamConnection connection, byte version)
{
    private MessageOrigin? _origin;
    private byte[] _originBytes = [];

    public StreamConnection Connection { get; } = connection;

    public byte Version { get; } = version;

    public NativeSession? Session { get; set; }

    public MessageContext Context { get; } = CreateBatchContext(connection);

    public List<(ReadOnlySequence<byte> Message, ReadOnlySequence<byte> Origin)> Messages { get; } = [];

    public NativeReplies Replies { get; } = new(connection.Output, connection.Input.CancelPendingRead);

    /// <summary>
    /// The origin an origin-batch entry carries, decoded again only when its bytes differ from the entry's before: the
    /// messages an edge read together share one.
    /// </summary>
    public MessageOrigin ReadOrigin(in ReadOnlySequence<byte> bytes)
    {
        if (_origin is not null && bytes.Length == _originBytes.Length && (bytes.IsSingleSegment ? bytes.FirstSpan.SequenceEqual(_originBytes) : bytes.ToArray().AsSpan().SequenceEqual(_originBytes)))
        {
            return _origin;
        }

        _origin = MessageOrigin.Read(bytes);
        _originBytes = bytes.ToArray();
        return _origin;
    }

    private static MessageContext CreateBatchContext(StreamConnection connection)
    {
        var context = connection.CreateMessageContext(FramingKind.Native);
        context.BatchWrites = true;
        return context;
    }

    public (ulong Id, string Listener, string Grep)? Tail { get; set; }
}
