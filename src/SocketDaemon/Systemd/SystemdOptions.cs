using SocketDaemon.Configuration;

namespace SocketDaemon.Systemd;

/// <summary>The <c>Systemd</c> section: how the daemon works with its service manager.</summary>
public sealed class SystemdOptions
{
    /// <summary>The values <see cref="FileDescriptorStore"/> takes.</summary>
    public static readonly IReadOnlyList<string> FileDescriptorStoreValues = ["auto", "true", "false"];

    /// <summary>
    /// Whether the daemon keeps its listening sockets and client connections in systemd's file-descriptor store
    /// (<c>FDSTORE=1</c>), so that they survive <c>systemctl restart</c> and crashes: <c>true</c>, <c>false</c>, or
    /// <c>auto</c> (when systemd sets <c>$FDSTORE</c>, as it does from version 254 for a unit with
    /// <c>FileDescriptorStoreMax=</c>, or when it passed stored descriptors back). Never without <c>NOTIFY_SOCKET</c>.
    /// </summary>
    /// <remarks>Defaults to <c>auto</c>. systemd 252 (Debian 12) does not set <c>$FDSTORE</c>: set <c>true</c> there.</remarks>
    public string FileDescriptorStore { get; set; } = "auto";

    /// <summary>
    /// With the store: whether a connection's bytes leave its socket only once the lines cut from them are in the log,
    /// so that a crash (<c>kill -9</c>, the OOM killer) loses none of them and logs none twice (docs/operations.md).
    /// Connections of the raw framings (lines, octet counting, seed) over Unix and TCP stream sockets.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/> (it costs daemon CPU per read). Read at start.</remarks>
    public bool ConsumeWhenLogged { get; set; }

    /// <summary>The keys of this section, and the form of their values.</summary>
    internal static ConfigurationShape Shape() => ConfigurationShape.Object(
        (nameof(FileDescriptorStore), ConfigurationShape.Value(ValueForm.Text)),
        (nameof(ConsumeWhenLogged), ConfigurationShape.Value(ValueForm.Boolean)));
}
