using System.Reflection;

namespace SocketDaemon.Diagnostics;

/// <summary>The daemon's version, as its status and its meter report it.</summary>
internal static class DaemonVersion
{
    /// <summary>The informational version without the source revision.</summary>
    public static string Text { get; } =
        typeof(DaemonVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
