using System.Buffers.Binary;
using NATS.Client.Core;

namespace SocketDaemon.Nats;

/// <summary>
/// A set of origin headers as a spool record holds them (<see cref="NatsSpoolRecord"/>: <c>u16 count</c>, then each
/// name and value), decoded once for the run of records that carry the same bytes, and turned into each publish's
/// <see cref="NatsHeaders"/> (which NATS.Net freezes at a publish) without decoding again.
/// </summary>
internal sealed class NatsHeaderBlock
{
    private readonly byte[] _encoded;
    private readonly (string Name, string Value)[] _pairs;

    private NatsHeaderBlock(byte[] encoded, (string Name, string Value)[] pairs)
    {
        _encoded = encoded;
        _pairs = pairs;
    }

    /// <summary>The block of <paramref name="headers"/>.</summary>
    public static NatsHeaderBlock Of(NatsHeaders headers)
    {
        return Decode(NatsSpoolRecord.EncodeHeaders(headers), out _);
    }

    /// <summary>Whether <paramref name="record"/> starts with this block's bytes.</summary>
    public bool Matches(ReadOnlySpan<byte> record) => record.StartsWith(_encoded);

    public int Length => _encoded.Length;

    /// <summary>Decodes the block at the start of <paramref name="record"/>; <paramref name="length"/> says how far it goes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The record ends within the block.</exception>
    public static NatsHeaderBlock Decode(ReadOnlySpan<byte> record, out int length)
    {
        var span = record;
        var count = BinaryPrimitives.ReadUInt16BigEndian(span);
        span = span[2..];
        var pairs = new (string Name, string Value)[count];
        for (var i = 0; i < count; i++)
        {
            pairs[i] = (NatsSpoolRecord.ReadString(ref span), NatsSpoolRecord.ReadString(ref span));
        }

        length = record.Length - span.Length;
        return new NatsHeaderBlock(record[..length].ToArray(), pairs);
    }

    /// <summary>The headers of one publish: these and its message id.</summary>
    public NatsHeaders ToHeaders(string messageId)
    {
        var headers = new NatsHeaders(_pairs.Length + 1);
        foreach (var (name, value) in _pairs)
        {
            headers[name] = value;
        }

        headers["Nats-Msg-Id"] = messageId;
        return headers;
    }
}
