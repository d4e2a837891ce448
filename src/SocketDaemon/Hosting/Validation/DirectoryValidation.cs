using System.Runtime.InteropServices;

namespace SocketDaemon.Hosting.Validation;

/// <summary>
/// Whether the daemon will be able to create and write a directory: the directory, or its nearest existing parent,
/// must be a directory this process may write into (<c>access(2)</c>, which knows the process's user and groups);
/// a missing one is created and removed again, since only trying shows what root may not (<c>/proc</c>).
/// </summary>
internal static partial class DirectoryValidation
{
    private const int W_OK = 2;
    private const int X_OK = 1;

    /// <summary>Why <paramref name="path"/> cannot be used as a directory, or <see langword="null"/> when it can.</summary>
    public static string? Problem(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"'{path}' is not a path: {ex.Message}";
        }

        for (var existing = full; existing is not null; existing = Path.GetDirectoryName(existing))
        {
            if (File.Exists(existing))
            {
                return existing == full ? $"{full} is a file, not a directory" : $"{full} cannot be created: {existing} is a file";
            }

            if (!Directory.Exists(existing))
            {
                continue;
            }

            if (!OperatingSystem.IsWindows() && Access(existing, W_OK | X_OK) != 0)
            {
                var why = existing == full ? "is not writable by this user" : $"cannot be created: {existing} is not writable by this user";
                return $"{full} {why}";
            }

            return existing == full ? null : TryCreate(full, existing);
        }

        return null;
    }

    private static string? TryCreate(string full, string existing)
    {
        // The first directory that was missing: removing it removes all that was created.
        var created = full;
        while (Path.GetDirectoryName(created) is { } parent && parent != existing)
        {
            created = parent;
        }

        try
        {
            Directory.CreateDirectory(full);
            Directory.Delete(created, recursive: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{full} cannot be created: {ex.Message}";
        }
    }

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);
}
