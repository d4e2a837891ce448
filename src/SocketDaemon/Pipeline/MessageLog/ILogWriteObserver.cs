namespace SocketDaemon.Pipeline.MessageLog;

/// <summary>Told by a <see cref="RollingLogFile"/> where each of its writes goes, before and after it.</summary>
internal interface ILogWriteObserver
{
    /// <summary>
    /// <paramref name="group"/> goes to <paramref name="path"/> at <paramref name="offset"/> in one write; its first
    /// <paramref name="completed"/> buffers end in it (the last one may be cut by a roll and go on in the next file).
    /// </summary>
    void BeforeWrite(string path, long offset, IReadOnlyList<ReadOnlyMemory<byte>> group, int completed);

    /// <summary>
    /// <paramref name="path"/> was opened: it may be another file than the one of that name written before (logrotate
    /// renamed that one, and the writer reopened the name).
    /// </summary>
    void Opened(string path);

    /// <summary>The write announced last returned: its first <paramref name="completed"/> buffers are written.</summary>
    void AfterWrite(int completed);
}
