using System.Globalization;

namespace SocketDaemon.Listeners.Internal;

/// <summary>The sequences a JetStream delivery's reply subject names, read in place.</summary>
internal static class NatsReplySubject
{
    /// <summary>
    /// The stream sequence a JetStream reply subject names (<c>$JS.ACK.stream.consumer.delivered.sequence...</c>, two
    /// tokens more with a domain and account hash), read in place: the client's metadata splits every token into
    /// strings and an object, for every message.
    /// </summary>
    public static bool TryStreamSequence(string? replyTo, out ulong sequence) => TrySequences(replyTo, out sequence, out _, out _);

    /// <summary>
    /// The stream and consumer sequences a JetStream reply subject names, and how many times the message was delivered
    /// (1 the first time), as <see cref="TryStreamSequence"/> reads them; the last two 0 when the subject is cut short.
    /// </summary>
    public static bool TrySequences(string? replyTo, out ulong stream, out ulong consumer, out ulong deliveries)
    {
        stream = 0;
        consumer = 0;
        deliveries = 0;
        var reply = replyTo.AsSpan();
        if (!reply.StartsWith("$JS.ACK."))
        {
            return false;
        }

        // Tokens: $JS ACK [domain hash] stream consumer deliveries stream-sequence consumer-sequence time pending.
        var tokens = reply.Count('.') + 1;
        var index = tokens == 9 ? 4 : tokens >= 11 ? 6 : -1;
        if (index < 0)
        {
            return false;
        }

        var found = false;
        foreach (var range in reply.Split('.'))
        {
            var token = reply[range];
            switch (index--)
            {
                case 0:
                    _ = TryNumber(token, out deliveries);
                    break;
                case -1:
                    found = TryNumber(token, out stream);
                    if (!found)
                    {
                        return false;
                    }

                    break;
                case -2:
                    _ = TryNumber(token, out consumer);
                    return true;
            }
        }

        return found;
    }

    private static bool TryNumber(ReadOnlySpan<char> token, out ulong value) =>
        ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
