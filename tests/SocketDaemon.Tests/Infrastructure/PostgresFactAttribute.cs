namespace SocketDaemon.Tests.Infrastructure;

/// <summary>A test against the real PostgreSQL: skipped, with the reason, only where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Missing() is { } reason)
        {
            Skip = reason;
        }
    }
}
