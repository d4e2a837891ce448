namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// The real-systemd tier: every class in it boots its own systemd sandbox (tests/systemd/sandbox.sh), and the classes
/// run one at a time, since each sandbox is a whole booted system on a shared machine.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealSystemdTier
{
    public const string Name = "real systemd (sandbox)";
}
