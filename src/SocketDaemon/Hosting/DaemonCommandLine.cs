namespace SocketDaemon.Hosting;

/// <summary>What the <c>socketdaemon</c> command line says, apart from configuration keys.</summary>
/// <param name="ConfigFile">A JSON file read after <c>appsettings.json</c> (<c>--config</c>).</param>
/// <param name="Listen">Endpoints that replace the configured listeners (<c>--listen</c>, repeatable).</param>
/// <param name="LogDirectory">Where the logs go (<c>--log-dir</c>).</param>
/// <param name="ConfigurationArgs">Everything else, read as configuration: <c>--SocketDaemon:Limits:MaxMessageBytes=1024</c>.</param>
/// <param name="Check">Check the configuration and exit, without listening or writing logs (<c>--check</c>).</param>
public sealed record DaemonCommandLine(
    string? ConfigFile = null,
    IReadOnlyList<string>? Listen = null,
    string? LogDirectory = null,
    IReadOnlyList<string>? ConfigurationArgs = null,
    bool Check = false);
