namespace SocketDaemon.Hosting.Configuration;

/// <summary>
/// What the configuration check found while the options were being bound (keys nothing reads, values of the wrong
/// form): kept here until <see cref="ConfigurationProblemsValidator"/> reports them with every other failure, so
/// that start-up and <c>--check</c> list all problems at once.
/// </summary>
internal sealed class ConfigurationProblems
{
    private List<string> _problems = [];

    /// <summary>The problems of the last binding.</summary>
    public IReadOnlyList<string> Current => _problems;

    /// <summary>Replaces the problems with those of a new binding.</summary>
    public void Set(List<string> problems) => _problems = problems;
}
