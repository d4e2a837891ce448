using System.Runtime.InteropServices;

namespace SocketDaemon.Cli.Internal;

/// <summary>What kind of file a Unix endpoint's path is, to name the cause when connecting to it fails.</summary>
internal static partial class EndpointFile
{
    /// <summary>
    /// <c>socket</c>, <c>regular file</c>, <c>directory</c>, <c>named pipe</c>, <c>symbolic link</c>, <c>device</c>;
    /// <see langword="null"/> when the path does not exist or the kind cannot be read on this platform.
    /// </summary>
    public static string? Describe(string path)
    {
        var offset = RuntimeInformation.ProcessArchitecture switch
        {
            // struct stat's st_mode: after st_dev, st_ino and (on x86-64) st_nlink.
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (offset < 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        if (Stat(path, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return null;
        }

        return (BitConverter.ToUInt32(buffer[offset..]) & 0xF000) switch
        {
            0xC000 => "socket",
            0x8000 => "regular file",
            0x4000 => "directory",
            0x1000 => "named pipe",
            0xA000 => "symbolic link",
            _ => "device",
        };
    }

    // glibc exports stat itself since 2.33; Debian 12 has 2.36.
    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte buffer);
}
