namespace SocketDaemon.Configuration;

/// <summary>
/// The settings at the root of the <c>SocketDaemon</c> section that many folders read: where the daemon writes, how
/// durably, and how long a stop may take. The composition root makes them from the bound, validated section.
/// </summary>
public sealed class SharedSettings
{
    /// <summary>The configuration section the daemon's settings are bound from.</summary>
    public const string SectionName = "SocketDaemon";

    /// <summary>Where the message log and the operational log are written, as configured.</summary>
    /// <remarks>Resolved by <see cref="DefaultLocations.LogDirectory"/>.</remarks>
    public string? LogDirectory { get; init; }

    /// <summary>Where the daemon keeps what must outlive it, as configured.</summary>
    /// <remarks>Resolved by <see cref="DefaultLocations.StateDirectory"/>.</remarks>
    public string? StateDirectory { get; init; }

    /// <summary>What must be true of a message before it is acknowledged.</summary>
    public MessageDurability Durability { get; init; } = MessageDurability.Flush;

    /// <summary>How long a stop may spend finishing the frames that connections are still sending.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
