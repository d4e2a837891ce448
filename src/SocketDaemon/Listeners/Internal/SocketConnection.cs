using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// One accepted stream socket as the pipes a connection reads and writes, with as few objects as work: no background
/// receive loop and no pipe in between. The reader takes bytes from the kernel only when the connection asks for more,
/// and while it waits it waits with a zero-byte receive, so an idle connection holds no receive buffer. Nothing is read
/// ahead, so what the process holds is exactly what the connection has not consumed, and a connection in systemd's
/// store can be handed over whole. The writer exists only once something writes (native acknowledgements, an HTTP
/// reply): a raw framing never does.
/// </summary>
/// <remarks>
/// Receive buffers start at <see cref="MinimumReceiveBytes"/> and double each time a receive fills one, up to the
/// listener's maximum, and halve again when receives come back less than half full: a connection that sends a line
/// now and then takes 4 KiB for it, a bulk sender gets few large receives (fewer syscalls and wakeups per byte).
/// </remarks>
internal sealed class SocketConnection : MemoryPool<byte>, IDuplexPipe, IAsyncDisposable
{
    /// <summary>
    /// The first receive buffer of every connection. A receive goes on into the room a buffer has left down to a
    /// quarter of this: a connection inside a frame holds the one buffer the frame is in, not a second one.
    /// </summary>
    internal const int MinimumReceiveBytes = 4096;

    private readonly ReceiveStream _stream;
    private readonly ReceiveBufferPool _pool;
    private PipeWriter? _output;

    /// <summary>
    /// Wraps <paramref name="socket"/>, whose first bytes are <paramref name="pending"/> (none for a new connection);
    /// receives go into buffers from <paramref name="pool"/> of at most <paramref name="maxReceiveBytes"/>.
    /// </summary>
    public SocketConnection(Socket socket, ReadOnlyMemory<byte> pending, ReceiveBufferPool pool, int maxReceiveBytes)
    {
        Socket = socket;
        _pool = pool;
        _stream = new ReceiveStream(socket, Math.Max(maxReceiveBytes, MinimumReceiveBytes));
        Input = PipeReader.Create(
            pending.IsEmpty ? _stream : new ReplayStream(pending, _stream),
            new StreamPipeReaderOptions(this, bufferSize: MinimumReceiveBytes, minimumReadSize: MinimumReceiveBytes / 4, leaveOpen: true, useZeroByteReads: true));
    }

    public Socket Socket { get; }

    public PipeReader Input { get; }

    public PipeWriter Output
    {
        get
        {
            if (_output is { } output)
            {
                return output;
            }

            var created = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
            return Interlocked.CompareExchange(ref _output, created, null) ?? created;
        }
    }

    public override int MaxBufferSize => Array.MaxLength;

    /// <summary>The next receive buffer, for the input pipe: as large as the last receives say the data flows.</summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => _pool.Rent(Math.Max(minBufferSize, _stream.NextReceiveBytes));

    /// <summary>Ends the connection at once: a pending read sees its end, the peer sees it closed.</summary>
    public void Abort() => Shutdown();

    /// <summary>Leaves the socket open for the next run: never closed, shut down or finalized by this process.</summary>
    public void HandOver() => HandedOverSockets.Keep(Socket);

    public async ValueTask DisposeAsync()
    {
        if (_output is { } output)
        {
            await output.CompleteAsync();
        }

        await Input.CompleteAsync();

        // shutdown(2) and not only close(2): the store may still hold a copy until it processes FDSTOREREMOVE,
        // and the peer must see the end now.
        Shutdown();
        await _stream.DisposeAsync();
        Socket.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        // The buffers belong to the listener's pool; DisposeAsync closes the connection.
    }

    private void Shutdown()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }
}
