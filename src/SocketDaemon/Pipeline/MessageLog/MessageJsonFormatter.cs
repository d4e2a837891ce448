using System.Globalization;
using System.Text;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Writes a message as one JSON object on one line, straight into UTF-8 bytes, with the keys of
/// <c>docs/json-format.md</c> in a fixed order and absent when unknown: <c>received</c>, <c>listener</c>, <c>peer</c>,
/// <c>facility</c>, <c>severity</c>, <c>timestamp</c>, <c>hostname</c>, <c>appname</c>, <c>procid</c>, <c>msgid</c>,
/// <c>sd</c>, <c>message</c>, then <c>json</c>, <c>parse_error</c> and <c>truncated</c> when they apply.
/// </summary>
public static class MessageJsonFormatter
{
    // The keys and punctuation around the fields, and the longest keywords: a bound, not an exact count.
    private const int FixedOverhead = 320;

    /// <summary>The most bytes the line of <paramref name="context"/> can take.</summary>
    public static int MaxLength(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return MaxLength(context, MessageLogState.Of(context));
    }

    /// <summary>The most bytes the line of <paramref name="context"/> can take, with its connection's <paramref name="state"/>.</summary>
    internal static int MaxLength(MessageContext context, MessageLogState state)
    {

        // Every message byte may appear twice (a JSON message's fields and the object itself), escaped at most 6-fold.
        return FixedOverhead + MessageLineFormatter.TimestampLength + Prefix(context, state).Length
            + JsonEscaping.MaxEscapedLength(checked((int)context.Payload.Length)) + checked((int)context.Payload.Length);
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
        var w = new Writer(destination);
        w.Raw("{\"received\":\""u8);
        w.Raw(MessageLineFormatter.Timestamp(context, state));
        w.Raw((byte)'"');
        w.Raw(Prefix(context, state));

        var fields = context.Fields;
        var payload = context.Payload;
        var source = fields.IsParsed ? fields.Source(payload) : fields.Join(payload);
        ref readonly var header = ref fields.Header;
        if (header.Facility is { } facility)
        {
            w.Raw(",\"facility\":\""u8);
            w.Raw(SyslogKeywords.FacilityUtf8(facility));
            w.Raw((byte)'"');
        }

        if (header.Severity is { } severity)
        {
            w.Raw(",\"severity\":\""u8);
            w.Raw(SyslogKeywords.SeverityUtf8(severity));
            w.Raw((byte)'"');
        }

        var raw = header.JsonEscaped;
        if (raw)
        {
            w.Field(",\"timestamp\":\""u8, header.Timestamp, source, raw);
        }
        else if (header.Timestamp.IsPresent)
        {
            w.Timestamp(header.Timestamp.Of(source), context.ReceivedAt, state.Zone ??= LocalZone(context));
        }

        if (header.Format == MessageFormat.Rfc5424)
        {
            // RFC 5424 header fields are PRINTUSASCII, checked by the parser: only '"' and '\' need escaping.
            w.Printable(",\"hostname\":\""u8, header.Hostname, source);
            w.Printable(",\"appname\":\""u8, header.AppName, source);
            w.Printable(",\"procid\":\""u8, header.ProcId, source);
            w.Printable(",\"msgid\":\""u8, header.MsgId, source);
        }
        else
        {
            w.Field(",\"hostname\":\""u8, header.Hostname, source, raw);
            w.Field(",\"appname\":\""u8, header.AppName, source, raw);
            w.Field(",\"procid\":\""u8, header.ProcId, source, raw);
            w.Field(",\"msgid\":\""u8, header.MsgId, source, raw);
        }

        if (header.StructuredData.IsPresent)
        {
            w.StructuredData(header.StructuredData.Of(source));
        }

        if (header.Format == MessageFormat.None)
        {
            w.Field(",\"message\":\""u8, new Syslog.FieldRange(0, source.Length), source, raw: false);
        }
        else
        {
            w.Field(",\"message\":\""u8, header.Message, source, raw);
        }

        if (header.Format == MessageFormat.Json)
        {
            w.Raw(",\"json\":"u8);
            w.Minified(source);
        }

        if (fields.ParseError)
        {
            w.Raw(",\"parse_error\":true"u8);
        }

        if (context.Truncated)
        {
            w.Raw(",\"truncated\":true"u8);
        }

        w.Raw("}\n"u8);
        return w.Written;
    }

    // `,"listener":"…","peer":{…}` is the same for every message of a connection: built once, kept with its log state.
    private static byte[] Prefix(MessageContext context, MessageLogState state)
    {
        if (state.JsonPrefix is { } cached)
        {
            return cached;
        }

        var text = new StringBuilder();
        text.Append(",\"listener\":\"").Append(Quote(context.Listener)).Append('"');
        var peer = context.Peer;
        var members = new List<string>();
        if (peer.ProcessId is { } pid)
        {
            members.Add(string.Create(CultureInfo.InvariantCulture, $"\"pid\":{pid}"));
        }

        if (peer.UserId is { } uid)
        {
            members.Add(string.Create(CultureInfo.InvariantCulture, $"\"uid\":{uid}"));
        }

        if (peer.GroupId is { } gid)
        {
            members.Add(string.Create(CultureInfo.InvariantCulture, $"\"gid\":{gid}"));
        }

        if (peer.ProcessName is { } comm)
        {
            members.Add($"\"comm\":\"{Quote(comm)}\"");
        }

        if (peer.ProcessId is null && peer.RemoteEndPoint?.ToString() is { Length: > 0 } address)
        {
            members.Add($"\"address\":\"{Quote(address)}\"");
        }

        if (members.Count > 0)
        {
            text.Append(",\"peer\":{").AppendJoin(',', members).Append('}');
        }

        return state.JsonPrefix = Encoding.UTF8.GetBytes(text.ToString());
    }

    // The zone BSD timestamps are read in: the daemon's TimeProvider's (the system's local zone), so tests can set it.
    private static TimeZoneInfo LocalZone(MessageContext context) =>
        (context.Services.GetService(typeof(TimeProvider)) as TimeProvider)?.LocalTimeZone ?? TimeZoneInfo.Local;

    private static string Quote(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var escaped = new byte[JsonEscaping.MaxEscapedLength(bytes.Length)];
        return Encoding.UTF8.GetString(escaped, 0, JsonEscaping.Escape(bytes, escaped));
    }

    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public void Raw(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_destination[Written..]);
            Written += bytes.Length;
        }

        public void Raw(byte b) => _destination[Written++] = b;

        public void Escaped(scoped ReadOnlySpan<byte> bytes) => Written += JsonEscaping.Escape(bytes, _destination[Written..]);

        // `,"timestamp":"…"` in one RFC 3339 form (SyslogTimestamp); as sent when it is not a date that exists.
        public void Timestamp(scoped ReadOnlySpan<byte> timestamp, DateTimeOffset receivedAt, TimeZoneInfo zone)
        {
            Raw(",\"timestamp\":\""u8);
            var written = SyslogTimestamp.Write(timestamp, receivedAt, zone, _destination[Written..]);
            if (written > 0)
            {
                Written += written;
            }
            else
            {
                Escaped(timestamp);
            }

            Raw((byte)'"');
        }

        // `,"key":"value"` for a present field of printable US-ASCII: copied unless it holds '"' or '\'.
        public void Printable(scoped ReadOnlySpan<byte> keyAndQuote, Syslog.FieldRange field, scoped ReadOnlySpan<byte> source)
        {
            if (field.IsPresent)
            {
                Raw(keyAndQuote);
                Printable(field.Of(source));
                Raw((byte)'"');
            }
        }

        public void Printable(scoped ReadOnlySpan<byte> bytes)
        {
            if (bytes.IndexOfAny((byte)'"', (byte)'\\') < 0)
            {
                Raw(bytes);
            }
            else
            {
                Escaped(bytes);
            }
        }

        // `,"key":"value"` when the field is present: raw when it is a JSON message's string contents already.
        public void Field(scoped ReadOnlySpan<byte> keyAndQuote, Syslog.FieldRange field, scoped ReadOnlySpan<byte> source, bool raw)
        {
            if (!field.IsPresent)
            {
                return;
            }

            Raw(keyAndQuote);
            if (raw)
            {
                Raw(field.Of(source));
            }
            else
            {
                Escaped(field.Of(source));
            }

            Raw((byte)'"');
        }

        // `,"sd":{"id":{"name":"value",…},…}` with the values' RFC 5424 escapes undone and JSON's applied. One pass that
        // trusts the grammar the parser checked (StructuredDataReader.TrySkip): `[`, an SD-ID, ` name="value"`s, `]`.
        public void StructuredData(scoped ReadOnlySpan<byte> sd)
        {
            Raw(",\"sd\":{\""u8);
            var i = 0;
            while (true)
            {
                var id = sd[++i..];
                id = id[..id.IndexOfAny((byte)' ', (byte)']')];
                Printable(id);
                Raw("\":{"u8);
                i += id.Length;
                if (sd[i] == (byte)' ')
                {
                    while (true)
                    {
                        var name = sd[++i..];
                        name = name[..name.IndexOf((byte)'=')];
                        Raw((byte)'"');
                        Printable(name);
                        Raw("\":\""u8);
                        i += name.Length + 2;
                        i += SdValue(sd[i..]);
                        if (sd[i] != (byte)' ')
                        {
                            Raw("\"}"u8);
                            break;
                        }

                        Raw("\","u8);
                    }
                }
                else
                {
                    Raw((byte)'}');
                }

                // At the element's ']'.
                if (++i == sd.Length)
                {
                    break;
                }

                Raw(",\""u8);
            }

            Raw((byte)'}');
        }

        // A value up to its closing quote: `\"`, `\\` and `\]` become the character, any other backslash stays; JSON's
        // escapes applied. Returns the bytes taken, the closing quote included.
        private int SdValue(scoped ReadOnlySpan<byte> rest)
        {
            var i = 0;
            while (true)
            {
                // Never -1: the closing quote is not plain.
                var plain = JsonEscaping.IndexOfNotPlain(rest[i..]);
                Raw(rest.Slice(i, plain));
                i += plain;
                var b = rest[i];
                if (b == (byte)'"')
                {
                    return i + 1;
                }

                if (b == (byte)'\\')
                {
                    // The grammar makes a backslash take the byte after it, whatever it is.
                    var next = rest[i + 1];
                    if (next is (byte)'"' or (byte)'\\' or (byte)']')
                    {
                        Escaped(rest.Slice(i + 1, 1));
                    }
                    else
                    {
                        // Escaped as a pair: the byte after the backslash is taken alone, so a UTF-8 lead byte there
                        // becomes U+FFFD (as the escaped runs between backslashes always did).
                        Escaped(rest.Slice(i, 2));
                    }

                    i += 2;
                    continue;
                }

                Written += JsonEscaping.EscapeNext(rest[i..], _destination[Written..], out var consumed);
                i += consumed;
            }
        }

        // The JSON object as it came, without the whitespace between its tokens: one line whatever its layout.
        public void Minified(scoped ReadOnlySpan<byte> json)
        {
            var inString = false;
            for (var i = 0; i < json.Length; i++)
            {
                var b = json[i];
                if (inString)
                {
                    _destination[Written++] = b;
                    if (b == (byte)'\\' && i + 1 < json.Length)
                    {
                        _destination[Written++] = json[++i];
                    }
                    else if (b == (byte)'"')
                    {
                        inString = false;
                    }
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    _destination[Written++] = b;
                    inString = b == (byte)'"';
                }
            }
        }
    }
}
