using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using SocketDaemon.Pipeline;
using SocketDaemon.Syslog;

namespace SocketDaemon.PostgresOutput;

/// <summary>
/// A message as one spool record: the fields of its row as bytes, written on the message's way without allocating,
/// and read back into a <see cref="PostgresRow"/> by the writer, where turning bytes into text and JSON costs nothing
/// on the pipeline.
/// </summary>
/// <remarks>
/// Layout, little-endian: version (1), flags (1: parse error, 2: truncated, 4: fields JSON-escaped), received (Unix
/// microseconds, 8), pid (4), uid (8), gid (8), facility (2), severity (2), each -1 when absent; then listener, comm,
/// address, timestamp, hostname, appname, procid, msgid, structured data, message and a JSON message's object, each
/// a 4-byte length (-1 when absent) and its bytes.
/// </remarks>
public static class PostgresRecord
{
    private const byte Version = 1;
    private const int FixedLength = 2 + 8 + 4 + 8 + 8 + 2 + 2;
    private const int Strings = 11;
    private const byte ParseErrorFlag = 1;
    private const byte TruncatedFlag = 2;
    private const byte JsonEscapedFlag = 4;

    /// <summary>The most bytes the record of <paramref name="context"/> can take.</summary>
    public static int MaxLength(MessageContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var peer = context.Peer;
        // The header fields, message and JSON object are ranges of the payload: three times it bounds them all.
        return FixedLength + (Strings * 4) + Encoding.UTF8.GetMaxByteCount(context.Listener.Length)
            + Encoding.UTF8.GetMaxByteCount(peer.ProcessName?.Length ?? 0) + Encoding.UTF8.GetMaxByteCount(Address(context)?.Length ?? 0)
            + (3 * checked((int)context.Payload.Length));
    }

    /// <summary>Writes the record of <paramref name="context"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes).</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Write(MessageContext context, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fields = context.Fields;
        var payload = context.Payload;
        var source = fields.IsParsed ? fields.Source(payload) : fields.Join(payload);
        ref readonly var header = ref fields.Header;
        var peer = context.Peer;

        destination[0] = Version;
        destination[1] = (byte)((fields.ParseError ? ParseErrorFlag : 0) | (context.Truncated ? TruncatedFlag : 0) | (header.JsonEscaped ? JsonEscapedFlag : 0));
        var at = 2;
        BinaryPrimitives.WriteInt64LittleEndian(destination[at..], (context.ReceivedAt.UtcTicks - DateTime.UnixEpoch.Ticks) / 10);
        at += 8;
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], peer.ProcessId ?? -1);
        at += 4;
        BinaryPrimitives.WriteInt64LittleEndian(destination[at..], peer.UserId is { } uid ? uid : -1);
        at += 8;
        BinaryPrimitives.WriteInt64LittleEndian(destination[at..], peer.GroupId is { } gid ? gid : -1);
        at += 8;
        BinaryPrimitives.WriteInt16LittleEndian(destination[at..], (short)(header.Facility ?? -1));
        at += 2;
        BinaryPrimitives.WriteInt16LittleEndian(destination[at..], (short)(header.Severity ?? -1));
        at += 2;

        at += Text(context.Listener, destination[at..]);
        at += Text(peer.ProcessName, destination[at..]);
        at += Text(Address(context), destination[at..]);
        at += Field(header.Timestamp, source, destination[at..]);
        at += Field(header.Hostname, source, destination[at..]);
        at += Field(header.AppName, source, destination[at..]);
        at += Field(header.ProcId, source, destination[at..]);
        at += Field(header.MsgId, source, destination[at..]);
        at += Field(header.StructuredData, source, destination[at..]);
        at += Field(header.Format == MessageFormat.None ? new FieldRange(0, source.Length) : header.Message, source, destination[at..]);
        at += Field(header.Format == MessageFormat.Json ? new FieldRange(0, source.Length) : default, source, destination[at..]);
        return at;
    }

    /// <summary>Reads a record <see cref="Write"/> wrote back into its row.</summary>
    /// <exception cref="InvalidDataException">The record is not one of this layout.</exception>
    public static PostgresRow Read(ulong sequence, ReadOnlySpan<byte> record)
    {
        if (record.Length < FixedLength || record[0] != Version)
        {
            throw new InvalidDataException($"spool record {sequence} is not a Postgres row (version {(record.IsEmpty ? -1 : record[0])})");
        }

        var flags = record[1];
        var escaped = (flags & JsonEscapedFlag) != 0;
        var at = 2;
        var micros = BinaryPrimitives.ReadInt64LittleEndian(record[at..]);
        at += 8;
        var pid = BinaryPrimitives.ReadInt32LittleEndian(record[at..]);
        at += 4;
        var uid = BinaryPrimitives.ReadInt64LittleEndian(record[at..]);
        at += 8;
        var gid = BinaryPrimitives.ReadInt64LittleEndian(record[at..]);
        at += 8;
        var facility = BinaryPrimitives.ReadInt16LittleEndian(record[at..]);
        at += 2;
        var severity = BinaryPrimitives.ReadInt16LittleEndian(record[at..]);
        at += 2;

        if (micros < -DateTime.UnixEpoch.Ticks / 10 || micros > (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10)
        {
            throw new InvalidDataException($"spool record {sequence} has a received time out of range");
        }

        var listener = Next(record, ref at);
        var comm = Next(record, ref at);
        var address = Next(record, ref at);
        var timestamp = Next(record, ref at);
        var hostname = Next(record, ref at);
        var appName = Next(record, ref at);
        var procId = Next(record, ref at);
        var msgId = Next(record, ref at);
        var sd = Next(record, ref at);
        var message = Next(record, ref at);
        var json = Next(record, ref at);

        var messageBytes = message.Bytes;
        string messageText;
        byte[]? raw = null;
        if (escaped)
        {
            messageText = PostgresText.FromJsonString(messageBytes) ?? string.Empty;
        }
        else
        {
            messageText = PostgresText.FromUtf8(messageBytes, out var exact);
            if (!exact)
            {
                raw = messageBytes.ToArray();
            }
        }

        return new PostgresRow
        {
            Sequence = sequence,
            Received = new DateTime(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc),
            Listener = PostgresText.FromUtf8(listener.Bytes, out _),
            PeerPid = pid < 0 ? null : pid,
            PeerUid = uid < 0 ? null : uid,
            PeerGid = gid < 0 ? null : gid,
            PeerComm = comm.Text(escaped: false),
            PeerAddress = address.Text(escaped: false),
            Facility = facility < 0 ? null : facility,
            Severity = severity < 0 ? null : severity,
            Timestamp = timestamp.Text(escaped),
            Hostname = hostname.Text(escaped),
            AppName = appName.Text(escaped),
            ProcId = procId.Text(escaped),
            MsgId = msgId.Text(escaped),
            StructuredData = sd.IsPresent && IsStructuredData(sd.Bytes) ? StructuredDataJson(sd.Bytes) : null,
            Message = messageText,
            Raw = raw,
            Json = json.IsPresent ? PostgresText.FromUtf8(json.Bytes, out _) : null,
            ParseError = (flags & ParseErrorFlag) != 0,
            Truncated = (flags & TruncatedFlag) != 0,
        };
    }

    /// <summary>RFC 5424 STRUCTURED-DATA as the JSON log's <c>sd</c>: <c>{"id":{"name":"value",…},…}</c>, escapes undone.</summary>
    public static string StructuredDataJson(ReadOnlySpan<byte> sd)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var reader = new StructuredDataReader(sd);
            var value = new byte[sd.Length];
            while (reader.NextElement(out var id))
            {
                json.WriteStartObject(PostgresText.FromUtf8(id, out _));
                while (reader.NextParam(out var name, out var escapedValue))
                {
                    var length = StructuredDataReader.Unescape(escapedValue, value);
                    json.WriteString(PostgresText.FromUtf8(name, out _), PostgresText.FromUtf8(value.AsSpan(0, length), out _));
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // What a parser found is well formed; a record's bytes are checked again before they are read as such.
    private static bool IsStructuredData(ReadOnlySpan<byte> sd)
    {
        var position = 0;
        return StructuredDataReader.TrySkip(sd, ref position) && position == sd.Length;
    }

    private static string? Address(MessageContext context) =>
        context.Peer.ProcessId is null && context.Peer.RemoteEndPoint is not null ? context.Peer.ToString() : null;

    private static int Text(string? value, Span<byte> destination)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination, -1);
            return 4;
        }

        var length = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        return 4 + length;
    }

    private static int Field(FieldRange field, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!field.IsPresent)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination, -1);
            return 4;
        }

        var bytes = field.Of(source);
        BinaryPrimitives.WriteInt32LittleEndian(destination, bytes.Length);
        bytes.CopyTo(destination[4..]);
        return 4 + bytes.Length;
    }

    private static Slice Next(ReadOnlySpan<byte> record, ref int at)
    {
        if (record.Length - at < 4)
        {
            throw new InvalidDataException("a Postgres spool record ends inside a field's length");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(record[at..]);
        at += 4;
        if (length < 0)
        {
            return default;
        }

        if (length > record.Length - at)
        {
            throw new InvalidDataException("a Postgres spool record's field runs past its end");
        }

        var slice = new Slice(record.Slice(at, length).ToArray());
        at += length;
        return slice;
    }

    private readonly struct Slice(byte[]? bytes)
    {
        public bool IsPresent => bytes is not null;

        public ReadOnlySpan<byte> Bytes => bytes;

        public string? Text(bool escaped) => bytes is null ? null : escaped ? PostgresText.FromJsonString(bytes) : PostgresText.FromUtf8(bytes, out _);
    }
}
