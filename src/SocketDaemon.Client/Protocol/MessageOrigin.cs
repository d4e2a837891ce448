using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SocketDaemon.Client.Protocol;

/// <summary>
/// Where a message first entered SocketDaemon, carried with it across forwarding hops in an
/// <see cref="NativeFrameType.OriginBatch"/>: the host and listener that received it, the peer that sent it, and when.
/// </summary>
public sealed record MessageOrigin
{
    private const byte HostKey = 1;
    private const byte ListenerKey = 2;
    private const byte PeerKey = 3;
    private const byte ProcessIdKey = 4;
    private const byte UserIdKey = 5;
    private const byte GroupIdKey = 6;
    private const byte ProcessNameKey = 7;

    /// <summary>The host name of the daemon that received the message from its sender.</summary>
    public required string Host { get; init; }

    /// <summary>The listener it arrived on there.</summary>
    public required string Listener { get; init; }

    /// <summary>The peer as that daemon wrote it: <c>pid=1 uid=0 gid=0 comm=x</c> or an address.</summary>
    public required string Peer { get; init; }

    /// <summary>When that daemon read it.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The sending process's id, for a local peer.</summary>
    public int? ProcessId { get; init; }

    /// <summary>The sending process's user id, for a local peer.</summary>
    public uint? UserId { get; init; }

    /// <summary>The sending process's group id, for a local peer.</summary>
    public uint? GroupId { get; init; }

    /// <summary>The sending process's name, for a local peer.</summary>
    public string? ProcessName { get; init; }

    /// <summary>
    /// Writes the origin: <c>i64 received (microseconds since 1970, UTC)</c>, then fields of <c>u8 key, u16 length,
    /// UTF-8 value</c>. A reader skips keys it does not know, so fields can be added.
    /// </summary>
    public void Write(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var time = output.GetSpan(sizeof(long));
        BinaryPrimitives.WriteInt64BigEndian(time, (ReceivedAt.UtcTicks - DateTime.UnixEpoch.Ticks) / 10);
        output.Advance(sizeof(long));
        WriteField(output, HostKey, Host);
        WriteField(output, ListenerKey, Listener);
        WriteField(output, PeerKey, Peer);
        WriteField(output, ProcessIdKey, ProcessId?.ToString(CultureInfo.InvariantCulture));
        WriteField(output, UserIdKey, UserId?.ToString(CultureInfo.InvariantCulture));
        WriteField(output, GroupIdKey, GroupId?.ToString(CultureInfo.InvariantCulture));
        WriteField(output, ProcessNameKey, ProcessName);
    }

    /// <summary>Reads an origin written by <see cref="Write"/>.</summary>
    /// <exception cref="NativeProtocolException">The bytes do not hold an origin.</exception>
    public static MessageOrigin Read(in ReadOnlySequence<byte> bytes)
    {
        var reader = new SequenceReader<byte>(bytes);
        if (!reader.TryReadBigEndian(out long microseconds) || microseconds < 0 || microseconds > (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10)
        {
            throw new NativeProtocolException("a message origin has no valid time");
        }

        string host = string.Empty, listener = string.Empty, peer = string.Empty;
        string? pid = null, uid = null, gid = null, comm = null;
        while (!reader.End)
        {
            if (!reader.TryRead(out var key) || !reader.TryReadBigEndian(out short length) || (ushort)length > reader.Remaining)
            {
                throw new NativeProtocolException("a message origin's field runs past its end");
            }

            var value = Encoding.UTF8.GetString(reader.UnreadSequence.Slice(0, (ushort)length));
            reader.Advance((ushort)length);
            switch (key)
            {
                case HostKey: host = value; break;
                case ListenerKey: listener = value; break;
                case PeerKey: peer = value; break;
                case ProcessIdKey: pid = value; break;
                case UserIdKey: uid = value; break;
                case GroupIdKey: gid = value; break;
                case ProcessNameKey: comm = value; break;
                default: break;
            }
        }

        return new MessageOrigin
        {
            Host = host,
            Listener = listener,
            Peer = peer,
            ReceivedAt = new DateTimeOffset(DateTime.UnixEpoch.Ticks + (microseconds * 10), TimeSpan.Zero),
            ProcessId = int.TryParse(pid, CultureInfo.InvariantCulture, out var p) ? p : null,
            UserId = uint.TryParse(uid, CultureInfo.InvariantCulture, out var u) ? u : null,
            GroupId = uint.TryParse(gid, CultureInfo.InvariantCulture, out var g) ? g : null,
            ProcessName = comm,
        };
    }

    private static void WriteField(IBufferWriter<byte> output, byte key, string? value)
    {
        if (value is null)
        {
            return;
        }

        var span = output.GetSpan(3 + Encoding.UTF8.GetMaxByteCount(value.Length));
        span[0] = key;

        // A field is at most 64 KiB: a longer value (never a real host, listener or peer) is cut.
        var length = Math.Min(Encoding.UTF8.GetBytes(value, span[3..]), ushort.MaxValue);
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
        output.Advance(3 + length);
    }
}
