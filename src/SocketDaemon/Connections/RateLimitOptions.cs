using SocketDaemon.Configuration;
namespace SocketDaemon.Connections;

/// <summary>A token bucket on messages: <see cref="Burst"/> at once, refilled at <see cref="MessagesPerSecond"/>.</summary>
public sealed class RateLimitOptions
{
    /// <summary>How many messages per second the bucket refills.</summary>
    public int MessagesPerSecond { get; set; } = 1000;

    /// <summary>How many messages the bucket holds: a burst after a quiet period.</summary>
    /// <remarks>Defaults to <see langword="null"/>: one second's worth, <see cref="MessagesPerSecond"/>.</remarks>
    public int? Burst { get; set; }

    /// <summary>What happens to a message over the limit.</summary>
    /// <remarks>Defaults to <see cref="RateLimitAction.Delay"/>: nothing is lost, the sender is slowed.</remarks>
    public RateLimitAction Action { get; set; } = RateLimitAction.Delay;

    /// <summary>Whether each peer has its own bucket, or the listener one for all.</summary>
    /// <remarks>Defaults to <see cref="RateLimitScope.Peer"/>.</remarks>
    public RateLimitScope Per { get; set; } = RateLimitScope.Peer;

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(MessagesPerSecond), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(Burst), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(Action), ConfigurationShape.Value(ValueForm.Enum<RateLimitAction>())),
        (nameof(Per), ConfigurationShape.Value(ValueForm.Enum<RateLimitScope>())));
}
