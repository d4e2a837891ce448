namespace SocketDaemon.Tests.Infrastructure;

/// <summary>A fresh directory under /tmp with a short path, so socket paths stay within sockaddr_un's 107 bytes.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine("/tmp", "sdt-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // SDT_KEEP_TEMP=1 keeps the logs of a failing test to read afterwards.
        if (Environment.GetEnvironmentVariable("SDT_KEEP_TEMP") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
