namespace SocketDaemon.Nats;

/// <summary>When a message a <c>Nats</c> step takes counts as committed to its sender.</summary>
public enum NatsAcknowledge
{
    /// <summary>When JetStream has stored it.</summary>
    Nats,

    /// <summary>When the step has taken it.</summary>
    Local,
}
