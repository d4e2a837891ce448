using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Nats;

/// <summary>A <c>Nats</c> step: where messages are published, and which (its conditions).</summary>
public sealed class NatsStepOptions : StepConditions
{
    /// <summary>With conditions: whether the messages it publishes go no further.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>The NATS server.</summary>
    /// <remarks>Defaults to <c>SocketDaemon:Nats:Url</c>.</remarks>
    public string? Url { get; set; }

    /// <summary>The subject, with placeholders from the message, such as <c>logs.{Host}.{Listener}</c>.</summary>
    /// <remarks>Defaults to <see cref="NatsServiceCollectionExtensions.DefaultSubject"/>.</remarks>
    public string? Subject { get; set; }

    /// <summary>The JetStream stream that stores the subject (created if missing).</summary>
    /// <remarks>Defaults to <see cref="NatsServiceCollectionExtensions.DefaultStream"/>.</remarks>
    public string? Stream { get; set; }

    /// <summary>When the sender's message counts as committed.</summary>
    /// <remarks>Defaults to <see cref="NatsAcknowledge.Nats"/>.</remarks>
    public NatsAcknowledge Acknowledge { get; set; } = NatsAcknowledge.Nats;

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Url), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Subject), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Stream), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Acknowledge), ConfigurationShape.Value(ValueForm.Enum<NatsAcknowledge>())));
}
