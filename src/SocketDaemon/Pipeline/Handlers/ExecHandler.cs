using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using SocketDaemon.Diagnostics;
using SocketDaemon.Internal;

namespace SocketDaemon.Pipeline.Handlers;

/// <summary>
/// Hands messages to a long-lived child process over <c>socketpair(AF_UNIX, SOCK_STREAM)</c>, which is the child's
/// standard input and output: one message per line out, one line back. In <c>transform</c> mode the reply replaces
/// the message, which goes on (like rsyslog's mmexternal); in <c>consume</c> mode the child is the end (like omprog),
/// and with <c>ConfirmWithOk</c> a message counts only when the child answers <c>OK</c>. A child that dies is
/// restarted with a growing delay; one that does not answer within <c>Timeout</c> is restarted too, and the message
/// is not lost: transform passes it on unchanged, consume fails it.
/// </summary>
public sealed partial class ExecHandler : IAsyncDisposable
{
    private readonly ExecOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private Socket? _socket;
    private StreamReader? _reader;
    private NetworkStream? _stream;
    private TimeSpan _backoff = TimeSpan.FromMilliseconds(100);

    /// <summary>Creates the handler; the child starts with the first message.</summary>
    public ExecHandler(ExecOptions options, ILogger<ExecHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
    }

    /// <summary>Runs one message through the child; then, in transform mode, through <paramref name="next"/>.</summary>
    public async ValueTask InvokeAsync(MessageContext context, MessageDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        // The line protocol carries no newline inside a message: it is sent as a space.
        var line = context.Text.Replace('\n', ' ');
        var reply = await ExchangeAsync(line);
        if (_options.Transform)
        {
            if (reply is not null)
            {
                context.SetMessage(new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(reply)), context.ReceivedAt);
            }

            await next(context);
        }
        else if (_options.ConfirmWithOk && reply != "OK")
        {
            throw new IOException($"the child '{_options.Command}' did not confirm the message with OK (answered {(reply is null ? "nothing" : $"'{reply}'")})");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            Stop();
        }
        finally
        {
            _gate.Release();
            _gate.Dispose();
        }
    }

    private async Task<string?> ExchangeAsync(string line)
    {
        await _gate.WaitAsync();
        try
        {
            // One retry on a fresh child: a child that died between messages loses none.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                await EnsureStartedAsync();
                try
                {
                    using var timeout = new CancellationTokenSource(_options.Timeout);
                    await _stream!.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), timeout.Token);
                    if (!_options.Transform && !_options.ConfirmWithOk)
                    {
                        return null;
                    }

                    var reply = await _reader!.ReadLineAsync(timeout.Token);
                    if (reply is not null)
                    {
                        _backoff = TimeSpan.FromMilliseconds(100);
                        return reply;
                    }

                    ChildGone(_logger, _options.Command);
                }
                catch (OperationCanceledException)
                {
                    ChildTimedOut(_logger, _options.Command, _options.Timeout.TotalSeconds);
                    Stop();
                    return null;
                }
                catch (IOException)
                {
                    ChildGone(_logger, _options.Command);
                }

                Stop();
            }

            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsureStartedAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        if (_process is not null)
        {
            Stop();
            await Task.Delay(_backoff);
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }

        var (parent, child) = Libc.CreateSocketPair();
        try
        {
            // The shell makes the inherited end the child's stdin and stdout, closes the spare, and execs the command.
            // bash, because POSIX sh (dash) takes only one-digit descriptors in a redirection.
            var info = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"exec \"$0\" \"$@\" <&{child} >&{child} {child}>&-");
            info.ArgumentList.Add(_options.Command);
            foreach (var argument in _options.Args)
            {
                info.ArgumentList.Add(argument);
            }

            _process = Process.Start(info) ?? throw new IOException($"cannot start '{_options.Command}'");
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } text)
                {
                    ChildStandardError(_logger, _options.Command, text);
                }
            };
            _process.BeginErrorReadLine();
        }
        finally
        {
            Libc.Close(child);
        }

        _socket = new Socket(new System.Net.Sockets.SafeSocketHandle(parent, ownsHandle: true));
        _stream = new NetworkStream(_socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        ChildStarted(_logger, _options.Command, _process.Id);
    }

    private void Stop()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _reader?.Dispose();
        _stream?.Dispose();
        _process?.Dispose();
        _process = null;
        _reader = null;
        _stream = null;
        _socket = null;
    }

    [LoggerMessage(EventIds.ExecChildStarted, LogLevel.Information, "Exec: started '{Command}' as pid {Pid}")]
    private static partial void ChildStarted(ILogger logger, string command, int pid);

    [LoggerMessage(EventIds.ExecChildGone, LogLevel.Warning, "Exec: '{Command}' is gone; restarting it")]
    private static partial void ChildGone(ILogger logger, string command);

    [LoggerMessage(EventIds.ExecChildTimedOut, LogLevel.Warning, "Exec: '{Command}' did not answer within {Seconds} s; restarting it")]
    private static partial void ChildTimedOut(ILogger logger, string command, double seconds);

    [LoggerMessage(EventIds.ExecChildStandardError, LogLevel.Warning, "Exec: '{Command}' says: {Line}")]
    private static partial void ChildStandardError(ILogger logger, string command, string line);
}
