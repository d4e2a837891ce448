using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.File;

namespace SocketDaemon.Pipeline.Internal;

/// <summary>Holds on to the file sink Serilog built, so that the daemon can ask it to fsync.</summary>
internal sealed class FlushableSink(ILogEventSink inner) : ILogEventSink, IDisposable
{
    public void Emit(LogEvent logEvent) => inner.Emit(logEvent);

    public void FlushToDisk() => (inner as IFlushableFileSink)?.FlushToDisk();

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
