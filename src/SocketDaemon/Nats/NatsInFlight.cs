namespace SocketDaemon.Nats;

/// <summary>A publish awaiting JetStream's answer on its own reply subject, and when it goes again if none comes.</summary>
internal sealed class NatsInFlight(NatsOutgoing message, string replyTo)
{
    public NatsOutgoing Message { get; } = message;

    /// <summary>The publisher's inbox and the publish's number: where JetStream answers.</summary>
    public string ReplyTo { get; } = replyTo;

    /// <summary>When (<see cref="Environment.TickCount64"/>) it is sent again unless answered before.</summary>
    public long Due { get; set; }

    /// <summary>How long it waits before its next resend after a refusal; doubles up to 5 seconds.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(100);
}
