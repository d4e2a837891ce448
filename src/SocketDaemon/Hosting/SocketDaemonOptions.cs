using SocketDaemon.Connections;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Pipeline;
using SocketDaemon.Systemd;
using SocketDaemon.Configuration;
using SocketDaemon.Listeners;

namespace SocketDaemon.Hosting;

/// <summary>The <c>SocketDaemon</c> configuration section.</summary>
public sealed class SocketDaemonOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = SharedSettings.SectionName;

    /// <summary>The listeners, by name.</summary>
    /// <remarks>Defaults to none configured, which means the built-in Unix socket and TCP on 127.0.0.1:7777.</remarks>
    public Dictionary<string, ListenerOptions> Listeners { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Limits that apply to every listener unless the listener sets its own.</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Messages that are commands to the daemon rather than messages to log.</summary>
    public CommandsOptions Commands { get; set; } = new();

    /// <summary>The ordered handlers every message runs through.</summary>
    /// <remarks>Defaults to <c>Commands</c> then <c>Log</c>.</remarks>
    public List<PipelineStepOptions> Pipeline { get; set; } = [];

    /// <summary>NATS: credentials, TLS and streams for <c>Nats</c> steps and <c>nats://</c> listeners.</summary>
    public Nats.NatsOptions Nats { get; set; } = new();

    /// <summary>Where the message log and the operational log are written.</summary>
    /// <remarks>Defaults to systemd's <c>LOGS_DIRECTORY</c> when set, else <c>./logs</c>.</remarks>
    public string? LogDirectory { get; set; }

    /// <summary>How the message log files are named, compressed and kept.</summary>
    public Pipeline.MessageLog.LogFileOptions LogFiles { get; set; } = new();

    /// <summary>Where the daemon keeps what must outlive it: native-protocol sessions and <c>Forward</c> spools.</summary>
    /// <remarks>Defaults to systemd's <c>STATE_DIRECTORY</c> when set, else <c>state</c> under <see cref="LogDirectory"/>.</remarks>
    public string? StateDirectory { get; set; }

    /// <summary>What must be true of a message before the native protocol acknowledges it.</summary>
    /// <remarks>Defaults to <see cref="MessageDurability.Flush"/>.</remarks>
    public MessageDurability Durability { get; set; } = MessageDurability.Flush;

    /// <summary>How the daemon works with systemd beyond socket activation and notifications.</summary>
    public SystemdOptions Systemd { get; set; } = new();

    /// <summary>How long a stop may spend finishing the frames that connections are still sending.</summary>
    /// <remarks>Defaults to 10 seconds. Connections still busy after it are closed.</remarks>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The root settings many folders share (directories, durability, shutdown timeout).</summary>
    internal SharedSettings SharedPart() => new()
    {
        LogDirectory = LogDirectory,
        StateDirectory = StateDirectory,
        Durability = Durability,
        ShutdownTimeout = ShutdownTimeout,
    };

    /// <summary>The listeners and the limits they share.</summary>
    internal ListenerSet ListenerPart() => new() { Listeners = Listeners, Limits = Limits };

    /// <summary>The pipeline's steps.</summary>
    internal PipelineSteps PipelinePart() => new() { Steps = Pipeline };

    /// <summary>The keys of this section, and the form of their values; a pipeline step's keys are its handler's <paramref name="stepShape"/>.</summary>
    internal static ConfigurationShape Shape(Func<string, ConfigurationShape?> stepShape) => ConfigurationShape.Object(
        (nameof(Listeners), ConfigurationShape.Map(ListenerOptions.Shape())),
        (nameof(Limits), LimitsOptions.Shape()),
        (nameof(Commands), CommandsOptions.Shape()),
        (nameof(Pipeline), ConfigurationShape.Steps(stepShape)),
        (nameof(Nats), global::SocketDaemon.Nats.NatsOptions.Shape()),
        (nameof(LogDirectory), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(StateDirectory), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Durability), ConfigurationShape.Value(ValueForm.Enum<MessageDurability>())),
        (nameof(Systemd), SystemdOptions.Shape()),
        (nameof(LogFiles), global::SocketDaemon.Pipeline.MessageLog.LogFileOptions.Shape()),
        (nameof(ShutdownTimeout), ConfigurationShape.Value(ValueForm.Duration)));
}
