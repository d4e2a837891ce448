using SocketDaemon.Client.Internal;

namespace SocketDaemon.Cli.Internal;

/// <summary>The "did you mean" of a mistyped command or option: the nearest known name, if near enough.</summary>
internal static class Suggestions
{
    /// <summary>The candidate nearest <paramref name="typed"/> by edit distance, when at most a third of it differs.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance.Between(typed, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(1, best.Length / 3) ? best : null;
    }
}
