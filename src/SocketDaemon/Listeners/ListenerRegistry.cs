using SocketDaemon.Connections;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.Listeners;

/// <summary>The listeners the daemon has bound, for status reports and for tests to find their ports.</summary>
public sealed class ListenerRegistry : IListenerCommands
{
    private volatile BoundListener[] _listeners = [];

    /// <summary>The bound listeners, in configuration order.</summary>
    public IReadOnlyList<BoundListener> Listeners => _listeners;

    /// <summary>The listener named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such listener is bound.</exception>
    public BoundListener this[string name] =>
        Array.Find(_listeners, l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"No listener named '{name}' is bound.");

    /// <summary>The listener named <paramref name="name"/>, or <see langword="null"/>.</summary>
    internal BoundListener? Find(string name) => Array.Find(_listeners, l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public bool AllowsQuit(string listener) => Find(listener)?.AllowQuit != false;

    /// <summary>Whether every configured listener is bound and accepting; false before start and from the stop on.</summary>
    public bool Accepting { get; internal set; }

    internal void Set(IEnumerable<BoundListener> listeners) => _listeners = [.. listeners];

    /// <summary>The open stream connections, as the listeners' connection manager sees them.</summary>
    internal Func<IEnumerable<Client.Status.ConnectionStatus>> OpenConnections { get; set; } = static () => [];
}
