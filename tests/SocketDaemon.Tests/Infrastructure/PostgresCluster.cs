namespace SocketDaemon.Tests.Infrastructure;

/// <summary>The tests against <see cref="PostgresServer"/>: one cluster, one test at a time (a test may stop it).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCluster : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL cluster";
}
