namespace SocketDaemon.Tests.Deployment;

/// <summary>
/// The tests that <c>dotnet publish</c> the daemon's project: one at a time, since each restores it for its runtime
/// identifier into the same <c>obj/project.assets.json</c>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DaemonPublishing
{
    public const string Name = "dotnet publish of the daemon";
}
