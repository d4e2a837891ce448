using System.Buffers;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Framing;

/// <summary>
/// Chooses what an <see cref="FramingKind.Auto"/> connection speaks from its first bytes, without consuming them,
/// in this order:
/// <list type="number">
/// <item><c>GET </c> or <c>HEAD </c>, or another HTTP method and <c>/</c>: <see cref="FramingKind.Http"/>.</item>
/// <item>The native-protocol magic (<c>\0SDNP</c>): <see cref="FramingKind.Native"/>.</item>
/// <item>A digit 1-9, more digits, a space: <see cref="FramingKind.Octet"/> (RFC 6587).</item>
/// <item>Four bytes that read, in host byte order, as a length from 1 to <c>MaxMessageBytes + 1</c>:
/// <see cref="FramingKind.Seed"/> (the high byte is then 0, which no text starts with).</item>
/// <item>Anything else: <see cref="FramingKind.Lines"/>.</item>
/// </list>
/// </summary>
/// <remarks>
/// The answer comes as soon as the bytes seen rule out all but one candidate: any three printable characters that
/// start no candidate are lines at once. Until then it waits for more bytes, or for the connection to end.
/// </remarks>
public static class FramingDetector
{
    private const int MaxOctetDigits = 10;

    private static readonly (byte[] Token, FramingKind Kind)[] Tokens =
    [
        ("GET "u8.ToArray(), FramingKind.Http),
        ("HEAD "u8.ToArray(), FramingKind.Http),

        // Other methods only with their path, so that a line such as "POST office" is still a line: they get 405.
        ("POST /"u8.ToArray(), FramingKind.Http),
        ("PUT /"u8.ToArray(), FramingKind.Http),
        ("DELETE /"u8.ToArray(), FramingKind.Http),
        ("PATCH /"u8.ToArray(), FramingKind.Http),
        ("OPTIONS /"u8.ToArray(), FramingKind.Http),
        (NativeProtocol.Magic.ToArray(), FramingKind.Native),
    ];

    /// <summary>
    /// Decides from <paramref name="prefix"/>, the bytes received so far. Returns <see langword="null"/> when more
    /// bytes are needed and <paramref name="isFinal"/> is <see langword="false"/>.
    /// </summary>
    /// <param name="prefix">The first bytes of the connection.</param>
    /// <param name="maxMessageBytes">The listener's <c>MaxMessageBytes</c>.</param>
    /// <param name="isFinal">No more bytes will come: the peer closed, or the wait for them timed out.</param>
    public static FramingKind? Detect(in ReadOnlySequence<byte> prefix, int maxMessageBytes, bool isFinal)
    {
        if (prefix.IsEmpty)
        {
            return isFinal ? FramingKind.Lines : null;
        }

        Span<byte> head = stackalloc byte[MaxOctetDigits + 1];
        var length = (int)Math.Min(prefix.Length, head.Length);
        prefix.Slice(0, length).CopyTo(head);
        head = head[..length];

        var undecided = false;
        foreach (var (token, kind) in Tokens)
        {
            switch (Match(head, token))
            {
                case Prefix.Whole:
                    return kind;
                case Prefix.Partial:
                    undecided = true;
                    break;
            }
        }

        switch (MatchOctet(head))
        {
            case Prefix.Whole:
                return FramingKind.Octet;
            case Prefix.Partial:
                undecided = true;
                break;
        }

        switch (MatchSeed(prefix, maxMessageBytes))
        {
            case Prefix.Whole:
                return FramingKind.Seed;
            case Prefix.Partial:
                undecided = true;
                break;
        }

        return undecided && !isFinal ? null : FramingKind.Lines;
    }

    private enum Prefix
    {
        None,
        Partial,
        Whole,
    }

    private static Prefix Match(ReadOnlySpan<byte> head, ReadOnlySpan<byte> token) =>
        head.Length >= token.Length ? (head.StartsWith(token) ? Prefix.Whole : Prefix.None)
        : token.StartsWith(head) ? Prefix.Partial : Prefix.None;

    private static Prefix MatchOctet(ReadOnlySpan<byte> head)
    {
        if (head[0] is < (byte)'1' or > (byte)'9')
        {
            return Prefix.None;
        }

        for (var i = 1; i < head.Length; i++)
        {
            if (head[i] == (byte)' ')
            {
                return Prefix.Whole;
            }

            if (head[i] is < (byte)'0' or > (byte)'9')
            {
                return Prefix.None;
            }
        }

        return head.Length < MaxOctetDigits + 1 ? Prefix.Partial : Prefix.None;
    }

    private static Prefix MatchSeed(in ReadOnlySequence<byte> prefix, int maxMessageBytes)
    {
        if (prefix.Length >= SeedFrameReader.HeaderSize)
        {
            var length = SeedFrameReader.ReadLength(prefix);
            return length >= 1 && (long)length <= (long)maxMessageBytes + 1 ? Prefix.Whole : Prefix.None;
        }

        if (!BitConverter.IsLittleEndian)
        {
            return Prefix.Partial;
        }

        // Little-endian: the bytes seen are the low bytes of the length, so they bound it from below.
        Span<byte> low = stackalloc byte[SeedFrameReader.HeaderSize];
        low.Clear();
        prefix.CopyTo(low);
        return BitConverter.ToInt32(low) > (long)maxMessageBytes + 1 ? Prefix.None : Prefix.Partial;
    }
}
