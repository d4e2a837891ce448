using SocketDaemon.Configuration;
namespace SocketDaemon.Nats;

/// <summary>How the daemon creates a JetStream stream that does not exist yet (<c>SocketDaemon:Nats:Streams:NAME</c>).</summary>
public sealed class NatsStreamOptions
{
    /// <summary>The subjects the stream stores.</summary>
    /// <remarks>Defaults to the subject prefix of the step's <c>Subject</c> followed by <c>&gt;</c> (<c>logs.&gt;</c>), or a listener's <c>FilterSubject</c>.</remarks>
    public List<string> Subjects { get; set; } = [];

    /// <summary><c>file</c> or <c>memory</c>.</summary>
    public string Storage { get; set; } = "file";

    /// <summary><c>limits</c>, <c>interest</c> or <c>workqueue</c>.</summary>
    public string Retention { get; set; } = "limits";

    /// <summary>How long messages are kept; unlimited when not set.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>How many bytes the stream keeps; unlimited when not set.</summary>
    public long? MaxBytes { get; set; }

    /// <summary>Copies in a JetStream cluster.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>How long JetStream remembers a <c>Nats-Msg-Id</c> to drop a retried publish.</summary>
    /// <remarks>Defaults to 2 minutes, JetStream's own default.</remarks>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(Subjects), ConfigurationShape.List(ValueForm.Text)),
        (nameof(Storage), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(Retention), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(MaxAge), ConfigurationShape.Value(ValueForm.Duration)),
        (nameof(MaxBytes), ConfigurationShape.Value(ValueForm.Bytes)),
        (nameof(Replicas), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(DuplicateWindow), ConfigurationShape.Value(ValueForm.Duration)));
}
