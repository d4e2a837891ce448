using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SocketDaemon.Internal;
using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Transport;

namespace SocketDaemon.Tests.Listeners;

/// <summary>
/// The pipe reader a stream connection reads its socket with: pipe semantics (consumed and examined, cancellation, the
/// end), bytes an earlier run had read first, and no buffer held while it waits.
/// </summary>
public sealed class SocketPipeReaderTests : IDisposable
{
    private readonly Socket _daemon;
    private readonly Socket _peer;
    private readonly ReceiveBufferPool _pool = new();

    public SocketPipeReaderTests()
    {
        // A socketpair(2) wrapped from its descriptors, as a connection taken back from systemd's store is.
        var (daemon, peer) = Libc.CreateSocketPair();
        _daemon = new Socket(new SafeSocketHandle(daemon, ownsHandle: true));
        _peer = new Socket(new SafeSocketHandle(peer, ownsHandle: true));
    }

    public void Dispose()
    {
        _daemon.Dispose();
        _peer.Dispose();
    }

    private SocketPipeReader CreateReader(string pending = "", int maxReceiveBytes = 64 * 1024) =>
        new(_daemon, Encoding.UTF8.GetBytes(pending), _pool, maxReceiveBytes);

    private void Send(string text) => _peer.Send(Encoding.UTF8.GetBytes(text));

    private static string Text(in ReadResult result) => Encoding.UTF8.GetString(result.Buffer);

    private static Task<ReadResult> ReadAsync(PipeReader reader) => reader.ReadAsync().AsTask().WaitAsync(Wait.Timeout);

    /// <summary>Reads what came and leaves it in the pipe, examined: the next read waits for more.</summary>
    private static async Task ExamineAsync(PipeReader reader)
    {
        var result = await ReadAsync(reader);
        reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
    }

    /// <summary>Reads what came and consumes all of it.</summary>
    private static async Task ConsumeAsync(PipeReader reader)
    {
        var result = await ReadAsync(reader);
        reader.AdvanceTo(result.Buffer.End);
    }

    /// <summary>The result of a read that must complete at once, without waiting for the socket.</summary>
    private static ReadResult Immediate(ValueTask<ReadResult> read)
    {
        Assert.True(read.IsCompletedSuccessfully, "the read completes at once");
        return read.Result;
    }

    [Fact]
    public async Task A_read_returns_what_the_peer_sent_and_the_next_one_waits_for_more()
    {
        var reader = CreateReader();
        Send("hello");
        var first = await ReadAsync(reader);
        Assert.Equal("hello", Text(first));
        reader.AdvanceTo(first.Buffer.End);

        var next = reader.ReadAsync();
        Assert.False(next.IsCompleted);
        Send("world");
        var second = await next.AsTask().WaitAsync(Wait.Timeout);
        Assert.Equal("world", Text(second));
        reader.AdvanceTo(second.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task Bytes_examined_but_not_consumed_come_back_with_the_next_ones()
    {
        var reader = CreateReader();
        Send("half a li");
        await ExamineAsync(reader);

        Send("ne\n");
        var second = await ReadAsync(reader);
        Assert.Equal("half a line\n", Text(second));
        reader.AdvanceTo(second.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task Bytes_not_examined_are_handed_over_again_at_once()
    {
        var reader = CreateReader();
        Send("preface and frames");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.GetPosition("preface and ".Length));

        var next = Immediate(reader.ReadAsync());
        Assert.Equal("frames", Text(next));
        reader.AdvanceTo(next.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_wakes_a_waiting_read_and_the_next_read_gets_what_comes()
    {
        var reader = CreateReader();
        var waiting = reader.ReadAsync();
        Assert.False(waiting.IsCompleted);

        reader.CancelPendingRead();
        var canceled = await waiting.AsTask().WaitAsync(Wait.Timeout);
        Assert.True(canceled.IsCanceled);
        Assert.True(canceled.Buffer.IsEmpty);
        reader.AdvanceTo(canceled.Buffer.Start, canceled.Buffer.End);

        Send("after the wake");
        var result = await ReadAsync(reader);
        Assert.False(result.IsCanceled);
        Assert.Equal("after the wake", Text(result));
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_with_no_read_waiting_cancels_the_next_one_with_what_is_buffered()
    {
        var reader = CreateReader();
        Send("partial");
        await ExamineAsync(reader);

        reader.CancelPendingRead();
        var next = Immediate(reader.ReadAsync());
        Assert.True(next.IsCanceled);
        Assert.Equal("partial", Text(next));
        reader.AdvanceTo(next.Buffer.Start, next.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task A_cancelled_token_ends_a_waiting_read_with_OperationCanceledException()
    {
        var reader = CreateReader();
        using var cancel = new CancellationTokenSource();
        var waiting = reader.ReadAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Wait.Timeout));

        // The reader goes on: the wait it left under way serves the next read.
        Send("still reading");
        var result = await ReadAsync(reader);
        Assert.Equal("still reading", Text(result));
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task Bytes_an_earlier_run_had_read_come_first()
    {
        var reader = CreateReader(pending: "replayed ");
        Send("then the socket");

        // No receive needed.
        var first = Immediate(reader.ReadAsync());
        Assert.Equal("replayed ", Text(first));
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var second = await ReadAsync(reader);
        Assert.Equal("replayed then the socket", Text(second));
        reader.AdvanceTo(second.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task The_peer_closing_completes_the_reader_after_its_last_bytes()
    {
        var reader = CreateReader();
        Send("last words");
        _peer.Shutdown(SocketShutdown.Send);

        var text = new StringBuilder();
        ReadResult result;
        do
        {
            result = await ReadAsync(reader);
            text.Append(Text(result));
            reader.AdvanceTo(result.Buffer.End);
        }
        while (!result.IsCompleted);

        Assert.Equal("last words", text.ToString());
        var after = await ReadAsync(reader);
        Assert.True(after.IsCompleted);
        Assert.Equal(0, _pool.Rented);
        reader.Complete();
    }

    [Fact]
    public async Task A_waiting_reader_holds_no_buffer_and_one_inside_a_frame_holds_one()
    {
        var reader = CreateReader();
        var idle = reader.ReadAsync();
        Assert.Equal(0, _pool.Rented);

        Send("a frame under way");
        var first = await idle.AsTask().WaitAsync(Wait.Timeout);
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        var more = reader.ReadAsync();
        Assert.False(more.IsCompleted);
        Assert.Equal(1, _pool.Rented);

        Send(" ends\n");
        var whole = await more.AsTask().WaitAsync(Wait.Timeout);
        Assert.Equal("a frame under way ends\n", Text(whole));
        reader.AdvanceTo(whole.Buffer.End);
        var next = reader.ReadAsync();
        Assert.False(next.IsCompleted);
        Assert.Equal(0, _pool.Rented);

        reader.CancelPendingRead();
        reader.AdvanceTo((await next).Buffer.End);
        reader.Complete();
        Assert.Equal(0, _pool.Rented);
    }

    [Fact]
    public async Task A_line_that_wakes_an_idle_reader_takes_a_buffer_of_its_size_not_a_receive_buffer()
    {
        var reader = CreateReader();
        var idle = reader.ReadAsync();
        Send("idle\n");
        var result = await idle.AsTask().WaitAsync(Wait.Timeout);

        Assert.True(MemoryMarshal.TryGetArray(result.Buffer.First, out var segment));
        Assert.True(segment.Array!.Length < ReceiveBuffer.MinimumReceiveBytes, $"a {segment.Array.Length}-byte buffer for 5 bytes");
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task A_frame_larger_than_any_receive_is_read_whole_and_its_buffer_given_back()
    {
        var reader = CreateReader(maxReceiveBytes: 16 * 1024);
        var frame = new byte[300 * 1024];
        Random.Shared.NextBytes(frame);
        var sending = Task.Run(() => _peer.Send(frame));

        ReadResult result;
        while (true)
        {
            result = await ReadAsync(reader);
            if (result.Buffer.Length == frame.Length)
            {
                break;
            }

            // Nothing consumed until the frame is whole, as a frame reader does.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        Assert.True(result.Buffer.IsSingleSegment);
        Assert.True(result.Buffer.FirstSpan.SequenceEqual(frame));
        reader.AdvanceTo(result.Buffer.End);
        await sending.WaitAsync(Wait.Timeout);
        var next = reader.ReadAsync();
        Assert.False(next.IsCompleted);
        Assert.Equal(0, _pool.Rented);

        reader.CancelPendingRead();
        reader.AdvanceTo((await next).Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task Receives_grow_while_they_come_back_full_and_shrink_when_the_flow_slows()
    {
        var reader = CreateReader(maxReceiveBytes: 64 * 1024);
        Assert.Equal(ReceiveBuffer.MinimumReceiveBytes, reader.NextReceiveBytes);

        // Far more than the socket buffer holds, queued before the first read: receives fill their buffers.
        _peer.SendBufferSize = 1024 * 1024;
        var bulk = new byte[4 * 1024 * 1024];
        var sending = Task.Run(() => _peer.Send(bulk));
        await Wait.UntilAsync(() => _daemon.Available >= 128 * 1024, "the peer to fill the socket buffer");
        long read = 0;
        var largest = 0;
        while (read < bulk.Length)
        {
            var result = await ReadAsync(reader);
            read += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            largest = Math.Max(largest, reader.NextReceiveBytes);
        }

        await sending.WaitAsync(Wait.Timeout);
        Assert.Equal(64 * 1024, largest);

        for (var i = 0; i < 8; i++)
        {
            Send("a line now and then\n");
            await ConsumeAsync(reader);
        }

        Assert.Equal(ReceiveBuffer.MinimumReceiveBytes, reader.NextReceiveBytes);
        reader.Complete();
    }

    [Fact]
    public async Task TryRead_hands_over_what_was_read_and_takes_nothing_from_the_socket()
    {
        var reader = CreateReader();
        Send("frame start");
        await ExamineAsync(reader);
        Send(" and more");
        await Wait.UntilAsync(() => _daemon.Available == " and more".Length, "the bytes to reach the socket");

        // What a stop hands over to the next run: what the process holds, and no more.
        reader.CancelPendingRead();
        Assert.True(reader.TryRead(out var held));
        Assert.True(held.IsCanceled);
        Assert.Equal("frame start", Text(held));
        reader.AdvanceTo(held.Buffer.Start, held.Buffer.End);
        Assert.Equal(" and more".Length, _daemon.Available);
        reader.Complete();
    }

    [Fact]
    public async Task A_reset_connection_fails_the_read_with_an_IOException()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Wait.Timeout);
        using var accepted = await listener.AcceptAsync().WaitAsync(Wait.Timeout);
        var reader = new SocketPipeReader(accepted, [], _pool, 64 * 1024);
        var waiting = reader.ReadAsync();

        // SO_LINGER with a zero timeout: close(2) sends a reset.
        client.LingerState = new LingerOption(true, 0);
        client.Close();

        var failure = await Assert.ThrowsAsync<IOException>(() => waiting.AsTask().WaitAsync(Wait.Timeout));
        Assert.IsType<SocketException>(failure.InnerException);
        reader.Complete();
        Assert.Equal(0, _pool.Rented);
    }

    [Fact]
    public async Task A_parked_reader_holds_nothing_and_resumes_its_connection_when_bytes_come()
    {
        var reader = CreateReader();
        var resume = new Resume();
        Assert.True(reader.TryPark(resume));
        Assert.Equal(0, _pool.Rented);

        Send("wake up");
        await resume.Ran.WaitAsync(Wait.Timeout);
        var result = Immediate(reader.ReadAsync());
        Assert.Equal("wake up", Text(result));
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_resumes_a_parked_reader_whose_next_read_is_cancelled()
    {
        var reader = CreateReader();
        var resume = new Resume();
        Assert.True(reader.TryPark(resume));

        reader.CancelPendingRead();
        await resume.Ran.WaitAsync(Wait.Timeout);
        var result = Immediate(reader.ReadAsync());
        Assert.True(result.IsCanceled);
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task A_reader_with_bytes_to_hand_over_does_not_park()
    {
        var reader = CreateReader();
        Send("two lines\nand a half");
        var result = await ReadAsync(reader);
        reader.AdvanceTo(result.Buffer.GetPosition("two lines\n".Length));

        Assert.False(reader.TryPark(new Resume()));
        Assert.Equal("and a half", Text(Immediate(reader.ReadAsync())));
        reader.Complete();
    }

    private sealed class Resume : IThreadPoolWorkItem
    {
        private readonly TaskCompletionSource _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Ran => _ran.Task;

        public void Execute() => _ran.TrySetResult();
    }
}
