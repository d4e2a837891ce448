using System.Runtime.InteropServices;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>The process's open-file limit (<c>RLIMIT_NOFILE</c>), which a test with thousands of sockets needs raised.</summary>
internal static partial class FileDescriptorLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit towards <paramref name="wanted"/>, up to the hard limit; returns the soft limit now.</summary>
    public static long Raise(long wanted)
    {
        if (!OperatingSystem.IsLinux() || GetRlimit(RlimitNofile, out var limit) != 0)
        {
            return wanted;
        }

        if (limit.Current < (ulong)wanted)
        {
            var raised = limit with { Current = Math.Min((ulong)wanted, limit.Maximum) };
            if (SetRlimit(RlimitNofile, in raised) == 0)
            {
                limit = raised;
            }
        }

        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private record struct Rlimit(ulong Current, ulong Maximum);
}
