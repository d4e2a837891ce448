namespace SocketDaemon.Listeners.Internal;

/// <summary>The sequences a JetStream delivery's reply subject names, read in place.</summary>
internal static class NatsReplySubject
{
    /// <summary>
    /// The stream sequence a JetStream reply subject names (<c>$JS.ACK.stream.consumer.delivered.sequence...</c>, two
    /// tokens more with a domain and account hash), read in place: the client's metadata splits every token into
    /// strings and an object, for every message.
    /// </summary>
    public static bool TryStreamSequence(string? replyTo, out ulong sequence) => TrySequences(replyTo, out sequence, out _);

    /// <summary>The stream and consumer sequences a JetStream reply subject names, as <see cref="TryStreamSequence"/> reads them.</summary>
    public static bool TrySequences(string? replyTo, out ulong stream, out ulong consumer)
    {
        stream = 0;
        consumer = 0;
        var reply = replyTo.AsSpan();
        if (!reply.StartsWith("$JS.ACK."))
        {
            return false;
        }

        var tokens = reply.Count('.') + 1;
        var index = tokens == 9 ? 5 : tokens >= 11 ? 7 : -1;
        var found = false;
        foreach (var range in reply.Split('.'))
        {
            if (index == 0)
            {
                found = ulong.TryParse(reply[range], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out stream);
                if (!found)
                {
                    return false;
                }
            }
            else if (index == -1 && found)
            {
                // The consumer sequence follows; a subject cut short leaves it unknown (0).
                _ = ulong.TryParse(reply[range], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out consumer);
                return true;
            }

            index--;
        }

        return found;
    }
}
