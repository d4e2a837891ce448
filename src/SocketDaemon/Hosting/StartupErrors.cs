using System.Text.Json;
using Microsoft.Extensions.Options;
using SocketDaemon.Listeners;

namespace SocketDaemon.Hosting;

/// <summary>
/// Turns what stopped start-up into the lines standard error shows and the exit code: one line per problem, naming
/// the key or the file, line and column, and never a stack trace.
/// </summary>
internal static class StartupErrors
{
    /// <summary><c>EX_CONFIG</c>, sysexits(3): systemd's <c>RestartPreventExitStatus=</c> can name it.</summary>
    public const int ConfigurationError = 78;

    /// <summary>Anything else that stopped start-up, such as an address in use.</summary>
    public const int CannotStart = 1;

    /// <summary>The lines (without the <c>socketdaemon: </c> prefix) and exit code for <paramref name="exception"/>.</summary>
    public static (IReadOnlyList<string> Lines, int ExitCode) Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case OptionsValidationException validation:
                return ([.. validation.Failures.Select(f => $"invalid configuration: {f}")], ConfigurationError);

            case AggregateException aggregate when aggregate.Flatten().InnerExceptions.All(e => e is OptionsValidationException):
                return ([.. aggregate.Flatten().InnerExceptions.SelectMany(e => Describe(e).Lines)], ConfigurationError);

            case ListenerBindException:
                return ([$"cannot start: {exception.Message}"], CannotStart);
        }

        if (FindInner<JsonException>(exception) is { } json)
        {
            var where = FileOf(exception) is { } file ? $"{file}: " : string.Empty;
            var line = json.LineNumber is { } l ? $"line {l + 1}, column {json.BytePositionInLine + 1}: " : string.Empty;
            return ([$"invalid configuration: {where}{line}{WithoutPosition(json.Message)}"], ConfigurationError);
        }

        if (IsFromConfiguration(exception))
        {
            // A missing --config file, a duplicate key in a JSON file, a value the binder refused.
            var inner = exception.InnerException is { } cause && exception is InvalidDataException ? $"{FileOf(exception)}: {cause.Message}" : exception.Message;
            return ([$"invalid configuration: {inner}"], ConfigurationError);
        }

        return ([$"cannot start: {Innermost(exception).Message}"], CannotStart);
    }

    private static bool IsFromConfiguration(Exception exception) =>
        exception is InvalidOperationException or InvalidDataException or FileNotFoundException or FormatException
        && exception.StackTrace?.Contains("Microsoft.Extensions.Configuration", StringComparison.Ordinal) == true;

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        // The host wraps a failed start; the cause says what went wrong.
        var e = exception;
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return e;
    }

    // "Failed to load configuration from file '/etc/x.json'." names the file between quotes.
    private static string? FileOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InvalidDataException)
            {
                var start = e.Message.IndexOf('\'', StringComparison.Ordinal);
                var end = e.Message.LastIndexOf('\'');
                if (start >= 0 && end > start)
                {
                    return e.Message[(start + 1)..end];
                }
            }
        }

        return null;
    }

    // System.Text.Json appends "Path: $ | LineNumber: 2 | BytePositionInLine: 4."; the position is said once, first.
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        return cut < 0 ? message : message[..cut];
    }
}
