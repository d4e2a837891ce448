using System.Buffers.Binary;
using System.IO.Hashing;

namespace SocketDaemon.Client.Spooling;

/// <summary>
/// The acknowledged position of a <see cref="DiskSpool"/>: 8 bytes and their CRC-32 in the file <c>ack</c>, replaced
/// by renaming a temporary file over it, so that a crash leaves the old or the new position and never half of one.
/// </summary>
internal static class SpoolAckFile
{
    private const string FileName = "ack";

    public static ulong Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(path);
        // A damaged position counts as none: everything is sent again, which the receiver's de-duplication absorbs.
        return bytes.Length == 12 && Crc32.HashToUInt32(bytes.AsSpan(0, 8)) == BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8))
            ? BinaryPrimitives.ReadUInt64BigEndian(bytes)
            : 0;
    }

    public static void Write(string directory, ulong sequence, bool fsync)
    {
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, sequence);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], Crc32.HashToUInt32(bytes[..8]));
        var temporary = Path.Combine(directory, FileName + ".tmp");
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            if (fsync)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }

        File.Move(temporary, Path.Combine(directory, FileName), overwrite: true);
    }
}
