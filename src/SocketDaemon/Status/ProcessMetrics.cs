using System.Diagnostics;

namespace SocketDaemon.Status;

/// <summary>
/// The standard process metrics, named as the Prometheus client libraries name them
/// (<see href="https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics"/>).
/// </summary>
internal readonly record struct ProcessMetrics(
    double CpuSeconds,
    long ResidentBytes,
    long VirtualBytes,
    long OpenFds,
    long MaxFds,
    double StartTimeSeconds)
{
    /// <summary>Reads them now.</summary>
    public static ProcessMetrics Read()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessMetrics(
            process.TotalProcessorTime.TotalSeconds,
            process.WorkingSet64,
            process.VirtualMemorySize64,
            CountOpenFds(),
            ReadMaxFds(),
            new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0);
    }

    // The entries of /proc/self/fd, less the one the enumeration itself holds open.
    private static long CountOpenFds()
    {
        try
        {
            return Math.Max(0, Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount() - 1);
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    // The soft limit of "Max open files" in /proc/self/limits.
    private static long ReadMaxFds()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit : -1;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
