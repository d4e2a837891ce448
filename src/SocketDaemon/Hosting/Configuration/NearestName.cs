namespace SocketDaemon.Hosting.Configuration;

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
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
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

    // Optimal string alignment: Levenshtein plus transpositions, the commonest typo.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
