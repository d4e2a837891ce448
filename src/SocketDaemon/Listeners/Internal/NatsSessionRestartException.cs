namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// Ends a <c>nats://</c> listener's consume session with <c>AckPolicy: All</c> so that a new one reads the consumer's
/// state again (<see cref="NatsAckAll"/>); logged as a consumer failure and retried.
/// </summary>
internal sealed class NatsSessionRestartException : Exception
{
    public NatsSessionRestartException()
    {
    }

    public NatsSessionRestartException(string message)
        : base(message)
    {
    }

    public NatsSessionRestartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
