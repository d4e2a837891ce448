namespace SocketDaemon.Pipeline;

/// <summary>
/// What handlers keep per connection beside its messages, one object per type, as ASP.NET Core's
/// <c>IFeatureCollection</c>: a handler sets its state on a connection's first message and gets it back on the next
/// ones, with no allocation and no lookup by hash (each type has its own slot).
/// </summary>
public sealed class MessageFeatures
{
    private object?[] _items = [];
    private IMessageBatchFeature[] _batched = [];

    /// <summary>The feature of type <typeparamref name="T"/>, or null when none was set.</summary>
    public T? Get<T>()
        where T : class
    {
        var index = Slot<T>.Index;
        var items = _items;
        return index < items.Length ? (T?)items[index] : null;
    }

    /// <summary>
    /// The feature in <paramref name="slot"/> (<see cref="SlotOf{T}"/>), or null: for a handler that looks its state up
    /// for every message, with no generic lookup of the slot.
    /// </summary>
    public object? Get(int slot)
    {
        var items = _items;
        return (uint)slot < (uint)items.Length ? items[slot] : null;
    }

    /// <summary>The slot of the feature of type <typeparamref name="T"/>, for <see cref="Get(int)"/>.</summary>
    public static int SlotOf<T>()
        where T : class => Slot<T>.Index;

    /// <summary>Sets the feature of type <typeparamref name="T"/>; one that keeps lines for a batch is flushed with it.</summary>
    public void Set<T>(T feature)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(feature);
        var index = Slot<T>.Index;
        if (index >= _items.Length)
        {
            Array.Resize(ref _items, Math.Max(index + 1, Slots.Count));
        }

        if (_items[index] is IMessageBatchFeature old)
        {
            _batched = Array.FindAll(_batched, b => !ReferenceEquals(b, old));
        }

        _items[index] = feature;
        if (feature is IMessageBatchFeature batched)
        {
            _batched = [.. _batched, batched];
        }
    }

    /// <summary>Hands on what the features kept for the batch that ends (<see cref="MessageContext.FlushAsync"/>).</summary>
    internal async ValueTask FlushAsync(MessageContext context)
    {
        foreach (var feature in _batched)
        {
            await feature.FlushAsync(context);
        }
    }

    private static class Slots
    {
        public static int Count;
    }

    private static class Slot<T>
    {
        public static readonly int Index = Interlocked.Increment(ref Slots.Count) - 1;
    }
}
