using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using SocketDaemon.Framing;
using SocketDaemon.Transport;
using SocketDaemon.Systemd;

namespace SocketDaemon.Connections;

/// <summary>
/// One connection's entry in systemd's file-descriptor store: stored when accepted, renamed once its framing is
/// settled (the name is all a run after a crash knows of it), removed when it closes for good.
/// </summary>
internal sealed class ConnectionStoreEntry(FileDescriptorStore store, long id, string listener, Socket socket)
{
    private StoredDescriptorName? _name;

    /// <summary>Whether the store holds the connection, so that a stop hands it over instead of closing it.</summary>
    public bool IsStored => _name is not null;

    /// <summary>Stores the connection as speaking <paramref name="framing"/> from the bytes not yet consumed.</summary>
    public void Store(FramingKind framing)
    {
        var name = StoredDescriptorName.ForConnection(id, framing, listener);
        if (name == _name)
        {
            return;
        }

        // Remove before add: systemd keeps one entry per name, and two names for one connection would make the
        // next run take it twice after a crash between the two.
        Remove();
        _name = store.Add(name, socket.SafeHandle) ? name : null;
    }

    /// <summary>Takes over the entry a previous run stored under <paramref name="name"/>.</summary>
    public void Adopt(StoredDescriptorName name) => _name = name;

    /// <summary>Removes the connection from the store: it is closing, or it became something no next run resumes.</summary>
    public void Remove()
    {
        if (_name is { } name)
        {
            store.Remove(name);
            _name = null;
        }
    }

    /// <summary>Stores <paramref name="bytes"/>, read but not yet a message, for the next run to read first.</summary>
    public bool StorePending(in ReadOnlySequence<byte> bytes) => bytes.IsEmpty || store.AddPending(id, bytes.ToArray());

    /// <summary>
    /// At a stop, instead of reading on: every complete frame read so far has been handled (a handler asks for more
    /// only then), so what <paramref name="input"/> still holds is the start of a frame. It goes to the store beside
    /// the connection, and nothing more is taken from the kernel: the next run reads on from exactly there.
    /// </summary>
    /// <exception cref="ConnectionHandedOverException">Always, unless the pending bytes could not be stored.</exception>
    public void HandOver(PipeReader input)
    {
        input.CancelPendingRead();
        input.TryRead(out var result);
        var pending = result.Buffer;
        input.AdvanceTo(pending.Start, pending.End);
        if (input is SocketPipeReader { IsPeeking: true })
        {
            // The socket still holds them: the next run reads them from there.
            pending = default;
        }

        if (StorePending(pending))
        {
            throw new ConnectionHandedOverException(pending.Length);
        }

        // Without its pending bytes the connection would resume mid-frame: drain and close it as without a store.
        Remove();
    }
}
