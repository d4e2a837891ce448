namespace SocketDaemon.Client.Spooling;

/// <summary>Options for a <see cref="DiskSpool"/>.</summary>
public sealed class DiskSpoolOptions
{
    /// <summary>The size at which the spool starts a new segment file.</summary>
    /// <remarks>Defaults to 16 MiB. A segment is deleted once every record in it is acknowledged.</remarks>
    public long SegmentBytes { get; set; } = 16L << 20;

    /// <summary>The most the segment files may hold together; an append past it throws <see cref="SpoolFullException"/>.</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>The largest record; a longer length read back is a torn or corrupt record.</summary>
    /// <remarks>Defaults to 64 MiB.</remarks>
    public int MaxRecordBytes { get; set; } = 64 << 20;

    /// <summary>What <see cref="DiskSpool.Commit"/> waits for.</summary>
    /// <remarks>Defaults to <see cref="SpoolDurability.Flush"/>.</remarks>
    public SpoolDurability Durability { get; set; } = SpoolDurability.Flush;
}
