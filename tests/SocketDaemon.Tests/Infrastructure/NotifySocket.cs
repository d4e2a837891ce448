using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>
/// A datagram socket of the test's own, playing the service manager's NOTIFY_SOCKET; and, like systemd with
/// <c>FileDescriptorStoreMax=</c>, a file-descriptor store: <c>FDSTORE=1</c> keeps the descriptors sent along
/// (<c>SCM_RIGHTS</c>) under their <c>FDNAME=</c>, <c>FDSTOREREMOVE=1</c> closes them.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<(DateTime At, string Text)> _received = new();
    private readonly List<(string Name, int Fd)> _store = [];
    private readonly CancellationTokenSource _stop = new();

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _ = ReceiveLoopAsync();
    }

    public string Path { get; }

    public IReadOnlyCollection<(DateTime At, string Text)> Received => _received;

    /// <summary>The descriptors in the store now, in the order they were stored, as systemd passes them back.</summary>
    public IReadOnlyList<(string Name, int Fd)> Stored
    {
        get
        {
            lock (_store)
            {
                return [.. _store];
            }
        }
    }

    /// <summary>Puts <paramref name="fd"/> in the store as if a daemon had stored it; the store owns it from here.</summary>
    public void Put(string name, int fd)
    {
        lock (_store)
        {
            _store.Add((name, fd));
        }
    }

    public Task WaitForAsync(string assignment) =>
        Wait.UntilAsync(() => _received.Any(m => m.Text.Split('\n').Contains(assignment)), $"{assignment} on NOTIFY_SOCKET");

    /// <summary>Waits until the store holds a descriptor whose name <paramref name="match"/> accepts; returns the name.</summary>
    public async Task<string> WaitForStoredAsync(Func<string, bool> match, string what)
    {
        string? name = null;
        await Wait.UntilAsync(() => (name = Stored.Select(s => s.Name).FirstOrDefault(match)) is not null, $"{what} in the file-descriptor store");
        return name!;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
        lock (_store)
        {
            foreach (var (_, fd) in _store)
            {
                DescriptorPassing.Close(fd);
            }

            _store.Clear();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        var descriptors = new List<int>();
        try
        {
            while (true)
            {
                // Wait without taking the datagram, then take it with its control message, which .NET does not return.
                await _socket.ReceiveAsync(buffer, SocketFlags.Peek, _stop.Token);
                descriptors.Clear();
                var read = DescriptorPassing.Receive(_socket, buffer, descriptors);
                if (read < 0)
                {
                    continue;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, read);
                _received.Enqueue((DateTime.UtcNow, text));
                Keep(text, descriptors);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private void Keep(string text, List<int> descriptors)
    {
        var assignments = text.Split('\n');
        var name = assignments.FirstOrDefault(a => a.StartsWith("FDNAME=", StringComparison.Ordinal))?["FDNAME=".Length..] ?? "stored";
        lock (_store)
        {
            if (assignments.Contains("FDSTORE=1"))
            {
                _store.AddRange(descriptors.Select(fd => (name, fd)));
                return;
            }

            if (assignments.Contains("FDSTOREREMOVE=1"))
            {
                foreach (var (_, fd) in _store.Where(s => s.Name == name))
                {
                    DescriptorPassing.Close(fd);
                }

                _store.RemoveAll(s => s.Name == name);
            }
        }

        // Descriptors sent with anything but FDSTORE=1 are not kept, as systemd does not keep them.
        if (!assignments.Contains("FDSTORE=1"))
        {
            descriptors.ForEach(fd => DescriptorPassing.Close(fd));
        }
    }
}
