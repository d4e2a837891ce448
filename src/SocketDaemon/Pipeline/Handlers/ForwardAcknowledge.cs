namespace SocketDaemon.Pipeline.Handlers;

/// <summary>When a message a <c>Forward</c> step takes counts as committed to its sender.</summary>
public enum ForwardAcknowledge
{
    /// <summary>When the next hop has logged it.</summary>
    Downstream,

    /// <summary>When it is in this daemon's spool; it is forwarded from there in the background.</summary>
    Local,
}
