using SocketDaemon.Configuration;

namespace SocketDaemon.Pipeline;

/// <summary>What a step's validator is given: where the step is, the root settings, and where to say what is wrong.</summary>
public sealed class PipelineStepValidation
{
    private readonly List<string> _failures;
    private readonly Dictionary<string, string> _claims;

    internal PipelineStepValidation(string key, SharedSettings options, List<string> failures, Dictionary<string, string> claims)
    {
        Key = key;
        Options = options;
        _failures = failures;
        _claims = claims;
    }

    /// <summary>The step's configuration path, such as <c>SocketDaemon:Pipeline:2</c>.</summary>
    public string Key { get; }

    /// <summary>The section's root settings, for what a step takes from elsewhere (directories, durability).</summary>
    public SharedSettings Options { get; }

    /// <summary>Reports that the step's <paramref name="setting"/> is wrong, and why.</summary>
    public void Fail(string setting, string why) => _failures.Add($"{Key}:{setting}: {why}");

    /// <summary>
    /// Claims <paramref name="resource"/> (a spool directory) for this step; <see langword="false"/> with the key of the
    /// step that claimed it first, for resources that can have one user only.
    /// </summary>
    public bool TryClaim(string resource, out string claimedBy)
    {
        if (_claims.TryAdd(resource, Key))
        {
            claimedBy = Key;
            return true;
        }

        claimedBy = _claims[resource];
        return false;
    }
}
