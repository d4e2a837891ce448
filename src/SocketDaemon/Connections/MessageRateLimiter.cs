using System.Threading.RateLimiting;
namespace SocketDaemon.Connections;

/// <summary>
/// A token bucket on a listener's messages, one per peer or one for the listener (<see cref="RateLimitOptions.Per"/>).
/// Idle peers' buckets are let go by the partitioned limiter itself.
/// </summary>
/// <remarks>
/// A reload replaces the limiter and disposes the old one; a connection that still meets the old one lets its
/// message through rather than fail it.
/// </remarks>
internal sealed class MessageRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter? _shared;
    private readonly PartitionedRateLimiter<string>? _perPeer;

    public MessageRateLimiter(RateLimitOptions options)
    {
        Action = options.Action;
        // Refill in small steps, not once a second: a delayed sender then flows steadily instead of in bursts.
        var (period, tokens) = options.MessagesPerSecond >= 10
            ? (TimeSpan.FromMilliseconds(100), options.MessagesPerSecond / 10)
            : (TimeSpan.FromSeconds(1.0 / options.MessagesPerSecond), 1);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst ?? options.MessagesPerSecond,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            AutoReplenishment = true,
            QueueLimit = options.Action == RateLimitAction.Delay ? int.MaxValue : 0,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        };

        if (options.Per == RateLimitScope.Listener)
        {
            _shared = new TokenBucketRateLimiter(bucket);
        }
        else
        {
            Func<string, TokenBucketRateLimiterOptions> factory = _ => bucket;
            _perPeer = PartitionedRateLimiter.Create<string, string>(peer => RateLimitPartition.GetTokenBucketLimiter(peer, factory));
        }
    }

    public RateLimitAction Action { get; }

    /// <summary>Takes a token for one message of <paramref name="peer"/> if one is there now.</summary>
    public bool TryAcquire(string peer)
    {
        try
        {
            using var lease = _shared?.AttemptAcquire() ?? _perPeer!.AttemptAcquire(peer);
            return lease.IsAcquired;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Waits for a token for one message of <paramref name="peer"/>.</summary>
    public async ValueTask<bool> AcquireAsync(string peer, CancellationToken cancellationToken)
    {
        try
        {
            using var lease = _shared is not null
                ? await _shared.AcquireAsync(1, cancellationToken)
                : await _perPeer!.AcquireAsync(peer, 1, cancellationToken);
            return lease.IsAcquired;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _shared?.Dispose();
        _perPeer?.Dispose();
    }
}
