using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Diagnostics;
using SocketDaemon.Client.Status;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
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
public sealed partial class SyslogHandler : SpooledOutputHandler
{
    private readonly SyslogSender _sender;
    private readonly SyslogOutputOptions _options;
    private readonly byte[] _hostname = Encoding.ASCII.GetBytes(Environment.MachineName);
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _clientCertificate;

    /// <summary>
    /// Opens the spool (recovering what a crash left) and starts sending it; a collector that cannot be connected to,
    /// or whose connection breaks, counts as failed in <paramref name="counters"/>.
    /// </summary>
    public SyslogHandler(SyslogOutputOptions options, ILogger<SyslogHandler> logger, OutputCounters? counters = null)
        : base(options, logger, SpoolRecovered, SpoolPending)
    {
        _options = options;
        _clientCertificate = options.Tls?.LoadClientCertificate();
        _sender = new SyslogSender(Spool, options, _clientCertificate, (upstream, ex) =>
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
            Append(context, formatted.AsSpan(0, length));
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

    private protected override void KeepWhenAcknowledged(ulong sequence, TaskCompletionSource commitment) =>
        _sender.WhenAcknowledged(sequence, commitment);

    // A forward-like entry.
    private protected override void Describe(ForwardStatus status)
    {
        status.Upstreams = [.. _options.Upstreams.Select(u => "syslog+" + u)];
        status.UpstreamsConnected = _sender.Connected ? 1 : 0;
        status.Forwarded = _sender.Sent;
    }

    // What is not written to a collector stays in the spool for the next start.
    private protected override async ValueTask StopAsync()
    {
        await _sender.DisposeAsync();
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
