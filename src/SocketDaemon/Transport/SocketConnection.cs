using System.IO.Pipelines;
using System.Net.Sockets;

namespace SocketDaemon.Transport;

/// <summary>
/// One accepted stream socket as the pipes a connection reads and writes, with as few objects as work: the input is a
/// <see cref="SocketPipeReader"/> on the socket itself (no background receive loop, no pipe in between, no buffer while
/// idle), and the writer exists only once something writes (native acknowledgements, an HTTP reply): a raw framing
/// never does.
/// </summary>
internal sealed class SocketConnection : IConnectionTransport
{
    private readonly SocketPipeReader _input;
    private PipeWriter? _output;

    /// <summary>
    /// Wraps <paramref name="socket"/>, whose first bytes are <paramref name="pending"/> (none for a new connection);
    /// receives go into buffers from <paramref name="pool"/> of at most <paramref name="maxReceiveBytes"/>; with
    /// <paramref name="peek"/> they leave the bytes in the socket until the connection says they are logged.
    /// </summary>
    public SocketConnection(Socket socket, ReadOnlySpan<byte> pending, ReceiveBufferPool pool, int maxReceiveBytes, bool peek = false)
    {
        Socket = socket;
        _input = new SocketPipeReader(socket, pending, pool, maxReceiveBytes, peek);
    }

    public Socket Socket { get; }

    Socket? IConnectionTransport.Socket => Socket;

    public PipeReader Input => _input;

    public PipeWriter Output
    {
        get
        {
            if (_output is { } output)
            {
                return output;
            }

            // The writer owns its stream (which leaves the socket open): completing it disposes both.
            var created = PipeWriter.Create(new SocketSendStream(Socket), new StreamPipeWriterOptions(leaveOpen: false));
            if (Interlocked.CompareExchange(ref _output, created, null) is { } made)
            {
                created.Complete();
                return made;
            }

            return created;
        }
    }

    /// <summary>Ends the connection at once: a pending read sees its end, the peer sees it closed.</summary>
    public void Abort() => Shutdown();

    /// <summary>Leaves the socket open for the next run: never closed, shut down or finalized by this process.</summary>
    public void HandOver() => HandedOverSockets.Keep(Socket);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_output is { } output)
            {
                // Completing flushes what is still buffered: to a peer that reset, that fails, and there is nobody left
                // to tell. The close below must happen all the same, or the socket and its slot would leak.
                await output.CompleteAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The peer is gone.
        }
        finally
        {
            await _input.CompleteAsync();

            // shutdown(2) and not only close(2): the store may still hold a copy until it processes FDSTOREREMOVE,
            // and the peer must see the end now.
            Shutdown();
            Socket.Dispose();
        }
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
