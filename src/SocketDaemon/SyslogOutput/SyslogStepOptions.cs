using SocketDaemon.Configuration;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;

namespace SocketDaemon.SyslogOutput;

/// <summary>A <c>Syslog</c> step: the collectors messages are sent to, in which syslog format, and which messages (its conditions).</summary>
/// <remarks>
/// The collectors (<c>Upstreams</c>: <c>tcp://host:port</c>, <c>tls://host:port</c>, <c>udp://host:port</c>; the first
/// that is up takes the messages), TLS, acknowledgement (downstream: written and flushed to the collector's
/// connection), batch (the most messages written before one flush) and spool keys are those of every spooled step
/// (<see cref="SpooledUpstreamStepOptions"/>); the spool defaults to <c>spool/syslog</c> under <c>StateDirectory</c>.
/// </remarks>
public sealed class SyslogStepOptions() : SpooledUpstreamStepOptions(batchSize: 512)
{
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

    internal static new ConfigurationShape Shape() => UpstreamShape(
        (nameof(Format), ConfigurationShape.Value(ValueForm.Enum<SyslogFormat>())),
        (nameof(Framing), ConfigurationShape.Value(ValueForm.Enum<SyslogFraming>())),
        (nameof(DefaultFacility), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(DefaultSeverity), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(MaxDatagramBytes), ConfigurationShape.Value(ValueForm.Int32)));
}
