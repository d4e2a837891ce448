using SocketDaemon.Configuration;

namespace SocketDaemon.Hosting.Configuration;

/// <summary>
/// Checks what the command line gives beside its own options: every argument must be a configuration key under a
/// section something reads (<c>--SocketDaemon:Limits:MaxMessageBytes=1024</c>), so that a misspelt option
/// (<c>--log-dri</c>) is refused with the nearest one instead of becoming a key nothing reads.
/// </summary>
internal static class CommandLineKeys
{
    /// <summary>The options <c>socketdaemon</c> itself takes.</summary>
    public static readonly IReadOnlyList<string> Options = ["--config", "--listen", "--log-dir", "--check", "--help", "--version"];

    // Sections something reads: the daemon's, the operational log's, and the generic host's own keys.
    private static readonly string[] Sections = [SocketDaemonOptions.SectionName, SocketDaemonHost.OperationalLogSection];
    private static readonly string[] HostKeys = ["environment", "applicationName", "contentRoot"];

    /// <summary>One line per argument that is neither an option nor a key something reads.</summary>
    public static List<string> Check(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var problems = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (!argument.StartsWith("--", StringComparison.Ordinal) && !argument.StartsWith('/'))
            {
                problems.Add(argument.StartsWith('-')
                    ? $"unknown option {argument}{NearestName.Hint(argument, Options)}"
                    : $"unexpected argument '{argument}'; configuration keys are given as --SocketDaemon:Section:Key=value");
                continue;
            }

            var key = argument[(argument.StartsWith('/') ? 1 : 2)..];
            var equals = key.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                key = key[..equals];
            }
            else if (i + 1 < arguments.Count)
            {
                i++; // "--Key value": the next argument is the value, as the command-line configuration reads it.
            }

            var colon = key.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                if (!HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add($"unknown option --{key}{NearestName.Hint("--" + key, Options)}");
                }

                continue;
            }

            var section = key[..colon];
            if (!Sections.Contains(section, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"--{key}: nothing reads the section {section}; configuration keys are under {string.Join(" or ", Sections)}{NearestName.Hint(section, Sections)}");
            }
        }

        return problems;
    }
}
