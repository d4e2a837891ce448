using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline;

/// <summary>
/// The match conditions a step may set beside its own settings (<c>Filter</c>, <c>Log</c>, <c>Forward</c>,
/// <c>Nats</c>, <c>Serilog</c>): a message matches when it meets every condition given.
/// </summary>
public class StepConditions
{
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

    /// <summary>Reports a condition that cannot be compiled (an address that is none, a regular expression that does not parse).</summary>
    internal void Validate(PipelineStepValidation validation)
    {
        try
        {
            _ = MessageMatcher.Create(this);
        }
        catch (ArgumentException ex)
        {
            // The message is "Key: why", as MessageMatcher says it.
            var colon = ex.Message.IndexOf(": ", StringComparison.Ordinal);
            validation.Fail(ex.Message[..colon], ex.Message[(colon + 2)..]);
        }
    }

    /// <summary>The configuration keys of the conditions, with <c>Handler</c>: what every matching step's shape starts from.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        ("Handler", ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Listener), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Uid), ConfigurationShape.Value(ValueForm.UInt32)),
        (nameof(Pid), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(Comm), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Address), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Match), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Severity), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Facility), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(AppName), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Hostname), ConfigurationShape.Value(ValueForm.Text)));

    /// <summary>The keys of a step without conditions: <c>Handler</c> alone.</summary>
    internal static ConfigurationShape HandlerOnly() => ConfigurationShape.Object(("Handler", ConfigurationShape.Value(ValueForm.Text)));
}
