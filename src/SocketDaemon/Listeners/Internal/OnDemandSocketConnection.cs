using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace SocketDaemon.Listeners.Internal;

/// <summary>
/// A stream connection whose pipes read from the socket only when the connection asks for more, used when the
/// connection lives in systemd's file-descriptor store. Kestrel's transport reads ahead into its pipe; then, at a
/// restart, bytes taken from the kernel but not yet seen would leave with the process. Here, what the process holds
/// is exactly what the connection has not consumed, so it can be handed over whole.
/// </summary>
internal sealed class OnDemandSocketConnection : ConnectionContext, IConnectionSocketFeature, IDuplexPipe
{
    private const int ReadBufferBytes = 64 * 1024;

    private readonly NetworkStream _stream;

    /// <summary>Wraps <paramref name="socket"/>, whose first bytes are <paramref name="pending"/> (none for a new connection).</summary>
    public OnDemandSocketConnection(Socket socket, long id, byte[] pending)
    {
        Socket = socket;
        ConnectionId = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _stream = new NetworkStream(socket, ownsSocket: false);
        Input = PipeReader.Create(pending.Length > 0 ? new ReplayStream(pending, _stream) : _stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: 4096, leaveOpen: true));
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        Features.Set<IConnectionSocketFeature>(this);
    }

    public Socket Socket { get; }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport
    {
        get => this;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint
    {
        get => Socket.LocalEndPoint;
        set => throw new NotSupportedException();
    }

    public override EndPoint? RemoteEndPoint
    {
        get => Socket.RemoteEndPoint;
        set => throw new NotSupportedException();
    }

    /// <summary>Ends the connection at once; a pending read then sees its end.</summary>
    public override void Abort(ConnectionAbortedException abortReason) => Shutdown();

    /// <summary>Leaves the socket open for the next run: never closed, shut down or finalized by this process.</summary>
    public void HandOver() => HandedOverSockets.Keep(Socket);

    public override async ValueTask DisposeAsync()
    {
        await Output.CompleteAsync();
        await Input.CompleteAsync();

        // shutdown(2) and not only close(2): the store may still hold a copy until it processes FDSTOREREMOVE,
        // and the peer must see the end now.
        Shutdown();
        await _stream.DisposeAsync();
        Socket.Dispose();
        await base.DisposeAsync();
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
