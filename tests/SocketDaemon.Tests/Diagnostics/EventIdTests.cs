using System.Reflection;
using System.Text.RegularExpressions;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Tests.Diagnostics;

/// <summary>The daemon's event ids: one table, no value twice, and every <c>[LoggerMessage]</c> takes its id from it.</summary>
public partial class EventIdTests
{
    private static readonly FieldInfo[] Table = typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(int))
        .ToArray();

    [Fact]
    public void No_two_constants_of_the_table_share_a_value()
    {
        Assert.NotEmpty(Table);
        var clashes = Table.GroupBy(field => (int)field.GetRawConstantValue()!)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(field => field.Name))}")
            .ToArray();
        Assert.True(clashes.Length == 0, "event ids used twice in EventIds: " + string.Join("; ", clashes));
    }

    [Fact]
    public void Every_LoggerMessage_of_the_daemon_names_a_constant_of_the_table_no_other_one_does()
    {
        var sources = Path.Combine(RepositoryRoot(), "src", "SocketDaemon");
        var problems = new List<string>();
        var users = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var relative = Path.GetRelativePath(sources, file);
            foreach (Match attribute in LoggerMessageAttribute().Matches(text))
            {
                var line = text.AsSpan(0, attribute.Index).Count('\n') + 1;
                var id = EventIdArgument().Match(attribute.Groups["arguments"].Value);
                if (!id.Success)
                {
                    problems.Add($"{relative}:{line}: [LoggerMessage] without an EventIds constant as its event id");
                    continue;
                }

                var name = id.Groups["name"].Value;
                if (!users.TryGetValue(name, out var places))
                {
                    users[name] = places = [];
                }

                places.Add($"{relative}:{line}");
            }
        }

        var table = Table.Select(field => field.Name).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(users.Where(user => !table.Contains(user.Key)).Select(user => $"EventIds.{user.Key} is not in the table"));
        problems.AddRange(users.Where(user => user.Value.Count > 1).Select(user => $"EventIds.{user.Key} is used by {string.Join(" and ", user.Value)}"));
        problems.AddRange(table.Where(name => !users.ContainsKey(name)).Select(name => $"EventIds.{name} is used by no [LoggerMessage]"));

        // The scan must have seen the daemon's logging, or it proves nothing.
        Assert.True(users.Count >= Table.Length / 2, $"only {users.Count} [LoggerMessage] attributes found under {sources}");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SocketDaemon.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("the repository root is not above the test binaries");
    }

    // An attribute starts its line (a comment that names one does not); its arguments run up to the first ")]",
    // since the messages' own parentheses are followed by a quote, not a bracket.
    [GeneratedRegex(@"^[ \t]*\[LoggerMessage(?:Attribute)?(?:\((?<arguments>.*?)\))?\]", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex LoggerMessageAttribute();

    // The id is the first positional argument or the EventId property, and a constant of the table, never a number.
    [GeneratedRegex(@"(?:^\s*|\bEventId\s*=\s*)EventIds\.(?<name>\w+)\s*(?:,|$)")]
    private static partial Regex EventIdArgument();
}
