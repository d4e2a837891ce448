namespace SocketDaemon.Configuration;

/// <summary>What "written" means before the daemon acknowledges a batch of the native protocol.</summary>
public enum MessageDurability
{
    /// <summary>Handed to the kernel (write(2) returned): survives the daemon being killed, not the machine losing power.</summary>
    Flush,

    /// <summary>On disk (fsync(2) returned): survives power loss too. Concurrent batches share one fsync (group commit).</summary>
    Fsync,
}
