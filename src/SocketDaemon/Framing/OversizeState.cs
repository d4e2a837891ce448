using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>
/// A connection's progress through an oversize frame it is skipping or cutting, carried from read to read so that
/// the frame is never buffered whole: readers stay stateless and shared.
/// </summary>
public struct OversizeState
{
    // Bytes still to skip; FramingException.ThroughNewline to skip through the next newline (or NUL).
    private long _skip;

    // For a frame being cut: the header before the kept bytes, how many to keep, and what to skip after them.
    private int _cutHeader;
    private int _cutBytes;
    private long _skipAfterCut;

    /// <summary>Whether a frame is still being skipped or cut: the connection is mid-frame though nothing is buffered.</summary>
    public readonly bool InFrame => _skip != 0 || _cutBytes > 0;

    internal readonly bool Cutting => _cutBytes > 0;

    internal void Drop(long frameBytes) => _skip = frameBytes;

    internal void Cut(int headerBytes, int keepBytes, long frameBytes)
    {
        _cutHeader = headerBytes;
        _cutBytes = keepBytes;
        _skipAfterCut = frameBytes == FramingException.ThroughNewline ? frameBytes : frameBytes - headerBytes - keepBytes;
    }

    /// <summary>Takes the kept part of a frame being cut, once it is all in <paramref name="input"/>.</summary>
    internal bool TryTakeCut(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> message)
    {
        if (input.Length < (long)_cutHeader + _cutBytes)
        {
            message = default;
            return false;
        }

        message = input.Slice(_cutHeader, _cutBytes);
        input = input.Slice(message.End);
        _skip = _skipAfterCut;
        _cutBytes = 0;
        return true;
    }

    /// <summary>Skips what is left of a dropped or cut frame; returns whether it is all skipped.</summary>
    internal bool TrySkip(ref ReadOnlySequence<byte> input)
    {
        if (_skip == FramingException.ThroughNewline)
        {
            if (FrameTrimming.PositionOfLineEnd(input) is not { } newline)
            {
                input = input.Slice(input.End);
                return false;
            }

            input = input.Slice(input.GetPosition(1, newline));
            _skip = 0;
            return true;
        }

        var skipped = Math.Min(_skip, input.Length);
        input = input.Slice(skipped);
        _skip -= skipped;
        return _skip == 0;
    }
}
