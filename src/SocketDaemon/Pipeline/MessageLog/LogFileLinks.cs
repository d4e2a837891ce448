using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Whether an open file still has a name: fstat(2)'s link count is 0 once every name is gone (<c>rm</c>, <c>rm -rf</c> of
/// its directory), while writes to it still succeed. One system call, no path lookup.
/// </summary>
internal static unsafe partial class LogFileLinks
{
    // Where st_nlink is in struct stat, and how wide: 8 bytes at 16 on x86-64, 4 at 20 on the generic layout.
    private static readonly (int Offset, int Size) Layout = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => (16, 8),
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => (20, 4),
        _ => (-1, 0),
    };

    /// <summary>
    /// <see langword="true"/> when <paramref name="handle"/>'s file has no name left; <see langword="false"/> when it
    /// has, or when that cannot be told (another system, a closed handle).
    /// </summary>
    public static bool IsUnlinked(SafeFileHandle handle)
    {
        if (Layout.Offset < 0 || OperatingSystem.IsWindows() || handle.IsClosed)
        {
            return false;
        }

        var buffer = stackalloc byte[256];
        try
        {
            if (FStat(handle, buffer) != 0)
            {
                return false;
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed by the writer meanwhile (the health probe asks from another thread).
            return false;
        }

        var links = Layout.Size == 8 ? *(ulong*)(buffer + Layout.Offset) : *(uint*)(buffer + Layout.Offset);
        return links == 0;
    }

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStat(SafeFileHandle handle, byte* buffer);
}
