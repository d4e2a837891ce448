using SocketDaemon.Configuration;
namespace SocketDaemon.Connections;

/// <summary>The minimum rate at which a started frame must arrive, as Kestrel's <c>MinRequestBodyDataRate</c>.</summary>
public sealed class MinDataRateOptions
{
    /// <summary>The fewest bytes per second a frame in progress must average once <see cref="GracePeriod"/> is over.</summary>
    public double BytesPerSecond { get; set; } = 240;

    /// <summary>How long a frame may take before its rate counts: a frame's first bytes may come slowly.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(BytesPerSecond), ConfigurationShape.Value(ValueForm.Decimal)),
        (nameof(GracePeriod), ConfigurationShape.Value(ValueForm.Duration)));
}
