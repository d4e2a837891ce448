using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using SocketDaemon.Diagnostics;
using SocketDaemon.Internal;

namespace SocketDaemon.Systemd;

/// <summary>
/// systemd's file-descriptor store (<c>FileDescriptorStoreMax=</c>, sd_pid_notify_with_fds(3)): listening sockets are
/// stored when bound and client connections when accepted, so that a crash loses none of them; a connection's entry
/// is removed when it closes for good. The next run gets them all back through <c>LISTEN_FDS</c> and takes them here.
/// </summary>
internal sealed partial class FileDescriptorStore
{
    // A pending-bytes memfd holds at most one frame under way; anything bigger was not written by the daemon.
    private const long MaxPendingBytes = 64L * 1024 * 1024;

    private readonly SystemdNotifier _notifier;
    private readonly ILogger _logger;
    private readonly Dictionary<string, int> _passed = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public FileDescriptorStore(IOptions<SystemdOptions> options, SocketActivation activation, SystemdNotifier notifier, ILogger<FileDescriptorStore> logger)
    {
        _notifier = notifier;
        _logger = logger;
        foreach (var (fd, name) in activation.Stored)
        {
            if (!_passed.TryAdd(name, fd))
            {
                Discard(fd, name, "a second descriptor under the same name");
            }
        }

        var mode = options.Value.FileDescriptorStore.ToLowerInvariant();
        var fdStore = Environment.GetEnvironmentVariable("FDSTORE");
        IsEnabled = notifier.IsEnabled && mode switch
        {
            "true" => true,
            "auto" => (int.TryParse(fdStore, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0) || _passed.Count > 0,
            _ => false,
        };
        ConsumesWhenLogged = IsEnabled && options.Value.ConsumeWhenLogged;
        if (IsEnabled)
        {
            Enabled(_logger, string.IsNullOrEmpty(fdStore) ? "not set" : fdStore, _passed.Count);
        }
        else if (mode == "true")
        {
            NoNotifySocket(_logger);
        }
    }

    /// <summary>Whether descriptors go to the store: the option allows it and there is a <c>NOTIFY_SOCKET</c>.</summary>
    public bool IsEnabled { get; }

    /// <summary>Whether a stored connection's bytes leave its socket only once their lines are logged (<c>Systemd:ConsumeWhenLogged</c>).</summary>
    public bool ConsumesWhenLogged { get; }

    /// <summary>Puts <paramref name="descriptor"/> in the store under <paramref name="name"/>.</summary>
    /// <returns>Whether it was sent; systemd may still refuse it when the store is full (it logs that).</returns>
    public bool Add(StoredDescriptorName name, SafeHandle descriptor)
    {
        var text = name.ToString();
        if (!IsEnabled || !StoredDescriptorName.IsValid(text))
        {
            return false;
        }

        // FDPOLL=0: systemd would otherwise drop a connection whose client hung up while no daemon ran, with the
        // messages the client sent before it hung up still unread in the socket.
        var error = _notifier.Notify($"FDSTORE=1\nFDNAME={text}\nFDPOLL=0", descriptor);
        if (error != 0)
        {
            AddFailed(_logger, text, error);
        }

        return error == 0;
    }

    /// <summary>Takes <paramref name="name"/> out of the store: systemd closes its copy.</summary>
    /// <remarks>Also with the store turned off: what an earlier run stored is still taken back, and then let go.</remarks>
    public void Remove(StoredDescriptorName name) => _notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={name}");

    /// <summary>Stores <paramref name="bytes"/> in a new memfd named after connection <paramref name="id"/>.</summary>
    public bool AddPending(long id, ReadOnlySpan<byte> bytes)
    {
        var name = StoredDescriptorName.ForPending(id);
        using var file = Libc.CreateMemoryFile(name.ToString());
        RandomAccess.Write(file, bytes, 0);
        return Add(name, file);
    }

    /// <summary>The stored listening socket of <paramref name="listener"/>, now owned by the caller; or none.</summary>
    public int? TakeListener(string listener)
    {
        lock (_lock)
        {
            var name = StoredDescriptorName.ForListener(listener).ToString();
            return _passed.Remove(name, out var fd) ? fd : null;
        }
    }

    /// <summary>
    /// The stored connections of <paramref name="listeners"/>, with the bytes their pending memfds held (those are
    /// read, closed and removed from the store); the caller owns the sockets.
    /// </summary>
    public IReadOnlyList<StoredConnection> TakeConnections(IReadOnlySet<string> listeners)
    {
        lock (_lock)
        {
            var taken = new List<StoredConnection>();
            foreach (var (text, fd) in _passed.ToArray())
            {
                if (StoredDescriptorName.Parse(text) is not { Kind: StoredDescriptorKind.Connection } name || !listeners.Contains(name.Listener))
                {
                    continue;
                }

                _passed.Remove(text);
                var pendingName = StoredDescriptorName.ForPending(name.ConnectionId);
                var pending = _passed.Remove(pendingName.ToString(), out var memfd) ? ReadPending(memfd, pendingName) : [];
                taken.Add(new StoredConnection(fd, name, pending));
            }

            return taken;
        }
    }

    /// <summary>Closes and removes from the store every passed descriptor no listener took: the configuration changed, or it is stale.</summary>
    public void DiscardUnclaimed()
    {
        lock (_lock)
        {
            foreach (var (name, fd) in _passed)
            {
                Discard(fd, name, StoredDescriptorName.Parse(name) is { } parsed
                    ? $"no configured {(parsed.Kind == StoredDescriptorKind.Pending ? "connection" : "listener")} takes it"
                    : "not a name this daemon stores");
            }

            _passed.Clear();
        }
    }

    private byte[] ReadPending(int fd, StoredDescriptorName name)
    {
        using var file = new SafeFileHandle(fd, ownsHandle: true);
        _notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={name}");
        var length = RandomAccess.GetLength(file);
        if (length > MaxPendingBytes)
        {
            PendingDiscarded(_logger, name.ToString(), length);
            return [];
        }

        var bytes = new byte[length];
        var read = RandomAccess.Read(file, bytes, 0);
        return bytes[..read];
    }

    /// <summary>Closes <paramref name="fd"/>, passed back as <paramref name="name"/>, and removes it from the store, with a warning.</summary>
    public void Discard(int fd, string name, string reason)
    {
        // Removed whatever the option says now: the store passed it, so the store holds it.
        Libc.Close(fd);
        _notifier.Notify($"FDSTOREREMOVE=1\nFDNAME={name}");
        Discarded(_logger, name, fd, reason);
    }

    [LoggerMessage(EventIds.FdStoreEnabled, LogLevel.Information, "systemd file-descriptor store is on ($FDSTORE {FdStore}): listeners and connections are kept across restarts; {Passed} stored descriptors passed back")]
    private static partial void Enabled(ILogger logger, string fdStore, int passed);

    [LoggerMessage(EventIds.FdStoreNoNotifySocket, LogLevel.Warning, "Systemd:FileDescriptorStore is true but NOTIFY_SOCKET is not set: there is no store to keep listeners and connections in")]
    private static partial void NoNotifySocket(ILogger logger);

    [LoggerMessage(EventIds.FdStoreAddFailed, LogLevel.Warning, "Could not store {Name} in systemd's file-descriptor store: errno {Errno}; it will not survive a restart")]
    private static partial void AddFailed(ILogger logger, string name, int errno);

    [LoggerMessage(EventIds.FdStoreDiscarded, LogLevel.Warning, "Closed stored descriptor {Name} (descriptor {Descriptor}) and removed it from the store: {Reason}")]
    private static partial void Discarded(ILogger logger, string name, int descriptor, string reason);

    [LoggerMessage(EventIds.FdStorePendingDiscarded, LogLevel.Warning, "Dropped stored pending bytes {Name}: {Length} bytes is more than one frame")]
    private static partial void PendingDiscarded(ILogger logger, string name, long length);
}
