using System.Buffers;

namespace SocketDaemon.Client.Protocol;

/// <summary>One frame: its type and body. The body points into the receive buffer until the reader advances past it.</summary>
public readonly struct NativeFrame
{
    /// <summary>Creates a frame.</summary>
    public NativeFrame(NativeFrameType type, ReadOnlySequence<byte> body)
    {
        Type = type;
        Body = body;
    }

    /// <summary>The frame's type.</summary>
    public NativeFrameType Type { get; }

    /// <summary>The bytes after the type byte.</summary>
    public ReadOnlySequence<byte> Body { get; }
}
