using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Configuration;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Nats.Logged;

/// <summary>
/// The claim journal of <c>nats://</c> listeners: one <see cref="NatsLoggedStream"/> per stream and durable consumer,
/// under <c>StateDirectory</c>/nats-logged. The log writer records each chunk's claim here before writing it; this
/// hands it to its stream's journal.
/// </summary>
internal sealed class NatsLoggedJournal : ILogClaimJournal, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NatsLoggedStream> _streams = new(StringComparer.Ordinal);
    private readonly string _root;
    private readonly MessageDurability _durability;
    private readonly ILogger _logger;
    private bool _recovered;

    public NatsLoggedJournal(IOptions<SharedSettings> options, ILogger<NatsLoggedJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _root = Path.GetFullPath(Path.Combine(DefaultLocations.StateDirectory(options.Value), "nats-logged"));
        _durability = options.Value.Durability;
    }

    /// <summary>The journal of <paramref name="stream"/> read by the durable <paramref name="consumer"/>, opened on first use.</summary>
    public NatsLoggedStream Get(string stream, string consumer)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(consumer);
        RecoverFiles();
        lock (_lock)
        {
            return Open(Path.Combine(_root, SafeName(stream), SafeName(consumer)), recover: true);
        }
    }

    /// <inheritdoc/>
    public void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var stream = ((NatsLoggedClaim)claims[0]).Stream;
        if (claims.All(c => ((NatsLoggedClaim)c).Stream == stream))
        {
            stream.Record(path, writeStart, writeEnd, claims);
            return;
        }

        foreach (var byStream in claims.GroupBy(static c => ((NatsLoggedClaim)c).Stream))
        {
            byStream.Key.Record(path, writeStart, writeEnd, [.. byStream]);
        }
    }

    /// <inheritdoc/>
    public void FileOpened(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        NatsLoggedStream[] streams;
        lock (_lock)
        {
            streams = [.. _streams.Values];
        }

        foreach (var stream in streams)
        {
            stream.FileOpened(path);
        }
    }

    /// <inheritdoc/>
    public void RecoverFiles()
    {
        lock (_lock)
        {
            if (_recovered)
            {
                return;
            }

            _recovered = true;

            // Every journal a run left, whether or not a listener still reads its consumer: its claims cut torn writes.
            if (Directory.Exists(_root))
            {
                foreach (var directory in Directory.GetDirectories(_root).SelectMany(Directory.GetDirectories))
                {
                    Open(directory, recover: false).RecoverFiles();
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var stream in _streams.Values)
            {
                stream.Dispose();
            }

            _streams.Clear();
        }
    }

    private NatsLoggedStream Open(string directory, bool recover)
    {
        if (!_streams.TryGetValue(directory, out var stream))
        {
            _streams[directory] = stream = new NatsLoggedStream(directory, _durability, _logger);
            if (recover)
            {
                // New since the start: nothing of a killed run is in it.
                stream.RecoverFiles();
            }
        }

        return stream;
    }

    // Stream and consumer names cannot hold path separators in NATS; anything unusual is kept out of the path anyway.
    private static string SafeName(string name) =>
        string.Create(name.Length, name, static (span, n) =>
        {
            for (var i = 0; i < n.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(n[i]) || n[i] is '-' or '_' ? n[i] : '_';
            }
        });
}
