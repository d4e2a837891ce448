using System.Buffers;
using System.Buffers.Binary;
using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// What a <c>Forward</c> step keeps per connection (a feature of its <see cref="MessageContext"/>): the spool records of
/// the batch being read, appended with one write when the batch ends, the one commitment its messages share, and the
/// connection's origin, encoded once for the messages that share it.
/// </summary>
/// <remarks>Used by one connection at a time; not thread-safe.</remarks>
internal sealed class ForwardStaging : SpoolStaging<ForwardStaging>
{
    private static readonly Func<object, ForwardStaging> Create = static handler => new ForwardStaging((ForwardHandler)handler);

    private readonly ForwardHandler _handler;

    private ForwardStaging(ForwardHandler handler)
        : base(handler) => _handler = handler;

    /// <summary>The staging of <paramref name="handler"/> on <paramref name="context"/>'s connection, made on its first message.</summary>
    public static ForwardStaging Of(MessageContext context, ForwardHandler handler) => Of(context, handler, Create);

    /// <summary>
    /// Stages the message as one spool record (its origin entry) and returns the commitment that the messages staged
    /// with it share: it is kept once the append and what it waits for (<see cref="ForwardHandler.Append"/>) are done.
    /// </summary>
    /// <exception cref="SpoolFullException">The spool has no room for it beside what is staged; nothing was staged.</exception>
    public Task Stage(MessageContext context, string host, DiskSpool spool)
    {
        var origin = OriginOf(context, host);
        var length = (int)context.Payload.Length;
        var entry = 8 + origin.Length + length;
        spool.EnsureRoomFor(Records.Bytes + SpoolSegment.HeaderSize + entry);
        Records.BeginRecord();
        var span = Records.GetSpan(entry);
        BinaryPrimitives.WriteInt32BigEndian(span, origin.Length);
        origin.CopyTo(span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span[(4 + origin.Length)..], length);
        context.Payload.CopyTo(span[(8 + origin.Length)..]);
        Records.Advance(entry);
        Records.EndRecord(spool.MaxRecordBytes);
        return SharedCommitment();
    }

    /// <inheritdoc/>
    protected override byte[] EncodeOrigin(MessageContext context, string host)
    {
        var bytes = new ArrayBufferWriter<byte>(128);
        context.FirstOrigin(host).Write(bytes);
        return bytes.WrittenSpan.ToArray();
    }

    /// <inheritdoc/>
    protected override ValueTask AppendStagedAsync()
    {
        _handler.AppendStaged(this);
        return ValueTask.CompletedTask;
    }
}
