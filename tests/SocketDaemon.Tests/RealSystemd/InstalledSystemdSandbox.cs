namespace SocketDaemon.Tests.RealSystemd;

/// <summary>
/// A sandbox with SocketDaemon installed as an operator installs it, <c>deploy/install.sh --from</c> a published
/// daemon, so its socket unit is enabled and listening; and a user <c>sdclient</c> in the <c>socketdaemon</c> group,
/// the client running as another user.
/// </summary>
public sealed class InstalledSystemdSandbox : SystemdSandbox
{
    public const string Socket = "/run/socketdaemon/socketdaemon.sock";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (Unavailable is not null)
        {
            return;
        }

        await RunOkAsync($"""
            {Repository}/deploy/install.sh --from {Published}
            useradd --create-home --groups socketdaemon sdclient
            systemctl is-active socketdaemon.socket
            """);
    }
}
