using System.Runtime.InteropServices;

namespace SocketDaemon.Internal;

/// <summary>The few libc calls .NET has no API for.</summary>
internal static unsafe partial class Libc
{
    internal const int SOL_SOCKET = 1;
    internal const int SO_PEERCRED = 17;

    private const uint S_IFMT = 0xF000;
    private const uint S_IFSOCK = 0xC000;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStat(string path, byte* buffer);

    /// <summary>What is at <paramref name="path"/>: nothing, a socket, or something else.</summary>
    /// <remarks>
    /// .NET tells a socket file from a regular one nowhere in its API, and connect(2) refuses both alike, so ask lstat(2).
    /// Only <c>st_mode</c> is read; its offset in <c>struct stat</c> is fixed per architecture by the kernel ABI.
    /// </remarks>
    internal static PathKind GetPathKind(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // No lstat: an AF_UNIX socket there is a reparse point; the connect probe tells live from stale.
            return File.Exists(path) ? PathKind.Socket : PathKind.None;
        }

        var modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 16,
            _ => -1,
        };

        if (modeOffset < 0)
        {
            // Unknown layout: fall back to existence alone and let the connect probe decide.
            return File.Exists(path) || Directory.Exists(path) ? PathKind.Socket : PathKind.None;
        }

        var buffer = stackalloc byte[256];
        if (LStat(path, buffer) != 0)
        {
            return Marshal.GetLastPInvokeError() == 2 /* ENOENT */ ? PathKind.None : PathKind.Other;
        }

        var mode = *(uint*)(buffer + modeOffset);
        return (mode & S_IFMT) == S_IFSOCK ? PathKind.Socket : PathKind.Other;
    }

    internal enum PathKind
    {
        None,
        Socket,
        Other,
    }
}
