using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Client;
using SocketDaemon.Logging;

namespace SocketDaemon.Extensions.Logging;

/// <summary>
/// Sends every log entry to SocketDaemon over the native protocol, as an RFC 5424 message with level, category,
/// event id, scopes and exception in its structured data; in the background, in acknowledged batches.
/// </summary>
/// <remarks>
/// A logging call formats the entry into UTF-8 bytes and queues them, and never waits for the daemon: when the queue is full an entry
/// is dropped and counted (<see cref="DroppedEntries"/>). Disposing the provider, which the host does when it stops,
/// sends what is queued within <see cref="SocketDaemonLoggerOptions.FlushTimeout"/>.
/// </remarks>
[ProviderAlias("SocketDaemon")]
public sealed class SocketDaemonLoggerProvider : ILoggerProvider, ISupportExternalScope, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SocketDaemonLogger> _loggers = new(StringComparer.Ordinal);
    private readonly LogEntryQueue _queue;
    private IExternalScopeProvider? _scopes;

    /// <summary>Creates the provider and starts its background sender.</summary>
    /// <param name="options">The provider's options.</param>
    /// <exception cref="OptionsValidationException">An option is not valid; the message names it.</exception>
    public SocketDaemonLoggerProvider(IOptions<SocketDaemonLoggerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        SocketEndpoint endpoint;
        try
        {
            endpoint = SocketEndpoint.Parse(value.Endpoint);
        }
        catch (FormatException ex)
        {
            throw new OptionsValidationException("Logging:SocketDaemon:Endpoint", typeof(SocketDaemonLoggerOptions), [$"Logging:SocketDaemon:Endpoint: {ex.Message}"]);
        }

        if (value.QueueLimit < 1 || value.BatchMessages < 1 || value.Facility is < 0 or > 23)
        {
            throw new OptionsValidationException("Logging:SocketDaemon", typeof(SocketDaemonLoggerOptions),
                ["Logging:SocketDaemon: QueueLimit and BatchMessages must be at least 1, Facility from 0 to 23"]);
        }

        Format = new EntryFormat(
            value.Facility,
            value.HostName ?? Environment.MachineName,
            value.AppName ?? Assembly.GetEntryAssembly()?.GetName().Name ?? "-",
            Environment.ProcessId,
            value.IncludeScopes);
        var clientOptions = new SocketDaemonClientOptions
        {
            Reconnect = true,
            BatchMessages = value.BatchMessages,
            Spool = value.Spool,
            SpoolMaxBytes = value.SpoolMaxBytes,
        };
        _queue = new LogEntryQueue(endpoint, clientOptions, value.QueueLimit, value.QueueFullMode == SocketDaemonQueueFullMode.DropOldest, value.FlushTimeout);
    }

    /// <summary>How many entries were dropped because the queue was full.</summary>
    public long DroppedEntries => _queue.Dropped;

    /// <summary>How many times sending failed and the background sender reconnected.</summary>
    public long SendFailures => _queue.Failures;

    /// <summary>The last error the background sender met, if any.</summary>
    public Exception? LastSendError => _queue.LastError;

    internal EntryFormat Format { get; }

    internal IExternalScopeProvider? Scopes => _scopes;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (name, provider) => new SocketDaemonLogger(name, provider), this);

    /// <inheritdoc/>
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Sends what is queued (within the flush timeout) and closes the connection.</summary>
    /// <returns>A task that completes when the provider is closed.</returns>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    /// <summary>Sends what is queued (within the flush timeout) and closes the connection.</summary>
    public void Dispose() => _queue.DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal void Enqueue(ReadOnlySpan<byte> framed) => _queue.Enqueue(framed);
}
