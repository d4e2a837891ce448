using System.Buffers.Binary;
using System.Text;

namespace SocketDaemon.Nats;

/// <summary>
/// Reads a <c>Nats</c> step's spool records (<see cref="NatsSpoolRecord"/>) into publishes without copying their
/// payloads, decoding a subject or a set of origin headers only when it differs from the previous record's: the
/// records of one sender mostly share both.
/// </summary>
/// <remarks>Used by the spool's pump alone; not thread-safe.</remarks>
internal sealed class NatsRecordReader(string idPrefix)
{
    private byte[] _subjectBytes = [];
    private string _subject = string.Empty;
    private NatsHeaderBlock? _headers;

    /// <summary>The publish of <paramref name="record"/>, whose payload stays a slice of it.</summary>
    /// <exception cref="InvalidDataException">The record is not one <see cref="NatsSpoolRecord"/> made.</exception>
    public NatsPublish Read(ReadOnlyMemory<byte> record, ulong sequence)
    {
        try
        {
            var span = record.Span;
            var subjectLength = BinaryPrimitives.ReadUInt16BigEndian(span);
            var subject = span.Slice(2, subjectLength);
            if (!subject.SequenceEqual(_subjectBytes))
            {
                _subject = Encoding.UTF8.GetString(subject);
                _subjectBytes = subject.ToArray();
            }

            var offset = 2 + subjectLength;
            // A block is self-delimiting (a count, then sized strings): one that starts the rest is the whole of it.
            if (_headers is null || !_headers.Matches(span[offset..]))
            {
                _headers = NatsHeaderBlock.Decode(span[offset..], out _);
            }

            offset += _headers.Length;
            return new NatsPublish(_subject, record[offset..], _headers, idPrefix, sequence, null);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidDataException("a NATS spool record ends early", ex);
        }
    }
}
