namespace SocketDaemon.Tests.SyslogOutput;

/// <summary>A test against a real syslog collector: skipped, with the reason, only where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CollectorFactAttribute : FactAttribute
{
    public CollectorFactAttribute(string collector)
    {
        if (SyslogCollector.Missing(collector) is { } reason)
        {
            Skip = reason;
        }
    }
}
