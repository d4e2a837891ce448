using System.Buffers;
using System.Globalization;
using System.Text;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Writes a message as the line <see cref="Handlers.LogHandler.DefaultOutputTemplate"/> renders, straight into UTF-8
/// bytes: <c>2026-11-25T17:59:00.229200+00:00 unix [pid=1 uid=0 gid=0 comm=app] #1: text</c>, every field escaped with
/// <see cref="LogEscaping"/> so that the line is one line whatever the message holds.
/// </summary>
public static class MessageLineFormatter
{
    internal const int TimestampLength = 32; // yyyy-MM-ddTHH:mm:ss.ffffffzzz

    // After the text of a message cut by Oversize: truncate.
    private static ReadOnlySpan<byte> Truncated => " [truncated]"u8;

    /// <summary>The most bytes the line of <paramref name="context"/> can take.</summary>
    public static int MaxLength(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return MaxLength(context, MessageLogState.Of(context));
    }

    /// <summary>The most bytes the line of <paramref name="context"/> can take, with its connection's <paramref name="state"/>.</summary>
    internal static int MaxLength(MessageContext context, MessageLogState state)
    {
        return TimestampLength + Prefix(context, state).Length + LogEscaping.MaxEscapedLength(checked((int)context.Payload.Length)) + Truncated.Length + 1;
    }

    /// <summary>Writes the line of <paramref name="context"/>, newline included, into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes).</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Format(MessageContext context, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Format(context, MessageLogState.Of(context), destination);
    }

    /// <summary>Writes the line of <paramref name="context"/> with its connection's <paramref name="state"/>.</summary>
    internal static int Format(MessageContext context, MessageLogState state, Span<byte> destination)
    {
        Timestamp(context, state).CopyTo(destination);
        var written = TimestampLength;
        var prefix = Prefix(context, state);
        prefix.CopyTo(destination[written..]);
        written += prefix.Length;
        var payload = context.Payload;
        if (payload.IsSingleSegment)
        {
            written += LogEscaping.Escape(payload.FirstSpan, destination[written..]);
        }
        else
        {
            // Rare (a message across two pipe segments): joined first, so that a UTF-8 sequence split between
            // segments is not escaped as invalid.
            var joined = ArrayPool<byte>.Shared.Rent((int)payload.Length);
            payload.CopyTo(joined);
            written += LogEscaping.Escape(joined.AsSpan(0, (int)payload.Length), destination[written..]);
            ArrayPool<byte>.Shared.Return(joined);
        }

        if (context.Truncated)
        {
            Truncated.CopyTo(destination[written..]);
            written += Truncated.Length;
        }

        destination[written++] = (byte)'\n';
        return written;
    }

    /// <summary>Writes <paramref name="time"/> as <c>yyyy-MM-ddTHH:mm:ss.ffffffzzz</c>.</summary>
    public static int FormatTimestamp(DateTimeOffset time, Span<byte> destination)
    {
        var local = time.DateTime;
        local.Deconstruct(out int year, out int month, out int day);
        var d = destination[..TimestampLength];
        Digits(d[..4], year);
        d[4] = (byte)'-';
        Digits(d.Slice(5, 2), month);
        d[7] = (byte)'-';
        Digits(d.Slice(8, 2), day);
        d[10] = (byte)'T';
        Digits(d.Slice(11, 2), local.Hour);
        d[13] = (byte)':';
        Digits(d.Slice(14, 2), local.Minute);
        d[16] = (byte)':';
        Digits(d.Slice(17, 2), local.Second);
        d[19] = (byte)'.';
        Digits(d.Slice(20, 6), (int)(local.Ticks % TimeSpan.TicksPerSecond / 10));
        var offset = (int)(time.Offset.Ticks / TimeSpan.TicksPerMinute);
        d[26] = offset < 0 ? (byte)'-' : (byte)'+';
        offset = Math.Abs(offset);
        Digits(d.Slice(27, 2), offset / 60);
        d[29] = (byte)':';
        Digits(d.Slice(30, 2), offset % 60);
        return TimestampLength;
    }

    // A connection stamps every message of one read with the same time: formatted once for all of them.
    internal static byte[] Timestamp(MessageContext context, MessageLogState state)
    {
        var time = context.ReceivedAt;
        if (state.Timestamp is { } cached && state.TimestampOf.EqualsExact(time))
        {
            return cached;
        }

        var formatted = state.Timestamp ??= new byte[TimestampLength];
        FormatTimestamp(time, formatted);
        state.TimestampOf = time;
        return formatted;
    }

    // " listener [peer] #id: " is the same for every message of a connection: built once, escaped, kept in its state.
    private static byte[] Prefix(MessageContext context, MessageLogState state)
    {
        if (state.LinePrefix is { } cached)
        {
            return cached;
        }

        var text = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {context.Listener} [{context.Peer}] #{context.ConnectionId}: "));
        var escaped = new byte[LogEscaping.MaxEscapedLength(text.Length)];
        var length = LogEscaping.Escape(text, escaped);
        return state.LinePrefix = escaped[..length];
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
