using System.Runtime.InteropServices;

namespace SocketDaemon.Client.Internal;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();
}
