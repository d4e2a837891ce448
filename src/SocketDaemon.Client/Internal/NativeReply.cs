using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Status;

namespace SocketDaemon.Client.Internal;

/// <summary>A reply from the daemon to one batch or request.</summary>
internal sealed record NativeReply(
    NativeFrameType Type,
    int Accepted = 0,
    IReadOnlyList<(int Index, NativeErrorCode Code)>? Errors = null,
    DaemonStatus? Status = null,
    NativeErrorCode Code = NativeErrorCode.None,
    string? Message = null,
    Tail.TailEvent? Tail = null);
