using System.Globalization;
using System.Text;

namespace SocketDaemon.Logging;

/// <summary>
/// The parts of every entry's RFC 5424 text that do not change from one entry to the next, encoded as UTF-8 once:
/// <c>&lt;PRI&gt;1 </c> and the level's parameter for each level, and <c> HOSTNAME APP-NAME PROCID </c>.
/// </summary>
internal sealed class EntryFormat
{
    private static readonly string[] LevelNames = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    private readonly byte[][] _priorities;
    private readonly byte[][] _levels;
    private readonly byte[] _origin;

    public EntryFormat(int facility, string host, string app, int processId, bool includeScopes)
    {
        IncludeScopes = includeScopes;
        _priorities = new byte[LevelNames.Length][];
        _levels = new byte[LevelNames.Length][];
        for (var level = 0; level < LevelNames.Length; level++)
        {
            _priorities[level] = Encoding.ASCII.GetBytes($"<{(facility * 8) + Rfc5424Writer.Severity(level)}>1 ");
            _levels[level] = Encoding.ASCII.GetBytes($" [{Rfc5424Writer.ElementId} level=\"{LevelNames[level]}\"");
        }

        var origin = Rfc5424Utf8Writer.Rent();
        origin.Write(" "u8);
        origin.WriteHeaderField(host, 255);
        origin.Write(" "u8);
        origin.WriteHeaderField(app, 48);
        origin.Write(" "u8);
        origin.WriteText(processId.ToString(CultureInfo.InvariantCulture));
        origin.Write(" "u8);
        _origin = origin.Written.ToArray();
        origin.Return();
    }

    /// <summary>Whether the entry's scopes travel as fields.</summary>
    public bool IncludeScopes { get; }

    /// <summary>Encodes <c> name="value"</c> once, for a value that is the same in every entry of a logger (its category).</summary>
    public static byte[] Param(string name, string value)
    {
        var writer = Rfc5424Utf8Writer.Rent();
        writer.WriteParamName(name);
        writer.WriteEscaped(value);
        writer.Write("\""u8);
        var bytes = writer.Written.ToArray();
        writer.Return();
        return bytes;
    }

    /// <summary>
    /// Writes the header and opens the structured-data element: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID
    /// MSGID [meta@32473 level="…"</c>; parameters follow, and <see cref="End"/> closes it.
    /// </summary>
    public void Begin(Rfc5424Utf8Writer writer, int level, DateTime utc, string? messageId)
    {
        writer.Write(_priorities[level]);
        writer.WriteTimestamp(utc);
        writer.Write(_origin);
        writer.WriteHeaderField(messageId, 32);
        writer.Write(_levels[level]);
    }

    /// <summary>Closes the element and writes the text and, on lines of their own, the exception.</summary>
    public static void End(Rfc5424Utf8Writer writer, string? message, string? exception)
    {
        writer.Write("] "u8);
        writer.WriteText(message);
        if (!string.IsNullOrEmpty(exception))
        {
            writer.Write("\n"u8);
            writer.WriteText(exception);
        }
    }
}
