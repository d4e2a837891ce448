using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocketDaemon.Client.Spooling;
using SocketDaemon.Configuration;
using SocketDaemon.Pipeline.MessageLog;

namespace SocketDaemon.Protocols.Native;

/// <summary>
/// The native-protocol sessions this daemon has seen: for each, the number of the last message it logged, so that a
/// batch sent again after a reconnect (or after this daemon restarted) is not logged twice. Kept in a
/// <see cref="DiskSpool"/> under <c>StateDirectory</c>/sessions.
/// </summary>
/// <remarks>
/// <para>
/// The window per session is one number: senders number messages, not batches, and send them in order, so everything
/// up to the last logged message is a duplicate however a resend is cut into batches. At most
/// <see cref="MaxSessions"/> are kept; the least recently used goes first.
/// </para>
/// <para>
/// The position moves with the lines, not after them: each chunk of a session's lines carries a
/// <see cref="NativeSessionClaim"/>, which the log writer records here (<see cref="Record"/>: file, offset, the
/// session's position) before it writes the chunk. After a <c>kill -9</c> a claim holds if its file is long enough
/// (<see cref="RecoverFiles"/>), and a torn write is cut back (<see cref="TornWriteRepair"/>), so a resent batch is logged exactly once whenever the
/// daemon died. A batch whose commit says something else than its claims (a refused message, lines that went to the
/// log's spool, several log files) gets a position record after the commit.
/// </para>
/// <para>
/// Records: 24 bytes (session id, position) for a position; <c>'C'</c>, the file's path, the write's start and end,
/// and per claim the session id, position, and the chunk's start and end, for the claims of one write; <c>'O'</c> and
/// a path when a writer opened that file anew (after logrotate), so the writes recorded before do not cut the new one.
/// </para>
/// </remarks>
internal sealed class NativeSessions : ILogClaimJournal, IDisposable
{
    /// <summary>The most sessions remembered.</summary>
    public const int MaxSessions = 65536;

    private const int PositionSize = 16 + sizeof(ulong);
    private const byte ClaimsTag = (byte)'C';
    private const byte OpenedTag = (byte)'O';
    private const int ClaimSize = 16 + (3 * sizeof(long));

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, NativeSession> _sessions = [];
    private readonly DiskSpool _journal;
    private readonly ILogger _logger;

    // What the journal held at start: claims not settled by a later position record, and the writes they were in.
    private List<(Guid Session, RecoveredClaim Claim)>? _recovered = [];
    private readonly Dictionary<string, LastWrite> _lastWrites = new(StringComparer.Ordinal);
    private bool _hadClaims;
    private bool _disposed;

    /// <summary>Opens the journal under the state directory and reads back every session's position.</summary>
    public NativeSessions(IOptions<SharedSettings> options, ILogger<NativeSessions> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
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
                Load(record.Payload);
            }
        }
    }

    /// <summary>The session <paramref name="id"/>, created if it is new.</summary>
    public NativeSession Get(Guid id)
    {
        RecoverFiles();
        lock (_lock)
        {
            return GetOrAdd(id);
        }
    }

    /// <summary>The progress of <paramref name="session"/>'s batches, whose chunks of lines carry its claims.</summary>
    public LogProgress ProgressOf(NativeSession session) =>
        new(position => position <= session.Logged ? null : new NativeSessionClaim(this, session, position));

    /// <summary>
    /// Records, after the commit, that <paramref name="session"/> has logged every message up to
    /// <paramref name="logged"/>. Nothing is written when the claims of the batch already say so.
    /// </summary>
    public void Advance(NativeSession session, ulong logged)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_lock)
        {
            // The claims of this batch and those before it; a later batch of the session may have claims here already.
            var claims = session.Claims;
            var mine = claims.FindLastIndex(c => c.Position <= logged) + 1;
            var covered = mine > 0 && claims.Take(mine).All(static c => c.Written && !c.Missed) && claims[mine - 1].Position == logged;
            var cancel = mine > 0 && !covered;
            claims.RemoveRange(0, mine);
            if (covered)
            {
                session.Logged = Math.Max(session.Logged, logged);
                return;
            }

            if (logged <= session.Logged && !cancel)
            {
                return;
            }

            // Also when the position stays: a record after the claims settles them (a refused message is sent again).
            session.Logged = Math.Max(session.Logged, logged);
            AppendPosition(session.Id, session.Logged);
            Compact();
        }

        _journal.Commit();
    }

    /// <inheritdoc/>
    public void Record(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(claims);
        lock (_lock)
        {
            AppendClaims(path, writeStart, writeEnd, claims);
            foreach (var claim in claims)
            {
                var sessionClaim = (NativeSessionClaim)claim;
                sessionClaim.Session.Claims.Add(sessionClaim);
            }

            Compact();
        }

        // With Durability: fsync the intent is on disk before the lines can be.
        _journal.Commit();
    }

    /// <inheritdoc/>
    public void FileOpened(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // A NUL pads it when it would have a position record's length, which is told apart by length alone.
        var length = 1 + Encoding.UTF8.GetByteCount(path);
        var record = new byte[length == PositionSize ? length + 1 : length];
        record[0] = OpenedTag;
        Encoding.UTF8.GetBytes(path, record.AsSpan(1));
        lock (_lock)
        {
            _journal.Append(record);
        }

        _journal.Commit();
    }

    /// <inheritdoc/>
    public void RecoverFiles()
    {
        lock (_lock)
        {
            if (_recovered is not { } recovered)
            {
                return;
            }

            _recovered = null;
            var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var path in recovered.Select(static r => r.Claim.Path).Concat(_lastWrites.Keys).Distinct(StringComparer.Ordinal))
            {
                lengths[path] = Settle(path, _lastWrites.GetValueOrDefault(path));
            }

            foreach (var (id, claim) in recovered)
            {
                if (lengths[claim.Path] >= claim.End)
                {
                    var session = GetOrAdd(id);
                    session.Logged = Math.Max(session.Logged, claim.Position);
                }
            }

            _lastWrites.Clear();
            if (_hadClaims)
            {
                // Settled: from now on the files grow past the claims that did not hold, so they must not be read again.
                Snapshot();
            }
        }
    }

    /// <summary>Records every session's position, so that the next run need not read claims back, and closes the journal.</summary>
    /// <remarks>Registered twice (itself, and as a claim journal), so disposed twice.</remarks>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                Snapshot();
            }
            catch (IOException)
            {
                // The claims stay in the journal and are read back as after a kill.
            }
        }

        _journal.Dispose();
    }

    private void Load(byte[] record)
    {
        if (record.Length == PositionSize)
        {
            var id = new Guid(record.AsSpan(0, 16), bigEndian: true);
            var session = GetOrAdd(id);
            session.Logged = Math.Max(session.Logged, BinaryPrimitives.ReadUInt64BigEndian(record.AsSpan(16)));

            // A position recorded after the commit settles the claims made before it.
            _recovered!.RemoveAll(r => r.Session == id);
            return;
        }

        if (record.Length > 1 && record[0] == OpenedTag)
        {
            // The file of that name was opened anew: the writes recorded before were to another file.
            _lastWrites.Remove(Encoding.UTF8.GetString(record, 1, record.Length - 1).TrimEnd('\0'));
            return;
        }

        if (record.Length < 3 || record[0] != ClaimsTag)
        {
            return;
        }

        var pathBytes = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(1));
        var path = Encoding.UTF8.GetString(record, 3, pathBytes);
        var at = record.AsSpan(3 + pathBytes);
        // Only the last write to a file can have been torn by a kill: the writer records the next one once it returned.
        var write = new LastWrite(BinaryPrimitives.ReadInt64BigEndian(at), BinaryPrimitives.ReadInt64BigEndian(at[8..]), []);
        _lastWrites[path] = write;
        var count = BinaryPrimitives.ReadUInt16BigEndian(at[16..]);
        at = at[18..];
        for (var i = 0; i < count; i++, at = at[ClaimSize..])
        {
            var id = new Guid(at[..16], bigEndian: true);
            var claim = new RecoveredClaim(path, BinaryPrimitives.ReadUInt64BigEndian(at[16..]), BinaryPrimitives.ReadInt64BigEndian(at[24..]), BinaryPrimitives.ReadInt64BigEndian(at[32..]));
            _recovered!.Add((id, claim));
            write.Chunks.Add(claim);
        }

        _hadClaims = true;
    }

    // The file's last recorded write is the only one a kill can have torn.
    private long Settle(string path, LastWrite? last) =>
        TornWriteRepair.Repair(path, last is null ? null : (last.Start, last.End), last?.Chunks.Select(static c => (c.Start, c.End)) ?? [], _logger);

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

    private void AppendClaims(string path, long writeStart, long writeEnd, IReadOnlyList<LogClaim> claims)
    {
        var pathBytes = Encoding.UTF8.GetByteCount(path);
        var size = 1 + sizeof(ushort) + pathBytes + (2 * sizeof(long)) + sizeof(ushort) + (claims.Count * ClaimSize);
        var record = ArrayPool<byte>.Shared.Rent(size);
        var span = record.AsSpan(0, size);
        span[0] = ClaimsTag;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)pathBytes);
        Encoding.UTF8.GetBytes(path, span.Slice(3, pathBytes));
        var at = span[(3 + pathBytes)..];
        BinaryPrimitives.WriteInt64BigEndian(at, writeStart);
        BinaryPrimitives.WriteInt64BigEndian(at[8..], writeEnd);
        BinaryPrimitives.WriteUInt16BigEndian(at[16..], (ushort)claims.Count);
        at = at[18..];
        foreach (var claim in claims)
        {
            ((NativeSessionClaim)claim).Session.Id.TryWriteBytes(at, bigEndian: true, out _);
            BinaryPrimitives.WriteUInt64BigEndian(at[16..], claim.Position);
            BinaryPrimitives.WriteInt64BigEndian(at[24..], claim.Start);
            BinaryPrimitives.WriteInt64BigEndian(at[32..], claim.End);
            at = at[ClaimSize..];
        }

        try
        {
            _journal.Append(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    private void AppendPosition(Guid id, ulong logged)
    {
        Span<byte> record = stackalloc byte[PositionSize];
        id.TryWriteBytes(record, bigEndian: true, out _);
        BinaryPrimitives.WriteUInt64BigEndian(record[16..], logged);
        _journal.Append(record);
    }

    // The journal is rewritten as one record per session once it holds many more: the snapshot is appended, then
    // everything before it acknowledged, so a crash in between leaves both, which read back the same.
    private void Compact()
    {
        if (_journal.Pending >= (2 * _sessions.Count) + 4096)
        {
            Snapshot();
        }
    }

    // Claims not settled yet (their batch has not committed) go after their session's position, as they came.
    private void Snapshot()
    {
        var before = _journal.NextSequence - 1;
        foreach (var session in _sessions.Values)
        {
            AppendPosition(session.Id, session.Logged);
        }

        // One record per file, spanning them all, so that it is the last write read back for that file.
        foreach (var byPath in _sessions.Values.SelectMany(static s => s.Claims).GroupBy(static c => c.Path!, StringComparer.Ordinal))
        {
            AppendClaims(byPath.Key, byPath.Min(static c => c.Start), byPath.Max(static c => c.End), [.. byPath]);
        }

        _journal.Commit();
        _journal.Acknowledge(before);
    }

    private readonly record struct RecoveredClaim(string Path, ulong Position, long Start, long End);

    private sealed record LastWrite(long Start, long End, List<RecoveredClaim> Chunks);
}
