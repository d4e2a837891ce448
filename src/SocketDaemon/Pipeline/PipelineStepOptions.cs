namespace SocketDaemon.Pipeline;

/// <summary>One entry of the <c>Pipeline</c> list: which handler, and its own settings beside <see cref="Handler"/>.</summary>
public sealed class PipelineStepOptions
{
    /// <summary>The handler's name, such as <c>Commands</c> or <c>Log</c>.</summary>
    public string? Handler { get; set; }

    /// <summary>Matches messages that arrived on this listener.</summary>
    public string? Listener { get; set; }

    /// <summary>Matches messages from a local peer with this user id (<c>SO_PEERCRED</c>).</summary>
    public uint? Uid { get; set; }

    /// <summary>Matches messages from a local peer with this process id.</summary>
    public int? Pid { get; set; }

    /// <summary>Matches messages from a local peer whose process is named this (<c>/proc/PID/comm</c>).</summary>
    public string? Comm { get; set; }

    /// <summary>Matches messages from a remote peer with this IP address.</summary>
    public string? Address { get; set; }

    /// <summary>Matches messages whose text this .NET regular expression finds a match in.</summary>
    public string? Match { get; set; }

    /// <summary>Matches messages of this severity or a more urgent one (<c>warning</c> takes <c>emerg</c> to <c>warning</c>); needs a <c>Parse</c> step before.</summary>
    public string? Severity { get; set; }

    /// <summary>Matches messages of this facility, or of any in a comma-separated list (<c>auth, authpriv</c>); needs a <c>Parse</c> step before.</summary>
    public string? Facility { get; set; }

    /// <summary>Matches messages whose APP-NAME (RFC 3164 TAG) is this; needs a <c>Parse</c> step before.</summary>
    public string? AppName { get; set; }

    /// <summary>Matches messages whose sender's host name is this (case-insensitive); needs a <c>Parse</c> step before.</summary>
    public string? Hostname { get; set; }

    /// <summary>
    /// For a <c>Parse</c> step: <c>syslog</c>, <c>json</c> or <c>auto</c> (<see cref="Syslog.ParseFormat"/>). For a
    /// <c>Log</c> step: <c>text</c> (the default) or <c>json</c>, one JSON object per line (<c>docs/json-format.md</c>).
    /// </summary>
    public string? Format { get; set; }

    /// <summary>For a <c>Filter</c> step: <c>drop</c> the messages that match, or <c>keep</c> only those.</summary>
    /// <remarks>Defaults to <c>drop</c>.</remarks>
    public string? Action { get; set; }

    /// <summary>
    /// For a <c>Log</c> step with match conditions: whether the messages it writes go no further (the way a
    /// syslog-ng <c>log</c> path with <c>flags(final)</c> ends).
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>For an <c>Exec</c> step: the program to run.</summary>
    public string? Command { get; set; }

    /// <summary>For an <c>Exec</c> step: its arguments.</summary>
    public List<string> Args { get; set; } = [];

    /// <summary>For an <c>Exec</c> step: <c>transform</c> (the reply replaces the message) or <c>consume</c> (the child ends the pipeline).</summary>
    /// <remarks>Defaults to <c>transform</c>.</remarks>
    public string? Mode { get; set; }

    /// <summary>For an <c>Exec</c> step in consume mode: whether each message waits for the child's <c>OK</c>.</summary>
    public bool ConfirmWithOk { get; set; }

    /// <summary>For an <c>Exec</c> step: how long the child may take to answer.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan? Timeout { get; set; }

    /// <summary>For a <c>Nats</c> step: the NATS server.</summary>
    /// <remarks>Defaults to <c>SocketDaemon:Nats:Url</c>.</remarks>
    public string? Url { get; set; }

    /// <summary>For a <c>Nats</c> step: the subject, with placeholders from the message, such as <c>logs.{Host}.{Listener}</c>.</summary>
    public string? Subject { get; set; }

    /// <summary>For a <c>Nats</c> step: the JetStream stream that stores the subject (created if missing).</summary>
    public string? Stream { get; set; }

    /// <summary>For a <c>Serilog</c> step: the configuration section naming its sinks.</summary>
    /// <remarks>Defaults to <c>Serilog:Messages</c>.</remarks>
    public string? Section { get; set; }

    /// <summary>For a <c>Log</c> step: the file, relative to the log directory, that messages are written to.</summary>
    /// <remarks>Defaults to <c>messages.log</c>; rolling inserts the date before the extension.</remarks>
    public string? Path { get; set; }

    /// <summary>For a <c>Log</c> step: the Serilog output template of each line.</summary>
    /// <remarks>Defaults to <see cref="Handlers.LogHandler.DefaultOutputTemplate"/>.</remarks>
    public string? OutputTemplate { get; set; }

    /// <summary>For a <c>Log</c> step: how many rolled files to keep.</summary>
    /// <remarks>Defaults to 31.</remarks>
    public int? RetainedFileCountLimit { get; set; }

    /// <summary>For a <c>Log</c> step: the size at which a file rolls over to the next.</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long? FileSizeLimitBytes { get; set; }

    /// <summary>For a <c>Forward</c> step: the daemons to send messages to (<c>unix:/path</c>, <c>tcp://host:port</c>).</summary>
    public List<string> Upstreams { get; set; } = [];

    /// <summary>For a <c>Forward</c> step: <c>failover</c> (the first upstream that is up) or <c>roundrobin</c> (all in turn).</summary>
    /// <remarks>Defaults to <c>failover</c>.</remarks>
    public string? Balance { get; set; }

    /// <summary>
    /// For a <c>Forward</c> or <c>Nats</c> step: when the sender's message counts as committed. <c>Forward</c>:
    /// <c>downstream</c> (the next hop has logged it; the default) or <c>local</c> (it is in this daemon's spool,
    /// forwarded from there in the background). <c>Nats</c>: <c>nats</c> (JetStream has stored it; the default) or
    /// <c>local</c> (the step has taken it).
    /// </summary>
    public string? Acknowledge { get; set; }

    /// <summary>For a <c>Forward</c> step: the most messages in one batch to an upstream.</summary>
    /// <remarks>Defaults to 512.</remarks>
    public int? BatchSize { get; set; }

    /// <summary>For a <c>Forward</c> step: how long a batch may wait to fill before it goes.</summary>
    /// <remarks>Defaults to 0: what is there goes at once; under load batches fill while earlier ones are in flight.</remarks>
    public TimeSpan? BatchDelay { get; set; }

    /// <summary>For a <c>Forward</c> step: the spool directory.</summary>
    /// <remarks>Defaults to <c>spool/forward</c> under <c>StateDirectory</c>.</remarks>
    public string? Spool { get; set; }

    /// <summary>For a <c>Forward</c> step: the most the spool may hold; past it messages are refused (<c>Busy</c>).</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long? SpoolMaxBytes { get; set; }

    /// <summary>For a <c>Forward</c> step with <c>tls://</c> upstreams: a PEM file of the CAs their certificates must chain to.</summary>
    /// <remarks>Defaults to the system's trusted roots.</remarks>
    public string? TlsCaFile { get; set; }

    /// <summary>For a <c>Forward</c> step: a PEM file of the client certificate (with its key, or see <see cref="TlsKeyFile"/>) shown to upstreams that ask.</summary>
    /// <remarks>Defaults to none.</remarks>
    public string? TlsCertificateFile { get; set; }

    /// <summary>For a <c>Forward</c> step: a PEM file of the client certificate's private key, when it is not in <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>For a <c>Forward</c> step: the name the upstreams' certificates must carry.</summary>
    /// <remarks>Defaults to each upstream's host.</remarks>
    public string? TlsServerName { get; set; }
}
