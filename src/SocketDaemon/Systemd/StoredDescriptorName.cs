using System.Globalization;
using SocketDaemon.Framing;

namespace SocketDaemon.Systemd;

/// <summary>What a descriptor in systemd's store is, read from its <c>FDNAME=</c>.</summary>
internal enum StoredDescriptorKind
{
    /// <summary><c>socketdaemon.listener.NAME</c>: the listening socket of listener NAME.</summary>
    Listener,

    /// <summary><c>socketdaemon.connection.ID.FRAMING.LISTENER</c>: an open client connection.</summary>
    Connection,

    /// <summary><c>socketdaemon.pending.ID</c>: a memfd with the bytes of connection ID read but not yet a message.</summary>
    Pending,
}

/// <summary>
/// The <c>FDNAME=</c> of every descriptor the daemon stores: the state the next process needs travels in the name,
/// so that a crash, which leaves no time to write anything, still leaves a store that explains itself.
/// </summary>
/// <remarks>
/// systemd accepts printable ASCII without <c>:</c> (it separates <c>$LISTEN_FDNAMES</c>), at most 255 characters
/// (<c>fdname_is_valid()</c> in systemd's <c>src/basic/fd-util.c</c>). Listener names come last so they may hold dots.
/// </remarks>
/// <param name="Kind">What the descriptor is.</param>
/// <param name="Listener">The listener it belongs to; empty for <see cref="StoredDescriptorKind.Pending"/>.</param>
/// <param name="ConnectionId">The connection's id, for connections and their pending bytes.</param>
/// <param name="Framing">What a connection speaks, as far as its reader has consumed bytes; <see cref="FramingKind.Auto"/> before that.</param>
internal sealed record StoredDescriptorName(StoredDescriptorKind Kind, string Listener, long ConnectionId = 0, FramingKind Framing = FramingKind.Auto)
{
    /// <summary>Every name the daemon stores starts so; other passed descriptors are sockets of socket units.</summary>
    public const string Prefix = "socketdaemon.";

    private const int MaxLength = 255;
    private const string ListenerPart = "listener.";
    private const string ConnectionPart = "connection.";
    private const string PendingPart = "pending.";

    public static StoredDescriptorName ForListener(string listener) => new(StoredDescriptorKind.Listener, listener);

    public static StoredDescriptorName ForConnection(long id, FramingKind framing, string listener) => new(StoredDescriptorKind.Connection, listener, id, framing);

    public static StoredDescriptorName ForPending(long id) => new(StoredDescriptorKind.Pending, string.Empty, id);

    /// <summary>Whether <paramref name="fdName"/> is one of the daemon's stored descriptors rather than a socket unit's.</summary>
    public static bool IsStored(string fdName) => fdName.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether systemd accepts <paramref name="fdName"/> as an <c>FDNAME=</c>.</summary>
    public static bool IsValid(string fdName) =>
        fdName.Length <= MaxLength && fdName.All(static c => c is >= ' ' and < (char)127 and not ':');

    public override string ToString() => Kind switch
    {
        StoredDescriptorKind.Listener => Prefix + ListenerPart + Listener,
        StoredDescriptorKind.Connection => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{ConnectionPart}{ConnectionId}.{Framing.ToString().ToLowerInvariant()}.{Listener}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{PendingPart}{ConnectionId}"),
    };

    /// <summary>Reads a name written by <see cref="ToString"/>; <see langword="null"/> for anything else.</summary>
    public static StoredDescriptorName? Parse(string fdName)
    {
        if (!IsStored(fdName))
        {
            return null;
        }

        var rest = fdName.AsSpan(Prefix.Length);
        if (rest.StartsWith(ListenerPart, StringComparison.Ordinal) && rest.Length > ListenerPart.Length)
        {
            return ForListener(rest[ListenerPart.Length..].ToString());
        }

        if (rest.StartsWith(PendingPart, StringComparison.Ordinal))
        {
            return TryParseId(rest[PendingPart.Length..], out var pendingId) ? ForPending(pendingId) : null;
        }

        if (!rest.StartsWith(ConnectionPart, StringComparison.Ordinal))
        {
            return null;
        }

        rest = rest[ConnectionPart.Length..];
        var dot = rest.IndexOf('.');
        if (dot < 0 || !TryParseId(rest[..dot], out var id))
        {
            return null;
        }

        rest = rest[(dot + 1)..];
        dot = rest.IndexOf('.');
        return dot > 0 && dot < rest.Length - 1
            && Enum.TryParse<FramingKind>(rest[..dot], ignoreCase: true, out var framing)
            && framing is FramingKind.Auto or FramingKind.Seed or FramingKind.Lines or FramingKind.Octet or FramingKind.Nul or FramingKind.Native
            && !char.IsDigit(rest[0])
            ? ForConnection(id, framing, rest[(dot + 1)..].ToString())
            : null;
    }

    private static bool TryParseId(ReadOnlySpan<char> text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
}
