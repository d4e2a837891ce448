using System.Buffers;

namespace SocketDaemon.Framing;

/// <summary>
/// Reads messages out of a connection's bytes. Readers are stateless and shared by every connection of a listener:
/// all that a connection has not consumed yet stays in its pipe.
/// </summary>
/// <remarks>
/// A message is a slice of the input buffer: it points into pipe memory and is valid only until the caller
/// advances the pipe past it.
/// </remarks>
public abstract class FrameReader
{
    /// <summary>Creates a reader that refuses messages longer than <paramref name="maxMessageBytes"/>.</summary>
    protected FrameReader(int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The longest message this reader accepts.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>The framing this reader reads.</summary>
    public abstract FramingKind Kind { get; }

    /// <summary>
    /// Reads one message from the start of <paramref name="input"/> and slices it off. Returns <see langword="false"/>,
    /// leaving <paramref name="input"/> as it was, when the frame is not complete yet.
    /// </summary>
    /// <exception cref="FramingException">The bytes can never form a valid frame.</exception>
    public abstract bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> message);

    /// <summary>
    /// Called when the peer has closed the connection and <paramref name="input"/> still holds bytes that
    /// <see cref="TryRead"/> could not make a message of. Returns the last message, if the framing allows one
    /// to end with the connection.
    /// </summary>
    /// <exception cref="FramingException">The remaining bytes are a truncated frame.</exception>
    public virtual ReadOnlySequence<byte> ReadFinal(ReadOnlySequence<byte> input) =>
        throw new FramingException(FramingError.Truncated, $"connection closed {input.Length} bytes into a {Kind.ToString().ToLowerInvariant()} frame");

    /// <summary>
    /// Reads one frame from the start of <paramref name="input"/> as <see cref="TryRead"/> does, but deals with a frame
    /// over <see cref="MaxMessageBytes"/> as <paramref name="policy"/> says: <paramref name="state"/> carries the skipping
    /// of a dropped frame, or the rest of a cut one, across reads.
    /// </summary>
    /// <exception cref="FramingException">The bytes can never form a valid frame, or a frame is oversize and the policy is to close.</exception>
    public FrameResult Read(ref ReadOnlySequence<byte> input, OversizePolicy policy, ref OversizeState state, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (state.Cutting)
        {
            return state.TryTakeCut(ref input, out message) ? FrameResult.Truncated : FrameResult.Incomplete;
        }

        if (state.InFrame && !state.TrySkip(ref input))
        {
            return FrameResult.Incomplete;
        }

        if (policy == OversizePolicy.Close)
        {
            return TryRead(ref input, out message) ? FrameResult.Message : FrameResult.Incomplete;
        }

        try
        {
            return TryRead(ref input, out message) ? FrameResult.Message : FrameResult.Incomplete;
        }
        catch (FramingException ex) when (ex.FrameBytes == FramingException.HeaderIncomplete)
        {
            return FrameResult.Incomplete;
        }
        catch (FramingException ex) when (ex.FrameBytes != 0)
        {
            // A reader may have set its out value before it found the frame too long.
            message = default;
            if (policy == OversizePolicy.Drop)
            {
                state.Drop(ex.FrameBytes);
                state.TrySkip(ref input);
                return FrameResult.Dropped;
            }

            state.Cut(ex.HeaderBytes, MaxMessageBytes, ex.FrameBytes);
            return state.TryTakeCut(ref input, out message) ? FrameResult.Truncated : FrameResult.Incomplete;
        }
    }

    /// <summary>
    /// <see cref="ReadFinal(ReadOnlySequence{byte})"/> under <paramref name="policy"/>: a last line over the limit is
    /// dropped or cut rather than an error.
    /// </summary>
    /// <exception cref="FramingException">The remaining bytes are a truncated frame, or oversize and the policy is to close.</exception>
    public FrameResult ReadFinal(ReadOnlySequence<byte> input, OversizePolicy policy, ref OversizeState state, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (state.Cutting || policy == OversizePolicy.Close)
        {
            message = ReadFinal(input);
            return FrameResult.Message;
        }

        try
        {
            message = ReadFinal(input);
            return FrameResult.Message;
        }
        catch (FramingException ex) when (ex.Error == FramingError.Oversize)
        {
            if (policy == OversizePolicy.Drop)
            {
                return FrameResult.Dropped;
            }

            message = input.Slice(0, MaxMessageBytes);
            return FrameResult.Truncated;
        }
    }

    /// <summary>Creates the reader for <paramref name="kind"/>.</summary>
    public static FrameReader Create(FramingKind kind, int maxMessageBytes) => kind switch
    {
        FramingKind.Seed => new SeedFrameReader(maxMessageBytes),
        FramingKind.Lines => new LineFrameReader(maxMessageBytes),
        FramingKind.Octet => new OctetFrameReader(maxMessageBytes),
        FramingKind.Nul => new NulFrameReader(maxMessageBytes),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only message framings have readers."),
    };
}
