using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Configuration;

namespace SocketDaemon.Nats;

/// <summary>
/// The daemon's NATS outboxes, one per server and stream, shared by the <c>Nats</c> steps that name them and kept
/// across reloads. Also the source of message ids: this host, this run's boot id and a sequence, unique across the
/// daemons that publish to one stream and fixed for a message's every retry.
/// Disposed with the host, after the listeners have drained: then it waits (at most <c>ShutdownTimeout</c>) for
/// JetStream to acknowledge what is still in flight.
/// </summary>
internal sealed class NatsPublishers(IOptions<SharedSettings> options, IOptions<NatsOptions> nats, ILoggerFactory loggerFactory) : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<(string Url, string Stream), NatsSpoolOutbox> _outboxes = new();
    private long _sequence;

    /// <summary>The host name messages are published as, and the <c>{Host}</c> of subjects.</summary>
    public string Host { get; } = Environment.MachineName;

    /// <summary>A random id for this run of the daemon, so sequences restarting at 1 never repeat an id.</summary>
    /// <remarks>
    /// From a <see cref="Guid"/>'s first six bytes (all random in a version 4 one), not RandomNumberGenerator: that
    /// loads libcrypto, 3.4 MB of every daemon's RSS, when nothing else needs it. An id only has to be unique, not secret.
    /// </remarks>
    public string BootId { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6);

    /// <summary>The next message id.</summary>
    public string NextMessageId() =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}-{BootId}-{Interlocked.Increment(ref _sequence)}");

    /// <summary>The outbox publishing to <paramref name="stream"/> at <paramref name="url"/>.</summary>
    public NatsSpoolOutbox Get(string url, string stream, string streamSubject) =>
        _outboxes.GetOrAdd((url, stream), key => new NatsSpoolOutbox(
            SpoolDirectory(options.Value, key.Url, key.Stream),
            nats.Value.SpoolMaxBytes,
            options.Value.Durability == MessageDurability.Fsync,
            new NatsPublisher(key.Url, key.Stream, streamSubject, nats.Value, loggerFactory),
            loggerFactory));

    /// <summary>The spool of one server and stream: <c>spool/nats/STREAM-SERVER</c> under the state directory.</summary>
    internal static string SpoolDirectory(SharedSettings options, string url, string stream)
    {
        var server = string.Concat(url.Replace("nats://", string.Empty, StringComparison.Ordinal).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        return Path.Combine(DefaultLocations.StateDirectory(options), "spool", "nats", $"{stream}-{server}");
    }

    /// <summary>Each outbox's counters, in the order of their spools.</summary>
    public IEnumerable<SocketDaemon.Client.Status.NatsOutboxStatus> GetStatus() => _outboxes
        .Select(o => new SocketDaemon.Client.Status.NatsOutboxStatus { Url = o.Key.Url, Stream = o.Key.Stream, Spool = o.Value.Spool, Pending = o.Value.Pending, SpoolBytes = o.Value.SpoolBytes })
        .OrderBy(o => o.Spool, StringComparer.Ordinal);

    /// <summary>Messages taken by every outbox and not yet acknowledged by JetStream.</summary>
    public long Pending => _outboxes.Values.Sum(o => o.Pending);

    public async ValueTask DisposeAsync()
    {
        var timeout = options.Value.ShutdownTimeout;
        await Task.WhenAll(_outboxes.Values.Select(o => o.StopAsync(timeout)));
        foreach (var outbox in _outboxes.Values)
        {
            await outbox.DisposeAsync();
        }

        _outboxes.Clear();
    }

    // The host's synchronous Dispose reaches singletons here; the wait is bounded by ShutdownTimeout.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
