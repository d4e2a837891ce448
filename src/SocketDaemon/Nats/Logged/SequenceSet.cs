using System.Buffers.Binary;

namespace SocketDaemon.Nats.Logged;

/// <summary>
/// A set of JetStream stream sequences kept as sorted, disjoint ranges: one aggregator's deliveries mostly follow on,
/// so millions of sequences are a few ranges, while a shared consumer or a redelivery leaves gaps between them.
/// </summary>
internal sealed class SequenceSet
{
    /// <summary>The bytes of one range in a record: first and last, big-endian.</summary>
    public const int RangeSize = 2 * sizeof(ulong);

    private readonly List<(ulong First, ulong Last)> _ranges = [];

    /// <summary>The ranges, in order; no two touch.</summary>
    public IReadOnlyList<(ulong First, ulong Last)> Ranges => _ranges;

    public bool IsEmpty => _ranges.Count == 0;

    public bool Contains(ulong sequence)
    {
        var i = FirstEndingAtOrAfter(sequence);
        return i < _ranges.Count && _ranges[i].First <= sequence;
    }

    public void Add(ulong sequence) => Add(sequence, sequence);

    /// <summary>Adds every sequence from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public void Add(ulong first, ulong last)
    {
        if (_ranges.Count == 0 || first > _ranges[^1].Last + 1)
        {
            // The usual case: the next deliveries of the stream.
            _ranges.Add((first, last));
            return;
        }

        if (first == _ranges[^1].Last + 1)
        {
            _ranges[^1] = (_ranges[^1].First, Math.Max(last, _ranges[^1].Last));
            return;
        }

        // The ranges from i to j - 1 overlap or touch [first, last] and merge with it.
        var i = FirstEndingAtOrAfter(first == 0 ? 0 : first - 1);
        var j = i;
        while (j < _ranges.Count && _ranges[j].First <= last + 1)
        {
            j++;
        }

        if (i == j)
        {
            _ranges.Insert(i, (first, last));
            return;
        }

        var merged = (Math.Min(first, _ranges[i].First), Math.Max(last, _ranges[j - 1].Last));
        _ranges.RemoveRange(i + 1, j - i - 1);
        _ranges[i] = merged;
    }

    public void AddAll(SequenceSet other)
    {
        foreach (var (first, last) in other._ranges)
        {
            Add(first, last);
        }
    }

    /// <summary>Forgets every sequence up to <paramref name="floor"/>, included.</summary>
    public void RemoveThrough(ulong floor)
    {
        var i = FirstEndingAtOrAfter(floor);
        if (i < _ranges.Count && _ranges[i].First <= floor)
        {
            _ranges[i] = (floor + 1, _ranges[i].Last);
            if (_ranges[i].First > _ranges[i].Last)
            {
                i++;
            }
        }

        _ranges.RemoveRange(0, i);
    }

    /// <summary>Removes every sequence of <paramref name="other"/> (rare: a claim whose messages failed after all).</summary>
    public void RemoveAll(SequenceSet other)
    {
        if (other.IsEmpty || IsEmpty)
        {
            return;
        }

        var kept = new List<(ulong First, ulong Last)>();
        foreach (var (first, last) in _ranges)
        {
            var from = first;
            var left = true;
            foreach (var (removeFirst, removeLast) in other._ranges)
            {
                if (removeLast < from || removeFirst > last)
                {
                    continue;
                }

                if (removeFirst > from)
                {
                    kept.Add((from, removeFirst - 1));
                }

                if (removeLast >= last)
                {
                    left = false;
                    break;
                }

                from = removeLast + 1;
            }

            if (left)
            {
                kept.Add((from, last));
            }
        }

        _ranges.Clear();
        _ranges.AddRange(kept);
    }

    public void Clear() => _ranges.Clear();

    /// <summary>The sequences of this set that <paramref name="other"/> does not hold.</summary>
    public SequenceSet Except(SequenceSet other)
    {
        var rest = new SequenceSet();
        foreach (var (first, last) in _ranges)
        {
            for (var sequence = first; sequence <= last; sequence++)
            {
                if (!other.Contains(sequence))
                {
                    rest.Add(sequence);
                }
            }
        }

        return rest;
    }

    /// <summary>Adds the ranges of a record (a count, then each range); returns the bytes read.</summary>
    public int Read(ReadOnlySpan<byte> at)
    {
        var count = BinaryPrimitives.ReadInt32BigEndian(at);
        for (var i = 0; i < count; i++)
        {
            var range = at.Slice(sizeof(int) + (i * RangeSize));
            Add(BinaryPrimitives.ReadUInt64BigEndian(range), BinaryPrimitives.ReadUInt64BigEndian(range[8..]));
        }

        return sizeof(int) + (count * RangeSize);
    }

    /// <summary>Writes <paramref name="count"/> of <paramref name="ranges"/> from <paramref name="from"/> as <see cref="Read"/> reads them; returns the bytes written.</summary>
    public static int Write(Span<byte> at, IReadOnlyList<(ulong First, ulong Last)> ranges, int from, int count)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        BinaryPrimitives.WriteInt32BigEndian(at, count);
        for (var i = 0; i < count; i++)
        {
            var range = at.Slice(sizeof(int) + (i * RangeSize));
            BinaryPrimitives.WriteUInt64BigEndian(range, ranges[from + i].First);
            BinaryPrimitives.WriteUInt64BigEndian(range[8..], ranges[from + i].Last);
        }

        return sizeof(int) + (count * RangeSize);
    }

    // The index of the first range whose last sequence is at least sequence (Count when none is).
    private int FirstEndingAtOrAfter(ulong sequence)
    {
        int low = 0, high = _ranges.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_ranges[middle].Last < sequence)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
