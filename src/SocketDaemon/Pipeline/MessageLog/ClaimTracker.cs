namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>
/// The claims of the chunks the loop holds, one entry (or <see langword="null"/>) per buffer in the same order:
/// each is located and recorded in its journal before the write its chunk ends in, and marked written after it.
/// </summary>
internal sealed class ClaimTracker : ILogWriteObserver
{
    private readonly List<LogClaim?> _claims = [];
    private readonly List<LogClaim> _located = [];
    private int _count;

    // The journals claims went to: each hears when a file is opened anew.
    private readonly List<ILogClaimJournal> _journals = [];

    /// <summary>
    /// Itself while it holds claims or has recorded some (it must tell their journals of a reopened file);
    /// <see langword="null"/> otherwise, so that a daemon without sessions costs nothing more.
    /// </summary>
    public ILogWriteObserver? Observer => _count > 0 || _journals.Count > 0 ? this : null;

    public void Add(LogClaim? claim)
    {
        _claims.Add(claim);
        if (claim is not null)
        {
            _count++;
        }
    }

    /// <summary>The buffers before the last <paramref name="left"/> are gone without a write (spooled, or lost).</summary>
    public void Missed(int left)
    {
        var gone = _claims.Count - left;
        for (var i = 0; i < gone; i++)
        {
            if (_claims[i] is { } claim)
            {
                claim.MarkMissed();
                _count--;
            }
        }

        _claims.RemoveRange(0, gone);
        if (_claims.Count == 0)
        {
            _count = 0;
        }
    }

    public void BeforeWrite(string path, long offset, IReadOnlyList<ReadOnlyMemory<byte>> group, int completed)
    {
        var end = offset;
        for (var i = 0; i < group.Count; i++)
        {
            var start = end;
            end += group[i].Length;
            if (i < completed && _claims[i] is { } claim)
            {
                claim.Locate(path, start, end);
                _located.Add(claim);
            }
        }

        if (_located.Count == 0)
        {
            return;
        }

        foreach (var claim in _located)
        {
            if (!_journals.Contains(claim.Journal))
            {
                _journals.Add(claim.Journal);
            }
        }

        // One record per journal for the whole write; there is one journal (the native sessions) unless a handler adds its own.
        var journal = _located[0].Journal;
        if (_located.TrueForAll(c => c.Journal == journal))
        {
            journal.Record(path, offset, end, _located);
        }
        else
        {
            foreach (var byJournal in _located.GroupBy(static c => c.Journal))
            {
                byJournal.Key.Record(path, offset, end, [.. byJournal]);
            }
        }

        _located.Clear();
    }

    public void Opened(string path)
    {
        foreach (var journal in _journals)
        {
            journal.FileOpened(path);
        }
    }

    public void AfterWrite(int completed)
    {
        for (var i = 0; i < completed; i++)
        {
            if (_claims[i] is { } claim)
            {
                claim.MarkWritten();
                _count--;
            }
        }

        _claims.RemoveRange(0, completed);
    }
}
