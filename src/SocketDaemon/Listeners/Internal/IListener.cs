namespace SocketDaemon.Listeners.Internal;

/// <summary>A bound socket the daemon reads messages from: a stream listener's accept loop or a datagram receive loop.</summary>
internal interface IListener : IAsyncDisposable
{
    Task BindAsync(CancellationToken cancellationToken);

    void StartAccepting();

    /// <summary>Stops taking new connections or datagrams, after taking in what is already queued.</summary>
    Task UnbindAsync();
}
