namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// A test that runs under a real systemd in a sandbox: skipped, with the reason, where the machine cannot boot one
/// (not root, no CAP_SYS_ADMIN, no systemd); bounded so that a hung unit fails the test instead of the run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealSystemdFactAttribute : FactAttribute
{
    public RealSystemdFactAttribute()
    {
        Timeout = 180_000;
        if (SystemdSandbox.Unavailable is { } reason)
        {
            Skip = "real-systemd tier cannot run on this machine: " + reason;
        }
    }
}
