namespace SocketDaemon.Pipeline.Tail;

/// <summary>
/// The live followers of the message stream (<c>socketctl tail</c>). Each message is offered to every follower
/// without ever waiting: a follower that reads too slowly misses messages and is told how many, and ingestion
/// never slows down for it. With no follower the cost is one field read per message.
/// </summary>
public sealed class TailHub
{
    private readonly Lock _lock = new();
    private volatile TailSubscription[] _subscriptions = [];

    /// <summary>Whether anyone follows.</summary>
    public bool HasSubscribers => _subscriptions.Length > 0;

    /// <summary>Offers <paramref name="context"/> to every follower whose filter it passes.</summary>
    public void Publish(MessageContext context)
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Offer(context);
        }
    }

    internal TailSubscription Subscribe(string listener, string grep)
    {
        var subscription = new TailSubscription(listener, grep);
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    internal void Unsubscribe(TailSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions.Where(s => s != subscription)];
        }
    }
}
