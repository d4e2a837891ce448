namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// What <c>Log</c> steps keep per connection (a feature of its <see cref="MessageContext"/>): the lines staged for each
/// writer until the batch ends, and the parts of a line that are the same for many messages, formatted once.
/// </summary>
internal sealed class MessageLogState : IMessageBatchFeature
{
    private static readonly int Slot = MessageFeatures.SlotOf<MessageLogState>();

    private StagedLogChunk? _staged;
    private List<StagedLogChunk>? _moreStaged;

    /// <summary>The escaped <c> listener [peer] #id: </c> of this connection's log lines, built on first use.</summary>
    public byte[]? LinePrefix { get; set; }

    /// <summary>The <c>,"listener":…,"peer":{…}</c> of this connection's JSON lines, built on first use.</summary>
    public byte[]? JsonPrefix { get; set; }

    /// <summary>The timestamp of the last log line, formatted; messages read together share it.</summary>
    public byte[]? Timestamp { get; set; }

    /// <summary>The zone the JSON lines read BSD timestamps in, looked up on first use.</summary>
    public TimeZoneInfo? Zone { get; set; }

    /// <summary>The time <see cref="Timestamp"/> shows.</summary>
    public DateTimeOffset TimestampOf { get; set; }

    /// <summary>The state of <paramref name="context"/>'s connection, made on its first message.</summary>
    public static MessageLogState Of(MessageContext context)
    {
        if (context.Features.Get(Slot) is MessageLogState state)
        {
            return state;
        }

        state = new MessageLogState();
        context.Features.Set(state);
        return state;
    }

    /// <summary>Where this connection's lines for <paramref name="writer"/> wait.</summary>
    public StagedLogChunk GetStaged(MessageLogWriter writer)
    {
        if (_staged is null || _staged.Writer == writer)
        {
            return _staged ??= new StagedLogChunk(writer);
        }

        _moreStaged ??= [];
        foreach (var staged in _moreStaged)
        {
            if (staged.Writer == writer)
            {
                return staged;
            }
        }

        var added = new StagedLogChunk(writer);
        _moreStaged.Add(added);
        return added;
    }

    /// <summary>
    /// What the lines handed over now prove (the sender's position, <see cref="LogProgress"/>): only while they all go to
    /// one file, since a claim in one file cannot say whether another file's lines are written (a pipeline logging to
    /// several files keeps its position record after the commit). A templated step's files (<see cref="DynamicLogState"/>)
    /// count as more files.
    /// </summary>
    public LogClaim? Claim(MessageContext context) =>
        _moreStaged is null && context.Features.Get<DynamicLogState>() is null ? context.Features.Get<LogProgress>()?.Claim() : null;

    /// <summary>Hands the staged lines to their writers, waiting while a writer's queue is full.</summary>
    public async ValueTask FlushAsync(MessageContext context)
    {
        if (_staged is { IsEmpty: false })
        {
            await _staged.HandOverAsync(Claim(context));
        }

        // Not `_moreStaged ?? []`: that makes a new list on every flush (every read) when there is one file.
        if (_moreStaged is not null)
        {
            foreach (var staged in _moreStaged)
            {
                await staged.HandOverAsync();
            }
        }
    }
}
