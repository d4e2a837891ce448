using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using SocketDaemon.Logging;

namespace SocketDaemon.Tests.Client.Logging;

public sealed partial class Rfc5424WriterTests
{
    [Fact]
    public void Any_param_value_comes_back_unchanged_after_unescaping_and_never_ends_the_element_early()
    {
        Gen.String.Sample(value =>
        {
            var message = Rfc5424Writer.Begin(1, 6, DateTimeOffset.UnixEpoch, "host", "app", 7, null).Param("v", value).End("text", null);
            var match = Element().Match(message);
            Assert.True(match.Success, message);
            Assert.Equal(value, Unescape(match.Groups[1].Value));
            Assert.EndsWith("] text", message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Header_fields_are_printable_ascii_without_spaces_and_the_timestamp_has_six_fraction_digits()
    {
        var timestamp = new DateTimeOffset(2026, 12, 3, 6, 32, 46, TimeSpan.FromHours(2)).AddTicks(7_015_419);
        var message = Rfc5424Writer.Begin(16, 3, timestamp, "my host", "app\tname", 42, "Order Failed").End("text", "boom");
        Assert.Equal("<131>1 2026-12-03T04:32:46.701541Z my_host app_name 42 Order_Failed - text\nboom", message);
    }

    private static string Unescape(string escaped)
    {
        var text = new StringBuilder();
        for (var i = 0; i < escaped.Length; i++)
        {
            text.Append(escaped[i] == '\\' && i + 1 < escaped.Length && escaped[i + 1] is '"' or '\\' or ']' ? escaped[++i] : escaped[i]);
        }

        return text.ToString();
    }

    // A PARAM-VALUE: any characters but an unescaped '"' (RFC 5424 6.3.3), and the element ends at the first unescaped ']'.
    [GeneratedRegex(@"\[meta@32473 v=""((?:[^""\\\]]|\\[""\\\]])*)""\]", RegexOptions.Singleline)]
    private static partial Regex Element();
}
