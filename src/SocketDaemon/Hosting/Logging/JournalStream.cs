using System.Globalization;
using System.Runtime.InteropServices;

namespace SocketDaemon.Hosting.Logging;

/// <summary>
/// Whether standard error or standard output is the journal: systemd sets <c>JOURNAL_STREAM</c> to the
/// <c>DEVICE:INODE</c> of the stream it connected them to (systemd.exec(5)); a descriptor with the same numbers is
/// that stream, and not one a shell or a test redirected since.
/// </summary>
internal static partial class JournalStream
{
    private const int StandardOutput = 1;
    private const int StandardError = 2;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_INO = 0x100;

    /// <summary>The descriptor (2 or 1) that is the journal, stderr first; <see langword="null"/> when neither is.</summary>
    public static int? Find() => Find(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    /// <summary>As <see cref="Find()"/>, for the value <paramref name="journalStream"/>.</summary>
    internal static int? Find(string? journalStream)
    {
        if (OperatingSystem.IsWindows() || !TryParse(journalStream, out var device, out var inode))
        {
            return null;
        }

        foreach (var fd in new[] { StandardError, StandardOutput })
        {
            if (TryGetId(fd, out var d, out var i) && d == device && i == inode)
            {
                return fd;
            }
        }

        return null;
    }

    /// <summary>The <c>DEVICE:INODE</c> of <paramref name="fd"/>, as systemd writes it into <c>JOURNAL_STREAM</c>.</summary>
    internal static string? Describe(int fd) =>
        TryGetId(fd, out var device, out var inode) ? string.Create(CultureInfo.InvariantCulture, $"{device}:{inode}") : null;

    private static bool TryParse(string? value, out ulong device, out ulong inode)
    {
        device = inode = 0;
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0
            && ulong.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out device)
            && ulong.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    // statx(2) rather than fstat: its struct has one layout on every architecture.
    private static unsafe bool TryGetId(int fd, out ulong device, out ulong inode)
    {
        device = inode = 0;
        var buffer = stackalloc byte[256];
        if (Statx(fd, string.Empty, AT_EMPTY_PATH, STATX_INO, buffer) != 0)
        {
            return false;
        }

        inode = *(ulong*)(buffer + 32);
        var major = *(uint*)(buffer + 136);
        var minor = *(uint*)(buffer + 140);

        // glibc's makedev(3): st_dev as the journal's number is written.
        device = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
