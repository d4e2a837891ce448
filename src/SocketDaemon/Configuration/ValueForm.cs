using System.Globalization;

namespace SocketDaemon.Configuration;

/// <summary>
/// What a configuration value must look like, checked before binding so that a wrong one is named with the form it
/// should have (<c>"64k"</c>: a number of bytes, such as 65536) rather than with the .NET type the binder wanted.
/// </summary>
internal sealed class ValueForm
{
    private readonly Func<string, bool> _accepts;

    // For a choice of two: "'x' is neither a nor b".
    private readonly string? _neither;

    private ValueForm(string description, Func<string, bool> accepts, string? neither = null)
    {
        Description = description;
        _accepts = accepts;
        _neither = neither;
    }

    /// <summary>Says what the value should be, as in "'64k' is not {Description}".</summary>
    public string Description { get; }

    /// <summary>Any text.</summary>
    public static ValueForm Text { get; } = new("text", static _ => true);

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public static ValueForm Boolean { get; } = new("true or false", static s => bool.TryParse(s, out _), "true nor false");

    /// <summary>A whole number.</summary>
    public static ValueForm Number { get; } = new("a whole number, such as 5", static s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    /// <summary>A whole number that fits an <see cref="int"/>.</summary>
    public static ValueForm Int32 { get; } = new("a whole number, such as 5", static s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    /// <summary>A user or process id.</summary>
    public static ValueForm UInt32 { get; } = new("a whole number, such as 1000", static s => uint.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    /// <summary>A size that fits an <see cref="int"/>.</summary>
    public static ValueForm Bytes32 { get; } = new("a number of bytes, such as 65536", static s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    /// <summary>A size that fits a <see cref="long"/>.</summary>
    public static ValueForm Bytes { get; } = new("a number of bytes, such as 1073741824", static s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    /// <summary>A number, maybe with a fraction.</summary>
    public static ValueForm Decimal { get; } = new("a number, such as 240", static s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    /// <summary>A <see cref="TimeSpan"/> as the binder reads it.</summary>
    public static ValueForm Duration { get; } = new("a duration hh:mm:ss, such as 00:05:00", static s => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out _));

    /// <summary>One of the names of <typeparamref name="TEnum"/>, in any case, as the binder takes them.</summary>
    public static ValueForm Enum<TEnum>()
        where TEnum : struct, Enum
    {
        var names = System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToArray();
        var description = names.Length == 2 ? $"{names[0]} or {names[1]}" : $"one of {string.Join(", ", names)}";
        return new(description, s => names.Contains(s.Trim(), StringComparer.OrdinalIgnoreCase), names.Length == 2 ? $"{names[0]} nor {names[1]}" : null);
    }

    /// <summary>Whether the binder would take <paramref name="value"/>; empty is taken (JSON <c>null</c> leaves the default).</summary>
    public bool Accepts(string value) => value.Length == 0 || _accepts(value);

    /// <summary>The problem with <paramref name="value"/> at <paramref name="path"/>, in the one-line form start-up prints.</summary>
    public string Problem(string path, string value) =>
        _neither is not null ? $"{path}: '{value}' is neither {_neither}" : $"{path}: '{value}' is not {Description}";
}
