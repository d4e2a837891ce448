using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Client.Internal;

/// <summary>
/// One negotiated native-protocol connection: writes frames under a lock and completes each pending batch or request
/// when its reply arrives. Replies come in order, but are matched by id all the same.
/// </summary>
internal sealed class NativeConnection : IAsyncDisposable
{
    // Replies are small; a reply frame larger than this is a broken peer.
    private const int MaxReplyBytes = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<NativeReply>> _pending = new();
    private readonly ConcurrentDictionary<ulong, Channel<NativeReply>> _streams = new();
    private readonly Task _receiving;
    private Exception? _closed;

    private NativeConnection(Socket socket, Stream stream, PipeReader input, PipeWriter output)
    {
        _socket = socket;
        _stream = stream;
        _input = input;
        _output = output;
        _receiving = ReceiveLoopAsync();
    }

    /// <summary>Completes when the daemon closes the connection (or it breaks).</summary>
    public Task Closed => _receiving;

    /// <summary>The protocol version the daemon chose: 2 has sessions and origin batches, 1 has neither.</summary>
    public byte Version { get; private init; }

    public bool IsOpen => _closed is null && !_receiving.IsCompleted;

    /// <summary>Connects, sends the preface and checks the daemon's answer.</summary>
    public static async Task<NativeConnection> OpenAsync(Socket socket, SocketEndpoint endpoint, CancellationToken cancellationToken, Stream? stream = null)
    {
        stream ??= new NetworkStream(socket, ownsSocket: false);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        NativeFrameWriter.WritePreface(output);
        await output.FlushAsync(cancellationToken);
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (NativeFrameReader.TryReadPreface(ref buffer, out var version))
            {
                input.AdvanceTo(buffer.Start);
                if (version is 0 or > NativeProtocol.Version)
                {
                    throw new NativeProtocolException($"{endpoint} speaks native protocol version {version}, this client 1 to {NativeProtocol.Version}");
                }

                return new NativeConnection(socket, stream, input, output) { Version = version };
            }

            if (result.IsCompleted)
            {
                throw new NativeProtocolException($"{endpoint} closed the connection instead of answering the native-protocol preface; is it a SocketDaemon?");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Sends <paramref name="frame"/> and returns the reply to <paramref name="id"/>.</summary>
    public async Task<NativeReply> RequestAsync(ulong id, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<NativeReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            await WriteAsync(frame, cancellationToken);
            if (_closed is { } closed)
            {
                throw closed;
            }

            return await reply.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a request whose answer is <c>Ok</c> followed by a stream of frames with its id, and yields them.</summary>
    public async IAsyncEnumerable<NativeReply> StreamAsync(ulong id, ReadOnlyMemory<byte> frame, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = Channel.CreateUnbounded<NativeReply>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _streams[id] = stream;
        try
        {
            var answer = await RequestAsync(id, frame, cancellationToken);
            if (answer.Type == NativeFrameType.Error)
            {
                throw new SocketDaemonException(answer.Code, $"the daemon refused: {answer.Message} ({answer.Code})");
            }

            await foreach (var reply in stream.Reader.ReadAllAsync(cancellationToken))
            {
                yield return reply;
            }
        }
        finally
        {
            _streams.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _output.CompleteAsync();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _stream.DisposeAsync();
        await _receiving.ContinueWith(static _ => { }, TaskScheduler.Default);
        _writeLock.Dispose();
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _output.WriteAsync(frame, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                while (NativeFrameReader.TryReadFrame(ref buffer, MaxReplyBytes, out var frame))
                {
                    Complete(frame);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(new IOException("the daemon closed the connection"));
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            Close(ex is IOException ? ex : new IOException($"the connection to the daemon failed: {ex.Message}", ex));
        }
        finally
        {
            await _input.CompleteAsync();
        }
    }

    private void Complete(NativeFrame frame)
    {
        NativeReply reply;
        ulong id;
        switch (frame.Type)
        {
            case NativeFrameType.Ack:
                id = NativeFrameReader.ReadAck(frame.Body, out var accepted, out var errors);
                reply = new NativeReply(frame.Type, accepted, errors);
                break;
            case NativeFrameType.StatusReply:
                id = NativeFrameReader.ReadId(frame.Body);
                reply = new NativeReply(frame.Type, Status: JsonSerializer.Deserialize(frame.Body.Slice(sizeof(ulong)).ToArray(), StatusJsonContext.Default.DaemonStatus));
                break;
            case NativeFrameType.Ok:
                id = NativeFrameReader.ReadId(frame.Body);
                reply = new NativeReply(frame.Type);
                break;
            case NativeFrameType.TailMessage:
                id = NativeFrameReader.ReadId(frame.Body);
                reply = new NativeReply(frame.Type, Tail: JsonSerializer.Deserialize(frame.Body.Slice(sizeof(ulong)).ToArray(), Tail.TailJsonContext.Default.TailEvent));
                break;
            case NativeFrameType.Skipped:
                id = NativeFrameReader.ReadId(frame.Body);
                reply = new NativeReply(frame.Type, Tail: new Tail.TailEvent { Skipped = (long)NativeFrameReader.ReadId(frame.Body.Slice(sizeof(ulong))) });
                break;
            case NativeFrameType.Error:
                id = NativeFrameReader.ReadError(frame.Body, out var code, out var message);
                reply = new NativeReply(frame.Type, Code: code, Message: message);
                break;
            default:
                throw new NativeProtocolException($"the daemon sent an unknown frame type 0x{(byte)frame.Type:x2}");
        }

        if (reply.Tail is not null)
        {
            if (_streams.TryGetValue(id, out var stream))
            {
                stream.Writer.TryWrite(reply);
            }
        }
        else if (_pending.TryGetValue(id, out var pending))
        {
            pending.TrySetResult(reply);
        }
    }

    private void Close(Exception reason)
    {
        _closed ??= reason;
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(reason);
        }

        // A stream ends with the connection: the daemon closes a tail when it stops.
        foreach (var stream in _streams.Values)
        {
            stream.Writer.TryComplete();
        }
    }
}
