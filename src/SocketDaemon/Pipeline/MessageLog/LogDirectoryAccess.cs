using System.Runtime.InteropServices;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Whether the writer could make its file: access(2) on the directory, or on the nearest existing parent when the
/// directory itself is gone (the writer creates it). Asks the kernel without making anything.
/// </summary>
internal static partial class LogDirectoryAccess
{
    private const int W_OK = 2;
    private const int X_OK = 1;

    /// <summary>Whether a file can be created in <paramref name="directory"/>, creating the directory first if need be.</summary>
    public static bool CanCreateIn(string directory, out string? problem)
    {
        problem = null;
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        for (var current = directory; current is not null; current = Path.GetDirectoryName(current))
        {
            if (Directory.Exists(current))
            {
                if (Access(current, W_OK | X_OK) == 0)
                {
                    return true;
                }

                problem = current == directory
                    ? $"{directory}: files cannot be created there (errno {Marshal.GetLastPInvokeError()})"
                    : $"{directory}: it does not exist and cannot be created in {current} (errno {Marshal.GetLastPInvokeError()})";
                return false;
            }

            if (File.Exists(current))
            {
                problem = $"{directory}: {current} is not a directory";
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the existing file <paramref name="path"/> can be opened for writing.</summary>
    public static bool CanWrite(string path) => OperatingSystem.IsWindows() || Access(path, W_OK) == 0;

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);
}
