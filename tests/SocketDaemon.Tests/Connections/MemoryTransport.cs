using System.IO.Pipelines;
using System.Net.Sockets;
using SocketDaemon.Transport;

namespace SocketDaemon.Tests.Connections;

/// <summary>
/// A connection's transport as two in-memory pipes: what the test writes to <see cref="ToDaemon"/> the connection reads,
/// what the connection writes the test reads from <see cref="FromDaemon"/>. Counts the reads that had to wait for bytes,
/// so that a test advances the fake clock only once the connection is waiting (its deadline set).
/// </summary>
internal sealed class MemoryTransport : IConnectionTransport
{
    private readonly Pipe _in = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _out = new(new PipeOptions(useSynchronizationContext: false));
    private readonly WaitCountingReader _input;

    public MemoryTransport()
    {
        _input = new WaitCountingReader(_in.Reader);
    }

    public PipeReader Input => _input;

    public PipeWriter Output => _out.Writer;

    public Socket? Socket => null;

    /// <summary>The peer's side: bytes to the daemon.</summary>
    public PipeWriter ToDaemon => _in.Writer;

    /// <summary>The peer's side: bytes from the daemon.</summary>
    public PipeReader FromDaemon => _out.Reader;

    /// <summary>How many reads found nothing to return at once and waited.</summary>
    public int WaitingReads => _input.WaitingReads;

    public bool Aborted { get; private set; }

    public bool HandedOver { get; private set; }

    /// <summary>Writes <paramref name="bytes"/> as the peer.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _in.Writer.WriteAsync(bytes);

    /// <summary>Waits until a read after the <paramref name="after"/>th waiting one waits too: the connection has taken everything sent.</summary>
    public Task WaitUntilReadingAsync(int after = 0) =>
        Infrastructure.Wait.UntilAsync(() => WaitingReads > after, $"waiting read #{after + 1}");

    /// <summary>Everything the daemon wrote until it completed its output.</summary>
    public async Task<byte[]> ReadAllFromDaemonAsync()
    {
        using var all = new MemoryStream();
        while (true)
        {
            var result = await _out.Reader.ReadAsync().AsTask().WaitAsync(Infrastructure.Wait.Timeout);
            foreach (var segment in result.Buffer)
            {
                all.Write(segment.Span);
            }

            _out.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.ToArray();
            }
        }
    }

    public void Abort()
    {
        Aborted = true;
        _in.Writer.Complete();
    }

    public void HandOver() => HandedOver = true;

    public async ValueTask DisposeAsync()
    {
        await _out.Writer.CompleteAsync();
        await _input.CompleteAsync();
    }

    private sealed class WaitCountingReader(PipeReader inner) : PipeReader
    {
        private int _waitingReads;

        public int WaitingReads => Volatile.Read(ref _waitingReads);

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (!read.IsCompleted)
            {
                Interlocked.Increment(ref _waitingReads);
            }

            return read;
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
