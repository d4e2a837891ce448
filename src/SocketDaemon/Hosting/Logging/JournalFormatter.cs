using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace SocketDaemon.Hosting.Logging;

/// <summary>
/// The operational log as the journal reads a stream: each line starts with its syslog priority in angle brackets
/// (sd-daemon(3): <c>&lt;4&gt;</c> for a warning), so that <c>journalctl -p warning</c> finds it, and carries no
/// timestamp, since the journal keeps its own.
/// </summary>
internal sealed class JournalFormatter : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _message = new("{Message:lj}{NewLine}{Exception}", CultureInfo.InvariantCulture);

    /// <summary>The sd-daemon(3) priority of <paramref name="level"/>.</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        _message.Format(logEvent, text);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"<{Priority(logEvent.Level)}>");

        // Every line is an entry of its own to the journal: an exception's lines keep the event's priority.
        foreach (var line in text.ToString().Split('\n'))
        {
            if (line.Length > 0)
            {
                output.Write(prefix);
                output.Write(line.TrimEnd('\r'));
                output.Write('\n');
            }
        }
    }
}
