using System.Globalization;
using Microsoft.Extensions.Configuration;
using Serilog.Events;

namespace SocketDaemon.Sinks;

/// <summary>
/// The <c>Args</c> of one <c>WriteTo</c> entry, read by name as Serilog.Settings.Configuration matches them to a sink
/// method's parameters (case-insensitive; an empty value is <see langword="null"/>). Whatever was not asked for is
/// refused by <see cref="RejectOthers"/>, so a misspelt argument is one line at start and not a silent default.
/// </summary>
internal sealed class SinkArguments(IConfigurationSection args, string sink)
{
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    public string? String(string name)
    {
        _known.Add(name);
        var value = args[name];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public string Required(string name) => String(name) ?? throw Invalid(name, $"the {sink} sink needs it");

    /// <summary>Whether <paramref name="name"/> is there at all: an empty value (JSON null) is, and means no limit.</summary>
    public bool IsGiven(string name) => args[name] is not null;

    /// <summary>The failure naming the argument <paramref name="name"/>.</summary>
    public Exception Invalid(string name, string why) => ShippedSinks.Invalid($"{args.Path}:{name}", why);

    /// <summary>A level; absent, <see cref="LogEventLevel.Verbose"/>, Serilog's default for <c>restrictedToMinimumLevel</c>.</summary>
    public LogEventLevel Level(string name) =>
        Parse<LogEventLevel>(name, ShippedSinks.TryParseLevel, ShippedSinks.LevelNames) ?? LogEventLevel.Verbose;

    public bool? Boolean(string name) => Parse<bool>(name, bool.TryParse, "true or false");

    public int? Int32(string name) =>
        Parse(name, static (string s, out int n) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out n), "whole number");

    public long? Int64(string name) =>
        Parse(name, static (string s, out long n) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out n), "whole number");

    public TimeSpan? Duration(string name) =>
        Parse(name, static (string s, out TimeSpan t) => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out t), "duration (hh:mm:ss)");

    public TEnum? Enumeration<TEnum>(string name)
        where TEnum : struct, Enum =>
        Parse(name, static (string s, out TEnum e) => Enum.TryParse(s, ignoreCase: true, out e), $"{typeof(TEnum).Name} ({string.Join(", ", Enum.GetNames<TEnum>())})");

    /// <summary>An argument given as an object (<c>headers</c>, <c>resourceAttributes</c>): its keys and values.</summary>
    public Dictionary<string, string>? Map(string name)
    {
        _known.Add(name);
        var children = args.GetSection(name).GetChildren().ToList();
        return children.Count == 0 ? null : children.ToDictionary(c => c.Key, c => c.Value ?? string.Empty, StringComparer.Ordinal);
    }

    /// <summary>Refuses any argument the sink was not asked for, naming it and the ones it takes.</summary>
    public void RejectOthers()
    {
        foreach (var child in args.GetChildren())
        {
            if (!_known.Contains(child.Key))
            {
                throw ShippedSinks.Invalid(child.Path, $"the {sink} sink takes no such argument (it takes {string.Join(", ", _known)})");
            }
        }
    }

    private T? Parse<T>(string name, TryParse<T> parse, string what)
        where T : struct
    {
        var value = String(name);
        if (value is null)
        {
            return null;
        }

        return parse(value, out var parsed) ? parsed : throw Invalid(name, $"'{value}' is not a {what}");
    }

    private delegate bool TryParse<T>(string value, out T parsed);
}
