using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using NATS.Client.Core;
using SocketDaemon.Client.Spooling;

namespace SocketDaemon.Nats;

/// <summary>
/// A message as the <c>Nats</c> step's spool keeps it: <c>u16 length, subject</c>, <c>u16 count</c> of headers each
/// <c>u16 length, name, u16 length, value</c> (UTF-8), then the payload to the end. Its id is not stored: it is the
/// record's position in the spool.
/// </summary>
internal static class NatsSpoolRecord
{
    public static byte[] Write(NatsOutgoing message)
    {
        var headers = EncodeHeaders(message.Headers);
        var record = new byte[2 + Encoding.UTF8.GetByteCount(message.Subject) + headers.Length + message.Data.Length];
        var span = record.AsSpan();
        WriteString(ref span, message.Subject);
        headers.CopyTo(span);
        message.Data.CopyTo(span[headers.Length..]);
        return record;
    }

    /// <summary>
    /// The record's header part (<c>u16 count</c>, then each name and value) for <paramref name="headers"/>: encoded
    /// once for the messages of one origin and copied into each record by <see cref="Stage"/>.
    /// </summary>
    public static byte[] EncodeHeaders(NatsHeaders headers)
    {
        var pairs = headers.Select(h => (Name: h.Key, Value: h.Value.Count > 0 ? h.Value[0] ?? string.Empty : string.Empty)).ToList();
        var block = new byte[2 + pairs.Sum(h => 4 + Encoding.UTF8.GetByteCount(h.Name) + Encoding.UTF8.GetByteCount(h.Value))];
        var span = block.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)pairs.Count);
        span = span[2..];
        foreach (var (name, value) in pairs)
        {
            WriteString(ref span, name);
            WriteString(ref span, value);
        }

        return block;
    }

    /// <summary>Writes one record, as <see cref="Write"/> makes it, straight into <paramref name="records"/>.</summary>
    /// <exception cref="ArgumentException">The record is over <paramref name="maxRecordBytes"/>; nothing was staged.</exception>
    public static void Stage(SpoolRecordBuffer records, string subject, byte[] headers, in ReadOnlySequence<byte> payload, int maxRecordBytes)
    {
        var length = 2 + Encoding.UTF8.GetByteCount(subject) + headers.Length + (int)payload.Length;
        records.BeginRecord();
        var span = records.GetSpan(length)[..length];
        WriteString(ref span, subject);
        headers.CopyTo(span);
        payload.CopyTo(span[headers.Length..]);
        records.Advance(length);
        records.EndRecord(maxRecordBytes);
    }

    private static void WriteString(ref Span<byte> span, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, span[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        span = span[(2 + length)..];
    }

    /// <summary>Reads one <c>u16 length</c>-prefixed UTF-8 string of a record, and moves <paramref name="span"/> past it.</summary>
    public static string ReadString(ref ReadOnlySpan<byte> span)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(span);
        var value = Encoding.UTF8.GetString(span.Slice(2, length));
        span = span[(2 + length)..];
        return value;
    }
}
