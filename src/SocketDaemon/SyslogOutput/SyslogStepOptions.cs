using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.SyslogOutput;

/// <summary>A <c>Syslog</c> step: the collectors messages are sent to, in which syslog format, and which messages (its conditions).</summary>
public sealed class SyslogStepOptions : StepConditions
{
    /// <summary>With conditions: whether the messages it takes go no further.</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool? Final { get; set; }

    /// <summary>The collectors (<c>tcp://host:port</c>, <c>tls://host:port</c>, <c>udp://host:port</c>); the first that is up takes the messages.</summary>
    public List<string> Upstreams { get; set; } = [];

    /// <summary>The syslog format written.</summary>
    /// <remarks>Defaults to <see cref="SyslogFormat.Rfc5424"/>.</remarks>
    public SyslogFormat Format { get; set; } = SyslogFormat.Rfc5424;

    /// <summary>The framing on <c>tcp://</c> and <c>tls://</c> connections.</summary>
    /// <remarks>Defaults to <see cref="SyslogFraming.Octet"/>.</remarks>
    public SyslogFraming Framing { get; set; } = SyslogFraming.Octet;

    /// <summary>The facility of a message that was not parsed (keyword, such as <c>user</c> or <c>local0</c>).</summary>
    /// <remarks>Defaults to <c>user</c>.</remarks>
    public string DefaultFacility { get; set; } = "user";

    /// <summary>The severity of a message that was not parsed (keyword, such as <c>notice</c> or <c>info</c>).</summary>
    /// <remarks>Defaults to <c>notice</c>.</remarks>
    public string DefaultSeverity { get; set; } = "notice";

    /// <summary>For <c>udp://</c>: the longest datagram; a longer message is cut and counted as truncated.</summary>
    /// <remarks>Defaults to 2048 (RFC 5426: receivers should take 2048 bytes, must take 480 over IPv4).</remarks>
    public int MaxDatagramBytes { get; set; } = 2048;

    /// <summary>When the sender's message counts as committed.</summary>
    /// <remarks>Defaults to <see cref="ForwardAcknowledge.Downstream"/>: written and flushed to the collector's connection.</remarks>
    public ForwardAcknowledge Acknowledge { get; set; } = ForwardAcknowledge.Downstream;

    /// <summary>The most messages written to the collector before one flush.</summary>
    /// <remarks>Defaults to 512.</remarks>
    public int BatchSize { get; set; } = 512;

    /// <summary>The spool directory.</summary>
    /// <remarks>Defaults to <c>spool/syslog</c> under <c>StateDirectory</c>.</remarks>
    public string? Spool { get; set; }

    /// <summary>The most the spool may hold; past it messages are refused (<c>Busy</c>).</summary>
    /// <remarks>Defaults to 1 GiB.</remarks>
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    /// <summary>For <c>tls://</c> collectors: a PEM file of the CAs their certificates must chain to.</summary>
    /// <remarks>Defaults to the system's trusted roots.</remarks>
    public string? TlsCaFile { get; set; }

    /// <summary>A PEM file of the client certificate (with its key, or see <see cref="TlsKeyFile"/>) shown to collectors that ask.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>A PEM file of the client certificate's private key, when it is not in <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>The name the collectors' certificates must carry.</summary>
    /// <remarks>Defaults to each collector's host.</remarks>
    public string? TlsServerName { get; set; }

    internal static new ConfigurationShape Shape() => ConfigurationShape.Object(
        StepConditions.Shape(),
        (nameof(Final), ConfigurationShape.Value(ValueForm.Boolean)),
        (nameof(Upstreams), ConfigurationShape.List(ValueForm.Text)),
        (nameof(Format), ConfigurationShape.Value(ValueForm.Enum<SyslogFormat>())),
        (nameof(Framing), ConfigurationShape.Value(ValueForm.Enum<SyslogFraming>())),
        (nameof(DefaultFacility), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(DefaultSeverity), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(MaxDatagramBytes), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(Acknowledge), ConfigurationShape.Value(ValueForm.Enum<ForwardAcknowledge>())),
        (nameof(BatchSize), ConfigurationShape.Value(ValueForm.Int32)),
        (nameof(Spool), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(SpoolMaxBytes), ConfigurationShape.Value(ValueForm.Bytes)),
        (nameof(TlsCaFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsCertificateFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsKeyFile), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(TlsServerName), ConfigurationShape.Value(ValueForm.Text)));
}
