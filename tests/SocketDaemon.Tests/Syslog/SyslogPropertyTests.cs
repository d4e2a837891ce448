using System.Text;
using CsCheck;
using SocketDaemon.Syslog;

namespace SocketDaemon.Tests.Syslog;

/// <summary>Properties of the syslog parser over generated messages and random bytes.</summary>
public class SyslogPropertyTests
{
    // PRINTUSASCII, the header fields' alphabet, and the SD-NAME subset of it.
    private static readonly Gen<char> Print = Gen.Char['!', '~'];
    private static readonly Gen<char> NameChar = Print.Where(c => c is not ('=' or ']' or '"'));

    private static Gen<string?> Field(int max) =>
        Gen.Frequency((1, Gen.Const<string?>(default(string))), (4, Print.Array[1, max].Select(c => (string?)new string(c)).Where(s => s != "-")));

    private static readonly Gen<string> Name = NameChar.Array[1, 32].Select(c => new string(c));

    private static readonly Gen<string> Value = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 20];

    private static readonly Gen<(string Id, (string Name, string Value)[] Params)[]> Sd =
        Gen.Select(Name, Gen.Select(Name, Value).Array[0, 3]).Array[0, 3];

    private static readonly Gen<string?> Timestamp =
        Gen.Frequency((1, Gen.Const<string?>(default(string))), (4, Gen.DateTime[new DateTime(1970, 1, 1), new DateTime(2100, 1, 1)].Select(d => (string?)d.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture))));

    private static readonly Gen<string?> Text = Gen.Frequency((1, Gen.Const<string?>(default(string))), (4, Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 40].Select(s => (string?)s)));

    [Fact]
    public void Any_valid_rfc5424_message_parses_back_to_its_fields() =>
        Gen.Select(Gen.Int[0, 191], Timestamp, Gen.Select(Field(255), Field(48), Field(128), Field(32)), Sd, Text, Gen.Bool)
            .Sample((pri, timestamp, header, sd, text, bom) =>
            {
                var (hostname, appName, procId, msgId) = header;
                var structured = sd.Length == 0 ? null : string.Concat(sd.Select(e =>
                    "[" + e.Id + string.Concat(e.Params.Select(p => " " + p.Name + "=\"" + Escape(p.Value) + "\"")) + "]"));
                var message = $"<{pri}>1 {timestamp ?? "-"} {hostname ?? "-"} {appName ?? "-"} {procId ?? "-"} {msgId ?? "-"} {structured ?? "-"}"
                    + (text is null ? string.Empty : " " + (bom ? "\uFEFF" : string.Empty) + text);

                var parsed = ParsedFields.Parse(message);

                Assert.Equal(
                    new ParsedFields(MessageFormat.Rfc5424, SyslogKeywords.Facility(pri >> 3), SyslogKeywords.Severity(pri & 7), timestamp, hostname, appName, procId, msgId, structured, text),
                    parsed);
            }, iter: 2000);

    [Fact]
    public void Any_bytes_either_parse_within_the_message_or_are_not_syslog() =>
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            if (!SyslogParser.TryParse(bytes, out var header))
            {
                return;
            }

            foreach (var field in new[] { header.Timestamp, header.Hostname, header.AppName, header.ProcId, header.MsgId, header.StructuredData, header.Message })
            {
                Assert.True(!field.IsPresent || field.Start + field.Length <= bytes.Length);
            }

            Assert.InRange(header.Facility ?? 0, 0, 23);
            Assert.InRange(header.Severity ?? 0, 0, 7);
        }, iter: 5000);

    [Fact]
    public void Syslog_like_noise_either_parses_or_is_not_syslog_never_throws() =>
        Gen.Select(Gen.OneOfConst("<13>1 ", "<34>", "<165>1 2003-10-11T22:14:15Z ", "Oct 11 22:14:15 ", "<13>Oct 11 22:14:15 h ", "<1>1 - - - - - ["), Gen.String[Gen.Char['\0', '\x7f'], 0, 80])
            .Sample((prefix, rest) =>
            {
                var bytes = Encoding.UTF8.GetBytes(prefix + rest);
                _ = ParsedFields.Parse(bytes);
                var position = 0;
                _ = StructuredDataReader.TrySkip(bytes, ref position);
                Assert.InRange(position, 0, bytes.Length);
            }, iter: 5000);

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);
}
