using SocketDaemon.Configuration;
namespace SocketDaemon.Pipeline.Handlers;

/// <summary>Who may stop the daemon by sending a message, and which message that is.</summary>
public sealed class QuitCommandOptions
{
    /// <summary>The user ids a peer always has with <see cref="AllowedUids"/>: the daemon's own user.</summary>
    public const string SelfUid = "self";

    /// <summary>The message text that stops the daemon.</summary>
    /// <remarks>Defaults to <c>quit</c>.</remarks>
    public string Message { get; set; } = "quit";

    /// <summary>Whether the command is recognised at all.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The user ids (<c>SO_PEERCRED</c>) of local peers that may stop the daemon: numbers, or <c>self</c> for the
    /// daemon's own user. From anyone else the message is logged like any other.
    /// </summary>
    /// <remarks>Defaults to <c>self</c> and <c>0</c> (root).</remarks>
    public List<string>? AllowedUids { get; set; }

    /// <summary>Whether peers on TCP, who have no credentials to check, may stop the daemon.</summary>
    /// <remarks>Defaults to <see langword="false"/>.</remarks>
    public bool AllowTcp { get; set; }

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(Message), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Enabled), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(AllowedUids), ConfigurationShape.List(ValueForm.Text)),
        (nameof(AllowTcp), ConfigurationShape.Value(ValueForm.Boolean)));
}
