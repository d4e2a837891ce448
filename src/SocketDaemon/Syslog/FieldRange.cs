namespace SocketDaemon.Syslog;

/// <summary>
/// Where a field lies in the message bytes; the default value is an absent field (a syslog <c>-</c>, or a part the
/// message does not have), unlike a present but empty one.
/// </summary>
public readonly struct FieldRange : IEquatable<FieldRange>
{
    // Start + 1, so that default(FieldRange) means absent without an extra flag.
    private readonly int _startPlusOne;

    /// <summary>A present field of <paramref name="length"/> bytes at <paramref name="start"/>.</summary>
    public FieldRange(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _startPlusOne = start + 1;
        Length = length;
    }

    /// <summary>Whether the message has the field.</summary>
    public bool IsPresent => _startPlusOne != 0;

    /// <summary>The offset of the field's first byte.</summary>
    public int Start => _startPlusOne - 1;

    /// <summary>The field's length in bytes.</summary>
    public int Length { get; }

    /// <summary>The field's bytes in <paramref name="message"/>; empty when absent.</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> message) => IsPresent ? message.Slice(Start, Length) : default;

    /// <inheritdoc />
    public bool Equals(FieldRange other) => _startPlusOne == other._startPlusOne && Length == other.Length;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FieldRange other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_startPlusOne, Length);

    /// <summary>Whether two ranges are the same.</summary>
    public static bool operator ==(FieldRange left, FieldRange right) => left.Equals(right);

    /// <summary>Whether two ranges differ.</summary>
    public static bool operator !=(FieldRange left, FieldRange right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsPresent ? $"{Start}+{Length}" : "-";
}
