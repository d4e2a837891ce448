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

    /// <summary>The test also needs a loop device (<c>/dev/loop-control</c>), which some containers do not have.</summary>
    public bool NeedsLoopDevice
    {
        get => field;
        set
        {
            field = value;
            if (value && Skip is null && !File.Exists("/dev/loop-control"))
            {
                Skip = "real-systemd tier: this test needs a loop device and /dev/loop-control is missing";
            }
        }
    }
}
