using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SocketDaemon.Connections;
using SocketDaemon.Diagnostics;
using SocketDaemon.Nats;

namespace SocketDaemon.Listeners.Internal;

/// <summary>The durable consumer a <c>nats://</c> listener reads, created when missing.</summary>
internal static partial class NatsDurableConsumer
{
    /// <summary>
    /// The durable consumer, created or updated; <see langword="null"/> (and an error logged) when it exists with
    /// another ack policy than the listener's <c>AckPolicy</c>, which JetStream does not let a consumer change.
    /// </summary>
    public static async Task<INatsJSConsumer?> CreateAsync(NatsJSContext js, ListenerContext context, NatsOptions nats, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nats);
        var options = context.Options;
        var policy = options.AckPolicy == NatsAckPolicy.All ? ConsumerConfigAckPolicy.All : ConsumerConfigAckPolicy.Explicit;
        try
        {
            return await js.CreateOrUpdateConsumerAsync(options.Stream!, new ConsumerConfig(options.Consumer!)
            {
                DurableName = options.Consumer,
                FilterSubject = options.FilterSubject,
                AckPolicy = policy,
                AckWait = nats.AckWait,
                MaxAckPending = Math.Max(1000, nats.FetchBatch * 4),
            }, cancellationToken);
        }
        catch (NatsJSApiException)
        {
            if (await AckPolicyOfAsync(js, options.Stream!, options.Consumer!, cancellationToken) is not { } has || has == policy)
            {
                throw;
            }

            AckPolicyMismatch(logger, context.Name, options.Consumer!, options.Stream!, has.ToString().ToLowerInvariant(), options.AckPolicy.ToString());
            return null;
        }
    }

    private static async Task<ConsumerConfigAckPolicy?> AckPolicyOfAsync(NatsJSContext js, string stream, string consumer, CancellationToken cancellationToken)
    {
        try
        {
            return (await js.GetConsumerAsync(stream, consumer, cancellationToken)).Info.Config.AckPolicy;
        }
        catch (NatsJSApiException)
        {
            return null;
        }
    }

    [LoggerMessage(EventIds.NatsAckPolicyMismatch, LogLevel.Error, "Listener {Listener}: consumer {Consumer} of stream {Stream} exists with ack policy {Existing}; AckPolicy: {Wanted} needs a new consumer (delete it with `nats consumer rm {Stream} {Consumer}`, or name another Consumer); retrying")]
    private static partial void AckPolicyMismatch(ILogger logger, string listener, string consumer, string stream, string existing, string wanted);
}
