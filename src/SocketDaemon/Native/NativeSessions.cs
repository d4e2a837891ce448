using System.Buffers.Binary;
using Microsoft.Extensions.Options;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Hosting;
using SocketDaemon.Hosting.Internal;

namespace SocketDaemon.Native;

/// <summary>
/// The native-protocol sessions this daemon has seen: for each, the number of the last message it logged, so that a
/// batch sent again after a reconnect (or after this daemon restarted) is not logged twice. Kept in a
/// <see cref="DiskSpool"/> under <c>StateDirectory</c>, written after the log commit and before the acknowledgement.
/// </summary>
/// <remarks>
/// The window per session is one number: senders number messages, not batches, and send them in order, so everything
/// up to the last logged message is a duplicate however a resend is cut into batches. At most
/// <see cref="MaxSessions"/> are kept; the least recently used goes first.
/// </remarks>
internal sealed class NativeSessions : IDisposable
{
    /// <summary>The most sessions remembered.</summary>
    public const int MaxSessions = 65536;

    private const int RecordSize = 16 + sizeof(ulong);

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, NativeSession> _sessions = [];
    private readonly DiskSpool _journal;

    /// <summary>Opens the journal under the state directory and reads back every session's position.</summary>
    public NativeSessions(IOptions<SocketDaemonOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var state = DefaultLocations.StateDirectory(options.Value);
        _journal = DiskSpool.Open(Path.Combine(state, "sessions"), new DiskSpoolOptions
        {
            SegmentBytes = 4L << 20,
            Durability = options.Value.Durability == MessageDurability.Fsync ? SpoolDurability.Fsync : SpoolDurability.Flush,
        });
        for (var from = 1UL; _journal.Read(from, 4096, long.MaxValue) is { Count: > 0 } records; from = records[^1].Sequence + 1)
        {
            foreach (var record in records)
            {
                var id = new Guid(record.Payload.AsSpan(0, 16), bigEndian: true);
                var logged = BinaryPrimitives.ReadUInt64BigEndian(record.Payload.AsSpan(16));
                var session = GetOrAdd(id);
                session.Logged = Math.Max(session.Logged, logged);
            }
        }
    }

    /// <summary>The session <paramref name="id"/>, created if it is new.</summary>
    public NativeSession Get(Guid id)
    {
        lock (_lock)
        {
            return GetOrAdd(id);
        }
    }

    /// <summary>Records that <paramref name="session"/> has logged every message up to <paramref name="logged"/>.</summary>
    public void Advance(NativeSession session, ulong logged)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (logged <= session.Logged)
        {
            return;
        }

        Span<byte> record = stackalloc byte[RecordSize];
        session.Id.TryWriteBytes(record, bigEndian: true, out _);
        BinaryPrimitives.WriteUInt64BigEndian(record[16..], logged);
        lock (_lock)
        {
            _journal.Append(record);
            session.Logged = logged;
            Compact();
        }

        _journal.Commit();
    }

    /// <summary>Closes the journal.</summary>
    public void Dispose() => _journal.Dispose();

    private NativeSession GetOrAdd(Guid id)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            if (_sessions.Count >= MaxSessions)
            {
                _sessions.Remove(_sessions.Values.MinBy(s => s.LastUsed)!.Id);
            }

            _sessions[id] = session = new NativeSession(id);
        }

        session.LastUsed = Environment.TickCount64;
        return session;
    }

    // The journal is rewritten as one record per session once it holds many more: the snapshot is appended, then
    // everything before it acknowledged, so a crash in between leaves both, which read back the same.
    private void Compact()
    {
        if (_journal.Pending < (2 * _sessions.Count) + 4096)
        {
            return;
        }

        var before = _journal.NextSequence - 1;
        Span<byte> record = stackalloc byte[RecordSize];
        foreach (var session in _sessions.Values)
        {
            session.Id.TryWriteBytes(record, bigEndian: true, out _);
            BinaryPrimitives.WriteUInt64BigEndian(record[16..], session.Logged);
            _journal.Append(record);
        }

        _journal.Commit();
        _journal.Acknowledge(before);
    }
}
