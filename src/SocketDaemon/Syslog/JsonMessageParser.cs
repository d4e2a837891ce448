using System.Text.Json;

namespace SocketDaemon.Syslog;

/// <summary>
/// Reads a message that is one JSON object, taking the top-level members whose names are those of the JSON lines
/// (<c>docs/json-format.md</c>) and their common synonyms: <c>message</c>/<c>msg</c>, <c>hostname</c>/<c>host</c>,
/// <c>appname</c>/<c>app</c>, <c>procid</c>/<c>pid</c>, <c>msgid</c>, <c>timestamp</c>/<c>time</c>,
/// <c>facility</c> and <c>severity</c>/<c>level</c> (a keyword or a number). String fields are ranges of the raw
/// JSON string contents, escapes included.
/// </summary>
public static class JsonMessageParser
{
    /// <summary>Whether <paramref name="message"/> is one JSON object (whitespace around it allowed).</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SyslogHeader header)
    {
        header = default;
        var trimmed = message.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            return TryRead(message, ref header);
        }
        catch (JsonException)
        {
            header = default;
            return false;
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> message, ref SyslogHeader header)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escapedName = reader.ValueIsEscaped;
            reader.Read();
            if (!escapedName)
            {
                Take(ref header, ref reader, name);
            }

            reader.Skip();
        }

        // The reader has checked the object; nothing but whitespace may follow it.
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
        {
            return false;
        }

        header.Format = MessageFormat.Json;
        return true;
    }

    private static void Take(ref SyslogHeader header, ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            if (name.SequenceEqual("severity"u8) || name.SequenceEqual("level"u8))
            {
                header.Severity = number is >= 0 and < SyslogKeywords.SeverityCount ? number : header.Severity;
            }
            else if (name.SequenceEqual("facility"u8))
            {
                header.Facility = number is >= 0 and < SyslogKeywords.FacilityCount ? number : header.Facility;
            }
            else if (name.SequenceEqual("procid"u8) || name.SequenceEqual("pid"u8))
            {
                header.ProcId = new FieldRange((int)reader.TokenStartIndex, reader.ValueSpan.Length);
            }

            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return;
        }

        // The contents between the quotes, escapes and all.
        var range = new FieldRange((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        switch (name)
        {
            case var n when n.SequenceEqual("message"u8) || n.SequenceEqual("msg"u8):
                header.Message = range;
                break;
            case var n when n.SequenceEqual("hostname"u8) || n.SequenceEqual("host"u8):
                header.Hostname = range;
                break;
            case var n when n.SequenceEqual("appname"u8) || n.SequenceEqual("app"u8):
                header.AppName = range;
                break;
            case var n when n.SequenceEqual("procid"u8) || n.SequenceEqual("pid"u8):
                header.ProcId = range;
                break;
            case var n when n.SequenceEqual("msgid"u8):
                header.MsgId = range;
                break;
            case var n when n.SequenceEqual("timestamp"u8) || n.SequenceEqual("time"u8):
                header.Timestamp = range;
                break;
            case var n when n.SequenceEqual("severity"u8) || n.SequenceEqual("level"u8):
                var severity = SyslogKeywords.SeverityOf(reader.ValueSpan);
                header.Severity = severity >= 0 ? severity : header.Severity;
                break;
            case var n when n.SequenceEqual("facility"u8):
                var facility = SyslogKeywords.FacilityOf(reader.ValueSpan);
                header.Facility = facility >= 0 ? facility : header.Facility;
                break;
        }
    }
}
