namespace SocketDaemon.Client.Spooling;

/// <summary>What must be true of a spooled record before <see cref="DiskSpool.Commit"/> returns.</summary>
public enum SpoolDurability
{
    /// <summary>Handed to the kernel (write(2) returned): survives the process being killed, not the machine losing power.</summary>
    Flush,

    /// <summary>On disk (fsync(2) returned): survives power loss too. Concurrent commits share one fsync.</summary>
    Fsync,
}
