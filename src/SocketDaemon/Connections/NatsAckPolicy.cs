namespace SocketDaemon.Connections;

/// <summary>
/// The acknowledgement policy of the durable JetStream consumer a <c>nats://</c> listener creates (JetStream's
/// <c>ack_policy</c>, as <c>nats consumer add --ack</c> sets it).
/// </summary>
public enum NatsAckPolicy
{
    /// <summary>Each message is acknowledged on its own, once logged; aggregators may share the consumer.</summary>
    Explicit,

    /// <summary>
    /// One acknowledgement per batch, of its highest stream sequence, which JetStream takes for every message pending
    /// at or below it: sent only when every one of those is logged. Only for a consumer one aggregator reads: an
    /// acknowledgement would also cover the messages another reader of the consumer holds.
    /// </summary>
    All,
}
