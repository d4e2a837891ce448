using SocketDaemon.Client.Spooling;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.Nats;

/// <summary>
/// What a <c>Nats</c> step keeps per connection (a feature of its <see cref="MessageContext"/>): the spool records of
/// the batch being read, appended with one write when the batch ends, the one commitment its messages share, and the
/// origin headers, encoded once for the messages that share them.
/// </summary>
/// <remarks>Used by one connection at a time; not thread-safe.</remarks>
internal sealed class NatsStaging : SpoolStaging<NatsStaging>
{
    private static readonly Func<object, NatsStaging> Create = static handler => new NatsStaging((NatsHandler)handler);

    private readonly NatsHandler _handler;

    private NatsStaging(NatsHandler handler)
        : base(handler) => _handler = handler;

    /// <summary>The staging of <paramref name="handler"/> on <paramref name="context"/>'s connection, made on its first message.</summary>
    public static NatsStaging Of(MessageContext context, NatsHandler handler) => Of(context, handler, Create);

    /// <summary>Stages the message as one spool record and returns the commitment the messages staged with it share.</summary>
    /// <exception cref="ArgumentException">The message is over the spool's record size; nothing was staged.</exception>
    public Task Stage(MessageContext context, string subject, string host, int maxRecordBytes)
    {
        NatsSpoolRecord.Stage(Records, subject, OriginOf(context, host), context.Payload, maxRecordBytes);
        return SharedCommitment();
    }

    /// <inheritdoc/>
    protected override byte[] EncodeOrigin(MessageContext context, string host) =>
        NatsSpoolRecord.EncodeHeaders(NatsOriginHeaders.For(context, host));

    /// <inheritdoc/>
    protected override ValueTask AppendStagedAsync() => _handler.AppendStagedAsync(this);
}
