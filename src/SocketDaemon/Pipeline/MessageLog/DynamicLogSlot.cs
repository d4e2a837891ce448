namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// What one connection keeps for one templated <c>Log</c> step: the buffer its messages' paths are rendered into, the
/// file of its last message (so that a connection writing to one file finds it by comparing the path, with no lock and
/// no lookup) and the lines staged for that file. While lines are staged the file is pinned open.
/// </summary>
internal sealed class DynamicLogSlot(DynamicLogFiles files)
{
    private readonly char[] _path = new char[files.Template.MaxLength];
    private int _length;
    private DynamicLogFile? _current;
    private bool _pinned;

    public DynamicLogFiles Files { get; } = files;

    /// <summary>Where the lines of the selected file wait; set once a file is selected.</summary>
    public StagedLogChunk? Staged { get; private set; }

    /// <summary>Renders the path of <paramref name="context"/>'s message.</summary>
    public void Render(MessageContext context) => _length = Files.Template.Render(context, _path);

    /// <summary>
    /// Selects the file of the rendered path without waiting: the same as the last message's (the usual case), or another
    /// when nothing is staged for the last one and the new one is not closing. <see langword="false"/>: call <see cref="SelectAsync"/>.
    /// </summary>
    public bool TrySelect()
    {
        var path = _path.AsSpan(0, _length);
        if (_current is { } current && path.SequenceEqual(current.Key))
        {
            if (_pinned || Files.TryRepin(current))
            {
                _pinned = true;
                return true;
            }
        }

        if (Staged is { IsEmpty: false })
        {
            return false;
        }

        Release();
        if (Files.TryAcquire(path, out _) is not { } file)
        {
            return false;
        }

        Select(file);
        return true;
    }

    /// <summary>Hands what is staged for the last file over, then selects the file of the rendered path, waiting while it closes.</summary>
    public async ValueTask SelectAsync()
    {
        await FlushAsync();
        while (true)
        {
            if (Files.TryAcquire(_path.AsSpan(0, _length), out var closing) is { } file)
            {
                Select(file);
                return;
            }

            await closing!.ConfigureAwait(false);
        }
    }

    /// <summary>Queues what is staged to its file's writer (no claim: see <see cref="MessageLogState.Claim"/>) and unpins the file.</summary>
    public ValueTask FlushAsync()
    {
        if (Staged is { IsEmpty: false } staged)
        {
            var handOver = staged.HandOverAsync();
            if (!handOver.IsCompletedSuccessfully)
            {
                return ReleaseAfterAsync(handOver);
            }

            handOver.GetAwaiter().GetResult();
        }

        Release();
        return ValueTask.CompletedTask;
    }

    private async ValueTask ReleaseAfterAsync(ValueTask handOver)
    {
        await handOver.ConfigureAwait(false);
        Release();
    }

    private void Select(DynamicLogFile file)
    {
        _current = file;
        _pinned = true;
        if (Staged is null)
        {
            Staged = new StagedLogChunk(file.Writer);
        }
        else
        {
            Staged.Writer = file.Writer;
        }
    }

    private void Release()
    {
        if (_pinned)
        {
            _pinned = false;
            Files.Release(_current!);
        }
    }
}
