using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using SocketDaemon.Diagnostics;

namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// Crash recovery of a message log file: a <c>kill -9</c> in the middle of a write may leave its last line half
/// written. The file is cut back to the end of the last whole line, and a chunk of lines partly written goes whole,
/// so that its sender's resend is its only copy.
/// </summary>
internal static partial class TornWriteRepair
{
    /// <summary>
    /// Returns the length <paramref name="path"/> keeps, after cutting it when a kill tore <paramref name="lastWrite"/>
    /// (the file's last recorded write, made of <paramref name="chunks"/>); <see cref="long.MaxValue"/> when the file is gone.
    /// </summary>
    /// <remarks>
    /// Only the last write is cut: the file at the path may be a new one since earlier writes (logrotate renamed the
    /// old one and the daemon reopened it), and must not be cut by their offsets.
    /// </remarks>
    public static long Repair(string path, (long Start, long End)? lastWrite, IEnumerable<(long Start, long End)> chunks, ILogger logger)
    {
        if (!File.Exists(path))
        {
            // Removed since (logrotate, retention, another log directory): its lines were written, and are gone anyway.
            return long.MaxValue;
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var length = RandomAccess.GetLength(file);
        var cut = length;
        if (lastWrite is { } write && write.Start < cut && cut < write.End)
        {
            cut = LastLineEnd(file, write.Start, cut);
            foreach (var chunk in chunks)
            {
                if (chunk.Start < cut && cut < chunk.End)
                {
                    cut = chunk.Start;
                }
            }
        }

        if (cut < length)
        {
            RandomAccess.SetLength(file, cut);
            TornWriteCut(logger, path, length - cut);
        }

        return cut;
    }

    // Just past the last '\n' between start and end, or start when there is none.
    private static long LastLineEnd(SafeFileHandle file, long start, long end)
    {
        var buffer = new byte[64 * 1024];
        for (var to = end; to > start;)
        {
            var from = Math.Max(start, to - buffer.Length);
            var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)(to - from)), from);
            var newline = buffer.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return from + newline + 1;
            }

            to = from;
        }

        return start;
    }

    [LoggerMessage(EventIds.TornWriteCut, LogLevel.Warning, "Message log {Path}: cut {Bytes} bytes that a killed run left half-written; their senders send them again")]
    private static partial void TornWriteCut(ILogger logger, string path, long bytes);
}
