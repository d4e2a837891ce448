using System.Text.Json;
using System.Threading.Channels;
using SocketDaemon.Client.Tail;

namespace SocketDaemon.Pipeline.Tail;

/// <summary>One follower: its filter, a bounded queue of serialized messages, and the count of those it missed.</summary>
internal sealed class TailSubscription(string listener, string grep)
{
    // Enough to ride out a short stall of the reader; beyond it messages are counted as skipped, not held.
    private const int Capacity = 4096;

    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _skipped;

    public ChannelReader<byte[]> Reader => _queue.Reader;

    public long TakeSkipped() => Interlocked.Exchange(ref _skipped, 0);

    public void Offer(MessageContext context)
    {
        if ((listener.Length > 0 && !string.Equals(listener, context.Listener, StringComparison.OrdinalIgnoreCase))
            || (grep.Length > 0 && !context.Text.Contains(grep, StringComparison.Ordinal)))
        {
            return;
        }

        var message = new TailEvent { Time = context.ReceivedAt, Listener = context.Listener, Peer = context.Peer.ToString(), Text = context.Text, Json = Parsing.TailJson.Format(context) };
        if (!_queue.Writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes(message, TailJsonContext.Default.TailEvent)))
        {
            Interlocked.Increment(ref _skipped);
        }
    }
}
