namespace SocketDaemon.Configuration;

/// <summary>
/// The keys an options class reads and the form of each value: the schema that configuration is checked against
/// before it is bound, so that a key nothing reads is refused rather than ignored. Each options class keeps its
/// own beside its properties (a hand-written list, trimming-safe); a test compares it with the properties.
/// </summary>
internal sealed class ConfigurationShape
{
    private ConfigurationShape(ShapeKind kind)
    {
        Kind = kind;
    }

    /// <summary>What kind of node this is.</summary>
    public ShapeKind Kind { get; }

    /// <summary>For a value: its form.</summary>
    public ValueForm? Form { get; private init; }

    /// <summary>For an object: its keys, case-insensitive as configuration keys are.</summary>
    public IReadOnlyDictionary<string, ConfigurationShape> Properties { get; private init; } = Empty;

    /// <summary>For a list or a map: the shape of each entry.</summary>
    public ConfigurationShape? Item { get; private init; }

    /// <summary>For a list of pipeline steps: the shape of a step given its <c>Handler</c>, or null for an unknown one.</summary>
    public Func<string, ConfigurationShape?>? StepShape { get; private init; }

    private static readonly Dictionary<string, ConfigurationShape> Empty = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Anything at all: the Serilog section and sink arguments, which their own readers check.</summary>
    public static ConfigurationShape Any { get; } = new(ShapeKind.Any);

    /// <summary>A value of <paramref name="form"/>.</summary>
    public static ConfigurationShape Value(ValueForm form) => new(ShapeKind.Value) { Form = form };

    /// <summary>An object with exactly these keys.</summary>
    public static ConfigurationShape Object(params (string Name, ConfigurationShape Shape)[] properties) =>
        new(ShapeKind.Object) { Properties = properties.ToDictionary(p => p.Name, p => p.Shape, StringComparer.OrdinalIgnoreCase) };

    /// <summary>An object with the keys of <paramref name="first"/> and of <paramref name="more"/>.</summary>
    public static ConfigurationShape Object(ConfigurationShape first, params (string Name, ConfigurationShape Shape)[] more) =>
        Object([.. first.Properties.Select(p => (Name: p.Key, Shape: p.Value)), .. more]);

    /// <summary>A list (keys 0, 1, ...) of <paramref name="item"/>.</summary>
    public static ConfigurationShape List(ConfigurationShape item) => new(ShapeKind.List) { Item = item };

    /// <summary>A list of values of <paramref name="form"/>.</summary>
    public static ConfigurationShape List(ValueForm form) => List(Value(form));

    /// <summary>A map from names the user chooses (listeners, streams) to <paramref name="item"/>.</summary>
    public static ConfigurationShape Map(ConfigurationShape item) => new(ShapeKind.Map) { Item = item };

    /// <summary>The <c>Pipeline</c> list: each step's keys depend on its <c>Handler</c>.</summary>
    public static ConfigurationShape Steps(Func<string, ConfigurationShape?> stepShape) => new(ShapeKind.Steps) { StepShape = stepShape };
}
