namespace SocketDaemon.Framing;

/// <summary>What <see cref="FrameReader.Read"/> found at the start of its input.</summary>
public enum FrameResult
{
    /// <summary>No complete frame yet: read more.</summary>
    Incomplete,

    /// <summary>A message.</summary>
    Message,

    /// <summary>The first <c>MaxMessageBytes</c> of an oversize frame; the rest is skipped.</summary>
    Truncated,

    /// <summary>An oversize frame was dropped (or its skipping begun); read on.</summary>
    Dropped,
}
