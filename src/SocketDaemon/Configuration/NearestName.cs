using SocketDaemon.Client.Internal;

namespace SocketDaemon.Configuration;

/// <summary>The known name closest to a misspelt one, for "did you mean MaxMessageBytes?".</summary>
internal static class NearestName
{
    /// <summary>The candidate nearest <paramref name="name"/> by edit distance, if near enough to be the one meant.</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance.Between(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // A third of the name, at least one edit: "Pipline" finds Pipeline, "Path" does not find Pid.
        return bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
    }

    /// <summary>" (did you mean X?)", or nothing.</summary>
    public static string Hint(string name, IEnumerable<string> candidates, string prefix = "") =>
        Find(name, candidates) is { } nearest ? $" (did you mean {prefix}{nearest}?)" : string.Empty;
}
