using SocketDaemon.Connections;

namespace SocketDaemon.Listeners;

/// <summary>The listeners' part of the <c>SocketDaemon</c> section: the listeners by name and the limits they share.</summary>
public sealed class ListenerSet
{
    /// <summary>The listeners, by name.</summary>
    public IReadOnlyDictionary<string, ListenerOptions> Listeners { get; init; } = new Dictionary<string, ListenerOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Limits that apply to every listener unless the listener sets its own.</summary>
    public LimitsOptions Limits { get; init; } = new();
}
