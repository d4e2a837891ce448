using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace SocketDaemon.Client.Spooling;

/// <summary>
/// The acknowledged position of a <see cref="DiskSpool"/>: 8 bytes and their CRC-32 in the file <c>ack</c>. With
/// <see cref="SpoolDurability.Fsync"/> it is replaced by renaming a synced temporary file over it, so that a power
/// loss leaves the old or the new position and never half of one; with <see cref="SpoolDurability.Flush"/> the 12
/// bytes are written over the old ones with one <c>pwrite(2)</c> on a file kept open.
/// </summary>
/// <remarks>
/// In place is as safe as the spool it describes: a killed process leaves the old or the new position (one write of
/// 12 bytes into the page cache), and a power loss, which may lose the spool's unsynced records too, at worst tears
/// it, which the CRC turns into no position (everything still spooled is sent again, and de-duplicated). It spares the
/// open, close and rename per acknowledgement, each of which made ext4 start writing the file back.
/// </remarks>
internal sealed class SpoolAckFile(string directory, bool fsync) : IDisposable
{
    private const string FileName = "ack";

    private SafeFileHandle? _handle;

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

    public void Write(ulong sequence)
    {
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, sequence);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], Crc32.HashToUInt32(bytes[..8]));
        if (!fsync)
        {
            _handle ??= File.OpenHandle(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.Write);
            RandomAccess.Write(_handle, bytes, 0);
            return;
        }

        var temporary = Path.Combine(directory, FileName + ".tmp");
        using (var handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(temporary, Path.Combine(directory, FileName), overwrite: true);
    }

    public void Dispose() => _handle?.Dispose();
}
