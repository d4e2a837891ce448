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
internal sealed class SocketConnection : IDuplexPipe, IAsyncDisposable
{
    private readonly NetworkStream _stream;
    private readonly MemoryPool<byte> _pool;
    private PipeWriter? _output;

    /// <summary>
    /// Wraps <paramref name="socket"/>, whose first bytes are <paramref name="pending"/> (none for a new connection);
    /// receives go into buffers of <paramref name="receiveBytes"/> from <paramref name="pool"/>.
    /// </summary>
    public SocketConnection(Socket socket, ReadOnlyMemory<byte> pending, MemoryPool<byte> pool, int receiveBytes)
    {
        Socket = socket;
        _pool = pool;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Input = PipeReader.Create(
            pending.IsEmpty ? _stream : new ReplayStream(pending, _stream),
            new StreamPipeReaderOptions(pool, bufferSize: receiveBytes, minimumReadSize: Math.Min(MinimumReceiveBytes, receiveBytes), leaveOpen: true, useZeroByteReads: true));
    }

    /// <summary>The smallest receive worth a syscall: a buffer with less room left is handed on and a fresh one taken.</summary>
    internal const int MinimumReceiveBytes = 4096;

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

            var created = PipeWriter.Create(_stream, new StreamPipeWriterOptions(_pool, leaveOpen: true));
            return Interlocked.CompareExchange(ref _output, created, null) ?? created;
        }
    }

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
