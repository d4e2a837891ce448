using System.Text.RegularExpressions;
using SocketDaemon.Configuration;

namespace SocketDaemon.Sinks;

/// <summary>
/// Serilog.Settings.Configuration's SelfLog lines about a section it could not apply, as one line an operator acts on:
/// the name or argument that is wrong, the nearest right one, and what there is.
/// </summary>
internal static partial class SelfLogProblem
{
    /// <summary>The line for <paramref name="selfLog"/> (a SelfLog message, its timestamp removed) about <paramref name="section"/>.</summary>
    public static string Describe(string section, string selfLog)
    {
        var lines = selfLog.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var candidates = lines.Skip(1).ToList();
        if (lines.Length > 0 && MissingArguments().Match(lines[0]) is { Success: true } arguments)
        {
            var name = arguments.Groups["name"].Value;
            var known = candidates.SelectMany(c => ParameterList().Match(c) is { Success: true } p ? p.Groups["parameters"].Value.Split(", ") : [])
                .Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var unknown = arguments.Groups["arguments"].Value.Split(", ").Select(a => a.Trim()).Where(a => !known.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
            var wrong = unknown.Count == 0
                ? "these arguments together"
                : string.Join(", ", unknown.Select(a => $"'{a}'{NearestName.Hint(a, known)}"));
            return $"{section}:WriteTo: the sink {name} takes no {wrong}; its arguments are {string.Join(", ", known)}";
        }

        if (lines.Length > 0 && MissingMethod().Match(lines[0]) is { Success: true } method)
        {
            var name = method.Groups["name"].Value;
            var known = candidates.Select(c => MethodName().Match(c)).Where(m => m.Success).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToList();
            return $"{section}: no sink or enricher is called {name}{NearestName.Hint(name, known)}; there are {string.Join(", ", known)}";
        }

        return $"{section}: {(lines.Length > 0 ? lines[0] : selfLog)}";
    }

    [GeneratedRegex(@"^Unable to find a method called (?<name>\S+) for supplied arguments: (?<arguments>.*?)\. Candidate methods are:")]
    private static partial Regex MissingArguments();

    [GeneratedRegex(@"^Unable to find a method called (?<name>[^\s.]+)\. Candidate methods are:")]
    private static partial Regex MissingMethod();

    [GeneratedRegex(@"^\w+\((?<parameters>[^)]*)\)$")]
    private static partial Regex ParameterList();

    [GeneratedRegex(@"\s(?<name>\w+)\(")]
    private static partial Regex MethodName();
}
