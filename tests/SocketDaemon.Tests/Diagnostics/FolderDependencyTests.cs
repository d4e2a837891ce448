using System.Text.RegularExpressions;

namespace SocketDaemon.Tests.Diagnostics;

/// <summary>
/// How the daemon's top-level folders depend on each other, read from the sources: a file depends on the folders whose
/// namespaces it imports (<c>using SocketDaemon.X</c>) or names (<c>SocketDaemon.X.Type</c>), as namespace = folder.
/// </summary>
public partial class FolderDependencyTests
{
    [Fact]
    public void Nothing_depends_on_Hosting_the_composition_root()
    {
        var graph = ReadGraph();
        var into = graph.Where(edge => edge.Key.To == "Hosting" && edge.Key.From != "(root)")
            .Select(edge => $"{edge.Key.From} -> Hosting ({string.Join(", ", edge.Value.Take(3))})")
            .ToArray();
        Assert.True(graph.Keys.Any(edge => edge.From == "Hosting"), "the scan found no dependency of Hosting, so it proves nothing");
        Assert.True(into.Length == 0, "folders that depend on Hosting/: " + string.Join("; ", into));
    }

    [Fact]
    public void No_cycle_between_folders()
    {
        var graph = ReadGraph();
        var inCycles = EdgesInCycles(graph.Keys)
            .Select(edge => $"{edge.From} -> {edge.To} ({string.Join(", ", graph[edge].Take(3))})")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.True(graph.Count > 0, "the scan found no dependency between folders, so it proves nothing");
        Assert.True(inCycles.Length == 0, "dependencies that close a cycle between folders: " + string.Join("; ", inCycles));
    }

    [Fact]
    public void The_cycle_check_finds_a_cycle()
    {
        // A test of the test: two folders that use each other are one cycle, of two edges; a third that only uses them is in none.
        var edges = new[] { ("A", "B"), ("B", "A"), ("C", "A") };
        Assert.Equal([("A", "B"), ("B", "A")], EdgesInCycles(edges).Order().ToArray());
    }

    // Every edge whose ends are in one strongly connected component: the edges of some cycle.
    private static IEnumerable<(string From, string To)> EdgesInCycles(IEnumerable<(string From, string To)> edges)
    {
        var list = edges.ToList();
        var next = list.GroupBy(edge => edge.From).ToDictionary(group => group.Key, group => group.Select(edge => edge.To).ToList());
        bool Reaches(string from, string to)
        {
            var seen = new HashSet<string> { from };
            var queue = new Queue<string>([from]);
            while (queue.TryDequeue(out var node))
            {
                foreach (var target in next.GetValueOrDefault(node) ?? [])
                {
                    if (target == to)
                    {
                        return true;
                    }

                    if (seen.Add(target))
                    {
                        queue.Enqueue(target);
                    }
                }
            }

            return false;
        }

        return list.Where(edge => Reaches(edge.To, edge.From));
    }

    private static Dictionary<(string From, string To), List<string>> ReadGraph()
    {
        var sources = Path.Combine(RepositoryRoot(), "src", "SocketDaemon");
        var graph = new Dictionary<(string From, string To), List<string>>();
        var separator = Path.DirectorySeparatorChar;
        foreach (var file in Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{separator}obj{separator}", StringComparison.Ordinal) && !path.Contains($"{separator}bin{separator}", StringComparison.Ordinal)))
        {
            var relative = Path.GetRelativePath(sources, file);
            var from = relative.Contains(separator, StringComparison.Ordinal) ? relative[..relative.IndexOf(separator, StringComparison.Ordinal)] : "(root)";
            var text = File.ReadAllText(file);
            var targets = UsingDirective().Matches(text).Select(match => match.Groups["folder"].Value)
                .Concat(QualifiedName().Matches(text).Select(match => match.Groups["folder"].Value))
                .Where(folder => folder != from && folder != "Client")
                .ToHashSet(StringComparer.Ordinal);
            foreach (var to in targets)
            {
                if (!graph.TryGetValue((from, to), out var files))
                {
                    graph[(from, to)] = files = [];
                }

                files.Add(relative);
            }
        }

        return graph;
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

    // using SocketDaemon.X; using static SocketDaemon.X.Y; using Alias = SocketDaemon.X.Y; (SocketDaemon.Client is the client library).
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?SocketDaemon\.(?<folder>\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    // A type named with its namespace in code, such as SocketDaemon.Syslog.MessageFields.
    [GeneratedRegex(@"(?<![\w.])SocketDaemon\.(?<folder>\w+)\.")]
    private static partial Regex QualifiedName();
}
