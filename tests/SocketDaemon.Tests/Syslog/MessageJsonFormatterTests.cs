using CsCheck;
using System.Text;
using System.Text.Json;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Syslog;
using SocketDaemon.Tests.Framing;
using SocketDaemon.Pipeline;

namespace SocketDaemon.Tests.Syslog;

/// <summary>The JSON lines of <c>Log</c> with <c>Format: json</c> (<c>docs/json-format.md</c>).</summary>
public class MessageJsonFormatterTests
{
    [Fact]
    public void An_rfc5424_message_becomes_one_object_with_every_field()
    {
        var line = JsonLines.Format(
            Encoding.UTF8.GetBytes("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 42 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\\"ication\\]\"][examplePriority@32473 class=\"high\"] \uFEFFAn application event"),
            ParseFormat.Syslog);

        Assert.Equal(
            "{\"received\":\"2026-12-03T06:00:00.123456+00:00\",\"listener\":\"tcp\",\"peer\":{\"address\":\"127.0.0.1:5140\"},"
            + "\"facility\":\"local4\",\"severity\":\"notice\",\"timestamp\":\"2003-10-11T22:14:15.003000+00:00\",\"hostname\":\"mymachine.example.com\","
            + "\"appname\":\"evntslog\",\"procid\":\"42\",\"msgid\":\"ID47\","
            + "\"sd\":{\"exampleSDID@32473\":{\"iut\":\"3\",\"eventSource\":\"Appl\\\"ication]\"},\"examplePriority@32473\":{\"class\":\"high\"}},"
            + "\"message\":\"An application event\"}",
            line);
    }

    [Fact]
    public void A_local_peer_shows_its_pid_uid_gid_and_comm()
    {
        var line = JsonLines.Parse(JsonLines.Format("<36>Dec  3 06:03:08 myapp: hello"u8.ToArray(), ParseFormat.Syslog, context: JsonLines.Context(PeerInfo.FromCredentials(12, 1000, 100, "my\"app"))));

        var peer = line.GetProperty("peer");
        Assert.Equal(12, peer.GetProperty("pid").GetInt32());
        Assert.Equal(1000u, peer.GetProperty("uid").GetUInt32());
        Assert.Equal(100u, peer.GetProperty("gid").GetUInt32());
        Assert.Equal("my\"app", peer.GetProperty("comm").GetString());
        Assert.False(peer.TryGetProperty("address", out _));
        Assert.Equal("myapp", line.Get("appname"));
        Assert.Null(line.Get("hostname"));
    }

    [Fact]
    public void A_bsd_timestamp_gets_the_receive_year_and_the_local_offset()
    {
        var line = JsonLines.Parse(JsonLines.Format("<36>Dec  3 06:03:08 myapp: hello"u8.ToArray(), ParseFormat.Syslog));

        var local = new DateTime(2026, 12, 3, 6, 3, 8, DateTimeKind.Unspecified);
        Assert.Equal(new DateTimeOffset(local, TimeZoneInfo.Local.GetUtcOffset(local)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture), line.Get("timestamp"));
    }

    [Fact]
    public void Without_a_parse_step_the_whole_text_is_the_message()
    {
        var line = JsonLines.Parse(JsonLines.Format("<13>1 - - - - - - not parsed"u8.ToArray(), format: null));

        Assert.Equal("<13>1 - - - - - - not parsed", line.Get("message"));
        Assert.Null(line.Get("severity"));
        Assert.Null(line.Get("parse_error"));
    }

    [Fact]
    public void A_message_that_does_not_parse_is_kept_whole_and_marked()
    {
        var counters = new ParseCounters();
        var line = JsonLines.Parse(JsonLines.Format("no syslog here"u8.ToArray(), ParseFormat.Syslog, counters));

        Assert.Equal("no syslog here", line.Get("message"));
        Assert.Equal("true", line.Get("parse_error"));
        Assert.Equal(1, counters.For("tcp").Errors);
        Assert.Equal(0, counters.For("tcp").Parsed);
    }

    [Fact]
    public void Under_auto_text_is_text_and_not_an_error()
    {
        var counters = new ParseCounters();
        var line = JsonLines.Parse(JsonLines.Format("plain words"u8.ToArray(), ParseFormat.Auto, counters));

        Assert.Equal("plain words", line.Get("message"));
        Assert.Null(line.Get("parse_error"));
        Assert.Equal(0, counters.For("tcp").Errors);
    }

    [Fact]
    public void A_json_message_keeps_its_object_on_one_line_and_gives_its_known_members()
    {
        var line = JsonLines.Parse(JsonLines.Format("{ \"message\": \"a\\nb\",\n  \"severity\": \"err\", \"n\": [1, 2] }"u8.ToArray(), ParseFormat.Auto));

        Assert.Equal("a\nb", line.Get("message"));
        Assert.Equal("err", line.Get("severity"));
        Assert.Equal("{\"message\":\"a\\nb\",\"severity\":\"err\",\"n\":[1,2]}", line.GetProperty("json").GetRawText());
    }

    [Fact]
    public void Control_bytes_and_invalid_utf8_are_escaped_valid_utf8_is_kept()
    {
        var message = new byte[] { (byte)'a', 0, 0x1b, (byte)'\t', (byte)'"', (byte)'\\', 0xff, 0xc3, 0xa9, 0xe2, 0x82 };

        var line = JsonLines.Format(message, ParseFormat.Auto);

        Assert.Contains("\"message\":\"a\\u0000\\u001b\\t\\\"\\\\\\ufffdé\\ufffd\"", line, StringComparison.Ordinal);
        Assert.Equal("a\0\u001b\t\"\\\uFFFDé\uFFFD", JsonLines.Parse(line).Get("message"));
    }

    [Fact]
    public void A_message_across_two_segments_gives_the_same_line_as_in_one()
    {
        var bytes = "<13>1 2026-01-01T00:00:00Z host app 1 m [a@1 b=\"c\"] split é message"u8.ToArray();
        var whole = JsonLines.Format(bytes, ParseFormat.Syslog);

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            Assert.Equal(whole, JsonLines.Format(bytes, ParseFormat.Syslog, payload: SequenceFactory.Split(bytes, [cut])));
        }
    }

    [Fact]
    public void Every_line_is_valid_json_whatever_the_bytes() =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            foreach (var format in new ParseFormat?[] { null, ParseFormat.Auto, ParseFormat.Syslog, ParseFormat.Json })
            {
                using var document = JsonDocument.Parse(JsonLines.Format(bytes, format));
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
        }, iter: 2000);

    // SD names and values with what is hard for a one-pass writer: backslashes before any byte, control bytes,
    // valid and invalid UTF-8, and the grammar's own characters inside values.
    private static readonly Gen<byte[]> SdName = Gen.Byte[33, 126].Where(b => b is not ((byte)'=' or (byte)']' or (byte)'"')).Array[1, 8];

    private static readonly Gen<byte[]> SdValue = Gen.OneOf(
        Gen.Byte.Where(b => b is not ((byte)'"' or (byte)'\\')).Select(b => new[] { b }),
        Gen.Byte.Select(b => new[] { (byte)'\\', b }),
        Gen.OneOfConst("é"u8.ToArray(), "\u20ac"u8.ToArray(), "=] ["u8.ToArray())).Array[0, 8].Select(parts => parts.SelectMany(p => p).ToArray());

    [Fact]
    public void Structured_data_is_written_as_reading_it_element_by_element_writes_it() =>
        Gen.Select(SdName, Gen.Select(SdName, SdValue).Array[0, 3]).Array[1, 3].Sample(elements =>
        {
            var sd = new List<byte>();
            foreach (var (id, parameters) in elements)
            {
                sd.Add((byte)'[');
                sd.AddRange(id);
                foreach (var (name, value) in parameters)
                {
                    sd.Add((byte)' ');
                    sd.AddRange(name);
                    sd.AddRange("=\""u8.ToArray());
                    sd.AddRange(value);
                    sd.Add((byte)'"');
                }

                sd.Add((byte)']');
            }

            var message = "<13>1 - h a p m "u8.ToArray().Concat(sd).Concat(" text"u8.ToArray()).ToArray();
            var line = JsonLines.Format(message, ParseFormat.Syslog);

            Assert.Contains(",\"sd\":" + ReferenceStructuredData([.. sd]) + ",\"message\":\"text\"}", line, StringComparison.Ordinal);
            using var document = JsonDocument.Parse(line);
        }, iter: 3000);

    // What the formatter wrote before it trusted the parser's check: StructuredDataReader, then each part escaped.
    private static string ReferenceStructuredData(byte[] sd)
    {
        var output = new List<byte>();
        void Escaped(ReadOnlySpan<byte> bytes)
        {
            var escaped = new byte[JsonEscaping.MaxEscapedLength(bytes.Length)];
            output.AddRange(escaped.AsSpan(0, JsonEscaping.Escape(bytes, escaped)).ToArray());
        }

        output.Add((byte)'{');
        var reader = new StructuredDataReader(sd);
        var firstElement = true;
        while (reader.NextElement(out var id))
        {
            output.AddRange(firstElement ? "\""u8.ToArray() : ",\""u8.ToArray());
            firstElement = false;
            Escaped(id);
            output.AddRange("\":{"u8.ToArray());
            var firstParam = true;
            while (reader.NextParam(out var name, out var value))
            {
                output.AddRange(firstParam ? "\""u8.ToArray() : ",\""u8.ToArray());
                firstParam = false;
                Escaped(name);
                output.AddRange("\":\""u8.ToArray());
                while (true)
                {
                    var backslash = value.IndexOf((byte)'\\');
                    if (backslash < 0)
                    {
                        Escaped(value);
                        break;
                    }

                    Escaped(value[..backslash]);
                    Escaped(value[backslash + 1] is (byte)'"' or (byte)'\\' or (byte)']' ? value.Slice(backslash + 1, 1) : value.Slice(backslash, 2));
                    value = value[(backslash + 2)..];
                }

                output.Add((byte)'"');
            }

            output.Add((byte)'}');
        }

        output.Add((byte)'}');
        return Encoding.UTF8.GetString([.. output]);
    }
}
