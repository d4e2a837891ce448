using System.Buffers.Binary;
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
/// Records (<see cref="LogClaimJournalFile"/>): a claim's key is the session id and position; the journal's own
/// records are 24 bytes (session id, position) for a position.
/// </para>
/// </remarks>
internal sealed class NativeSessions : LogClaimJournalFile
{
    /// <summary>The most sessions remembered.</summary>
    public const int MaxSessions = 65536;

    private const int PositionSize = 16 + sizeof(ulong);

    private readonly Dictionary<Guid, NativeSession> _sessions = [];

    // What the journal held at start: claims not settled by a later position record.
    private List<(Guid Session, RecoveredClaim Claim)>? _recovered = [];

    /// <summary>Opens the journal under the state directory and reads back every session's position.</summary>
    public NativeSessions(IOptions<SharedSettings> options, ILogger<NativeSessions> logger)
        : base(
            Path.Combine(DefaultLocations.StateDirectory((options ?? throw new ArgumentNullException(nameof(options))).Value), "sessions"),
            options.Value.Durability,
            PositionSize,
            PositionSize,
            logger)
    {
        ReadBack();
    }

    /// <inheritdoc/>
    protected override int SnapshotEntries => _sessions.Count;

    /// <summary>The session <paramref name="id"/>, created if it is new.</summary>
    public NativeSession Get(Guid id)
    {
        RecoverFiles();
        lock (Lock)
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
        lock (Lock)
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

        Commit();
    }

    /// <inheritdoc/>
    public override void RecoverFiles()
    {
        lock (Lock)
        {
            if (_recovered is not { } recovered)
            {
                return;
            }

            _recovered = null;
            var lengths = RepairFiles(recovered.Select(static r => r.Claim.Path));
            foreach (var (id, claim) in recovered)
            {
                if (lengths[claim.Path] >= claim.End)
                {
                    var session = GetOrAdd(id);
                    session.Logged = Math.Max(session.Logged, claim.Position);
                }
            }

            if (HadClaims)
            {
                // Settled: from now on the files grow past the claims that did not hold, so they must not be read again.
                Snapshot();
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnRecorded(IReadOnlyList<LogClaim> claims)
    {
        foreach (var claim in claims)
        {
            var sessionClaim = (NativeSessionClaim)claim;
            sessionClaim.Session.Claims.Add(sessionClaim);
        }
    }

    /// <summary>Records every session's position, so that the next run need not read claims back.</summary>
    /// <remarks>Registered twice (itself, and as a claim journal), so disposed twice: this runs once.</remarks>
    protected override void OnDisposing()
    {
        try
        {
            Snapshot();
        }
        catch (IOException)
        {
            // The claims stay in the journal and are read back as after a kill.
        }
    }

    /// <inheritdoc/>
    protected override void WriteKey(LogClaim claim, Span<byte> key)
    {
        ((NativeSessionClaim)claim).Session.Id.TryWriteBytes(key, bigEndian: true, out _);
        BinaryPrimitives.WriteUInt64BigEndian(key[16..], claim.Position);
    }

    /// <inheritdoc/>
    protected override void LoadClaim(string path, ReadOnlySpan<byte> key, long start, long end) =>
        _recovered!.Add((new Guid(key[..16], bigEndian: true), new RecoveredClaim(path, BinaryPrimitives.ReadUInt64BigEndian(key[16..]), end)));

    /// <inheritdoc/>
    protected override void LoadOwnRecord(ReadOnlySpan<byte> record)
    {
        var id = new Guid(record[..16], bigEndian: true);
        var session = GetOrAdd(id);
        session.Logged = Math.Max(session.Logged, BinaryPrimitives.ReadUInt64BigEndian(record[16..]));

        // A position recorded after the commit settles the claims made before it.
        _recovered!.RemoveAll(r => r.Session == id);
    }

    // Claims not settled yet (their batch has not committed) go after their session's position, as they came.
    protected override void WriteSnapshot()
    {
        foreach (var session in _sessions.Values)
        {
            AppendPosition(session.Id, session.Logged);
        }

        AppendClaimsByFile(_sessions.Values.SelectMany(static s => s.Claims));
    }

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

    private void AppendPosition(Guid id, ulong logged)
    {
        Span<byte> record = stackalloc byte[PositionSize];
        id.TryWriteBytes(record, bigEndian: true, out _);
        BinaryPrimitives.WriteUInt64BigEndian(record[16..], logged);
        Append(record);
    }

    private readonly record struct RecoveredClaim(string Path, ulong Position, long End);
}
