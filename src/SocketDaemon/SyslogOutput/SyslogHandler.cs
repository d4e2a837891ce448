using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Diagnostics;
using SocketDaemon.Client.Status;
using SocketDaemon.Pipeline;
using SocketDaemon.Syslog;

namespace SocketDaemon.SyslogOutput;

/// <summary>
/// Sends messages to syslog collectors (rsyslog, syslog-ng, ...): each is formatted as RFC 5424 or RFC 3164 into a
/// pooled buffer, appended to a <see cref="DiskSpool"/> (the one <c>Forward</c> uses), and a background
/// <see cref="SyslogSender"/> writes the spool to the first collector that is up, reconnecting with backoff.
/// </summary>
/// <remarks>
/// With <c>Acknowledge: downstream</c> the message's commitment is its write to the collector's connection (written
/// and flushed to the socket); with <c>local</c>, its place in the spool.
/// </remarks>
public sealed partial class SyslogHandler : IAsyncDisposable
{
    private readonly DiskSpool _spool;
    private readonly SyslogSender _sender;
    private readonly SyslogOutputOptions _options;
    private readonly byte[] _hostname = Encoding.ASCII.GetBytes(Environment.MachineName);
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _clientCertificate;
    private long _spooled;

    /// <summary>
    /// Opens the spool (recovering what a crash left) and starts sending it; a collector that cannot be connected to,
    /// or whose connection breaks, counts as failed in <paramref name="counters"/>.
    /// </summary>
    public SyslogHandler(SyslogOutputOptions options, ILogger<SyslogHandler> logger, OutputCounters? counters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _spool = DiskSpool.Open(options.Spool, new DiskSpoolOptions
        {
            MaxBytes = options.SpoolMaxBytes,
            Durability = options.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush,
        });
        if (_spool.RecoveredTornBytes > 0)
        {
            SpoolRecovered(logger, options.Spool, _spool.RecoveredTornBytes);
        }

        if (_spool.Pending > 0)
        {
            SpoolPending(logger, options.Spool, _spool.Pending);
        }

        _clientCertificate = options.Tls?.LoadClientCertificate();
        _sender = new SyslogSender(_spool, options, _clientCertificate, (upstream, ex) =>
        {
            counters?.OnFailed();
            CollectorFailed(logger, upstream.ToString(), ex.Message);
        });
        _sender.Start();
    }

    /// <summary>The configuration this handler runs with.</summary>
    public SyslogOutputOptions Options => _options;

    /// <summary>UDP messages cut to <c>MaxDatagramBytes</c> since start.</summary>
    public long Truncated => _sender.Truncated;

    /// <summary>The step's counters, for <c>/status</c>, as a forward-like entry.</summary>
    public ForwardStatus GetStatus() => new()
    {
        Spool = _options.Spool,
        Upstreams = [.. _options.Upstreams.Select(u => "syslog+" + u)],
        UpstreamsConnected = _sender.Connected ? 1 : 0,
        Spooled = Interlocked.Read(ref _spooled),
        Forwarded = _sender.Sent,
        Pending = _spool.Pending,
        SpoolBytes = _spool.Bytes,
    };

    /// <summary>Formats and spools the message and adds its commitment: the write to the collector, or the spool write.</summary>
    /// <exception cref="SpoolFullException">The spool is full: the message is refused (the native protocol answers Busy).</exception>
    public ValueTask InvokeAsync(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = context.Payload;
        byte[]? joined = null;
        byte[]? formatted = null;
        try
        {
            ReadOnlySpan<byte> message;
            if (payload.IsSingleSegment)
            {
                message = payload.FirstSpan;
            }
            else
            {
                joined = ArrayPool<byte>.Shared.Rent((int)payload.Length);
                payload.CopyTo(joined);
                message = joined.AsSpan(0, (int)payload.Length);
            }

            Span<byte> procId = stackalloc byte[11];
            Span<byte> comm = stackalloc byte[64];
            var fields = context.Fields;
            var record = fields is { IsParsed: true, ParseError: false, Format: MessageFormat.Rfc5424 or MessageFormat.Rfc3164 }
                ? Parsed(context, fields)
                : Unparsed(context, message, procId, comm);
            formatted = ArrayPool<byte>.Shared.Rent(record.MaxLength);
            var length = SyslogFormatter.Format(record, _options.Format, formatted);
            var sequence = _spool.Append(formatted.AsSpan(0, length));
            Interlocked.Increment(ref _spooled);
            if (_options.Downstream)
            {
                context.AddCommitment(_sender.WaitForAcknowledgedAsync(sequence));
            }
            else if (_options.Fsync)
            {
                context.AddCommitment(Task.Run(_spool.Commit));
            }
        }
        finally
        {
            if (joined is not null)
            {
                ArrayPool<byte>.Shared.Return(joined);
            }

            if (formatted is not null)
            {
                ArrayPool<byte>.Shared.Return(formatted);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Stops sending; what is not written to a collector stays in the spool for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await _sender.DisposeAsync();
        _spool.Dispose();
        _clientCertificate?.Dispose();
    }

    // A message a Parse step understood keeps its fields; what it lacks (no PRI, no hostname) gets the defaults.
    private SyslogRecord Parsed(MessageContext context, MessageFields fields)
    {
        ref readonly var header = ref fields.Header;

        // The ranges are into these bytes: the payload's, or the parser's joined copy of it.
        var message = fields.Source(context.Payload);

        var hostname = header.Hostname.Of(message);
        return new SyslogRecord
        {
            Facility = header.Facility ?? _options.DefaultFacility,
            Severity = header.Severity ?? _options.DefaultSeverity,
            ReceivedAt = context.ReceivedAt,
            Timestamp = header.Timestamp.Of(message),
            Hostname = hostname.IsEmpty ? _hostname : hostname,
            AppName = header.AppName.Of(message),
            ProcId = header.ProcId.Of(message),
            MsgId = header.MsgId.Of(message),
            StructuredData = header.StructuredData.Of(message),
            Message = TrimEnd(header.Message.Of(message)),
        };
    }

    // A message no Parse step understood: the defaults, this host, the peer's comm and pid, the text as it came.
    private SyslogRecord Unparsed(MessageContext context, ReadOnlySpan<byte> message, Span<byte> procId, Span<byte> comm)
    {
        var record = new SyslogRecord
        {
            Facility = _options.DefaultFacility,
            Severity = _options.DefaultSeverity,
            ReceivedAt = context.ReceivedAt,
            Hostname = _hostname,
            Message = TrimEnd(message),
        };
        if (context.Peer.ProcessName is { } name && Encoding.UTF8.TryGetBytes(name, comm, out var written))
        {
            record.AppName = comm[..written];
        }

        if (context.Peer.ProcessId is { } pid && Utf8Formatter.TryFormat(pid, procId, out var digits))
        {
            record.ProcId = procId[..digits];
        }

        return record;
    }

    // A trailing LF or CRLF (or NUL) ends a message; it is not part of it.
    private static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> message)
    {
        while (!message.IsEmpty && message[^1] is (byte)'\n' or (byte)'\r' or 0)
        {
            message = message[..^1];
        }

        return message;
    }

    [LoggerMessage(EventIds.SyslogCollectorFailed, LogLevel.Warning, "Syslog: collector {Upstream}: {Reason}; retrying")]
    private static partial void CollectorFailed(ILogger logger, string upstream, string reason);

    [LoggerMessage(EventIds.SyslogSpoolRecovered, LogLevel.Warning, "Syslog: spool {Spool}: cut {Bytes} bytes of a record torn by a crash")]
    private static partial void SpoolRecovered(ILogger logger, string spool, long bytes);

    [LoggerMessage(EventIds.SyslogSpoolPending, LogLevel.Information, "Syslog: spool {Spool} holds {Count} messages not yet sent; sending them")]
    private static partial void SpoolPending(ILogger logger, string spool, long count);
}
