using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>A datagram socket of the test's own, playing the service manager's NOTIFY_SOCKET.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<(DateTime At, string Text)> _received = new();
    private readonly CancellationTokenSource _stop = new();

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _ = ReceiveLoopAsync();
    }

    public string Path { get; }

    public IReadOnlyCollection<(DateTime At, string Text)> Received => _received;

    public Task WaitForAsync(string assignment) =>
        Wait.UntilAsync(() => _received.Any(m => m.Text.Split('\n').Contains(assignment)), $"{assignment} on NOTIFY_SOCKET");

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                _received.Enqueue((DateTime.UtcNow, Encoding.UTF8.GetString(buffer, 0, read)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
