using System.Buffers;
using SocketDaemon.Framing;
using SocketDaemon.Pipeline;
using SocketDaemon.Connections;

namespace SocketDaemon.Protocols.Native;

/// <summary>What a native connection reuses from batch to batch, so that a batch allocates nothing per message.</summary>
internal sealed class NativeConnectionState(StreamConnection connection, byte version)
{
    public StreamConnection Connection { get; } = connection;

    public byte Version { get; } = version;

    public NativeSession? Session { get; set; }

    public MessageContext Context { get; } = CreateBatchContext(connection);

    public List<(ReadOnlySequence<byte> Message, ReadOnlySequence<byte> Origin)> Messages { get; } = [];

    public NativeReplies Replies { get; } = new(connection.Output, connection.Input.CancelPendingRead);

    private static MessageContext CreateBatchContext(StreamConnection connection)
    {
        var context = connection.CreateMessageContext(FramingKind.Native);
        context.BatchWrites = true;
        return context;
    }

    public (ulong Id, string Listener, string Grep)? Tail { get; set; }
}
