using System.Text;
using SocketDaemon.Syslog;

namespace SocketDaemon.Tests.Syslog;

/// <summary>
/// The parsers against the RFCs' own examples (RFC 5424 section 6.5, RFC 3164 section 5.4), captures of util-linux
/// <c>logger</c> 2.38 and Python's <c>SysLogHandler</c>, and inputs from rsyslog's parser tests.
/// </summary>
public class SyslogParserTests
{
    private const MessageFormat R5424 = MessageFormat.Rfc5424;
    private const MessageFormat R3164 = MessageFormat.Rfc3164;

    public static TheoryData<string, ParsedFields> Messages => new()
    {
        // RFC 5424 section 6.5, examples 1-4.
        {
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
            new(R5424, "auth", "crit", "2003-10-11T22:14:15.003Z", "mymachine.example.com", "su", null, "ID47", null, "'su root' failed for lonvick on /dev/pts/8")
        },
        {
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
            new(R5424, "local4", "notice", "2003-08-24T05:14:15.000003-07:00", "192.0.2.1", "myproc", "8710", null, null, "%% It's time to make the do-nuts.")
        },
        {
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \uFEFFAn application event log entry...",
            new(R5424, "local4", "notice", "2003-10-11T22:14:15.003Z", "mymachine.example.com", "evntslog", null, "ID47", "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]", "An application event log entry...")
        },
        {
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
            new(R5424, "local4", "notice", "2003-10-11T22:14:15.003Z", "mymachine.example.com", "evntslog", null, "ID47", "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]", null)
        },

        // RFC 3164 section 5.4, examples 1 and 3 (2 and 4 are relayed forms with a PRI added).
        {
            "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
            new(R3164, "auth", "crit", "Oct 11 22:14:15", "mymachine", "su", null, null, null, "'su root' failed for lonvick on /dev/pts/8")
        },
        {
            "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",
            new(R3164, "user", "notice", "Feb  5 17:32:18", "10.0.0.99", null, null, null, null, "Use the BFG!")
        },
        {
            "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
            new(R3164, "kern", "emerg", null, null, null, null, null, null, "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")
        },

        // util-linux logger 2.38: --rfc5424 --sd-id --sd-param --msgid over UDP.
        {
            "<13>1 2026-12-03T06:03:08.401295+00:00 vm myapp - ID47 [timeQuality tzKnown=\"1\" isSynced=\"0\"][zoo@123 tiger=\"hungry\" zebra=\"running \\\"fast\\\"\"] hello 5424",
            new(R5424, "user", "notice", "2026-12-03T06:03:08.401295+00:00", "vm", "myapp", null, "ID47", "[timeQuality tzKnown=\"1\" isSynced=\"0\"][zoo@123 tiger=\"hungry\" zebra=\"running \\\"fast\\\"\"]", "hello 5424")
        },

        // logger --rfc3164 -i over UDP, and logger -u to a local socket (the /dev/log form: no hostname).
        {
            "<13>Dec  3 06:03:08 vm myapp[27443]: hello 3164",
            new(R3164, "user", "notice", "Dec  3 06:03:08", "vm", "myapp", "27443", null, null, "hello 3164")
        },
        {
            "<36>Dec  3 06:03:08 myapp: hello local",
            new(R3164, "auth", "warning", "Dec  3 06:03:08", null, "myapp", null, null, null, "hello local")
        },
        {
            "<30>Dec 13 06:03:08 systemd[1]: Started Session 7 of user root.",
            new(R3164, "daemon", "info", "Dec 13 06:03:08", null, "systemd", "1", null, null, "Started Session 7 of user root.")
        },

        // Python's SysLogHandler: no timestamp, no hostname; with an ident it starts with a tag.
        { "<12>python udp", new(R3164, "user", "warning", null, null, null, null, null, null, "python udp") },
        { "<11>pyapp[42]: python ident", new(R3164, "user", "err", null, null, "pyapp", "42", null, null, "python ident") },

        // rsyslog's own parser tests and fuzz corpus.
        {
            "Oct 11 22:14:15 host.example app[123]: legacy message without PRI",
            new(R3164, null, null, "Oct 11 22:14:15", "host.example", "app", "123", null, null, "legacy message without PRI")
        },
        {
            "<13>2026-07-23T09:30:45.123+02:00 host daemon: timestamp variant",
            new(R3164, "user", "notice", "2026-07-23T09:30:45.123+02:00", "host", "daemon", null, null, null, "timestamp variant")
        },
        { "<0>x", new(R3164, "kern", "emerg", null, null, null, null, null, null, "x") },
        {
            "<34>1 2026-07-23T09:30:45+02:00 host app 123 msg [meta@32473 value=\"escaped\\]bracket\" quote=\"\\\"\"] payload",
            new(R5424, "auth", "crit", "2026-07-23T09:30:45+02:00", "host", "app", "123", "msg", "[meta@32473 value=\"escaped\\]bracket\" quote=\"\\\"\"]", "payload")
        },
        { "<13>1 - - - - - - minimal", new(R5424, "user", "notice", null, null, null, null, null, null, "minimal") },
        { "<13>1 2019-05-15T11:21:57+03:00 domain.tld tag - - -  nosd-sp", new(R5424, "user", "notice", "2019-05-15T11:21:57+03:00", "domain.tld", "tag", null, null, null, " nosd-sp") },
        {
            "<38> Mar  7 19:06:53 example tag: testmessage (only date actually tested)",
            new(R3164, "auth", "info", "Mar  7 19:06:53", "example", "tag", null, null, null, "testmessage (only date actually tested)")
        },
        {
            "<129>Mar 10 01:00:00 Hostname2 tag2:  msgnum:2",
            new(R3164, "local0", "alert", "Mar 10 01:00:00", "Hostname2", "tag2", null, null, null, " msgnum:2")
        },

        // syslog-ng's test_syslog_format.c: a space after the PRI, a tag that is an address, an ISO time without zone.
        { "<189> program[pid]: message", new(R3164, "local7", "notice", null, null, "program", "pid", null, null, "message") },
        { "<14> leading space kept", new(R3164, "user", "info", null, null, null, null, null, null, " leading space kept") },
        {
            "<189> Feb  3 12:34:56 host 127.0.0.1[pid]: message",
            new(R3164, "local7", "notice", "Feb  3 12:34:56", "host", "127.0.0.1", "pid", null, null, "message")
        },
        {
            "<182>2022-08-17T05:02:28.217 mymachine su: 'su root' failed",
            new(R3164, "local6", "info", "2022-08-17T05:02:28.217", "mymachine", "su", null, null, null, "'su root' failed")
        },

        // An empty message after a complete header, and after a PRI alone.
        { "<14>1 2026-01-01T00:00:00Z h a p m - ", new(R5424, "user", "info", "2026-01-01T00:00:00Z", "h", "a", "p", "m", null, string.Empty) },
        { "<14>", new(R3164, "user", "info", null, null, null, null, null, null, string.Empty) },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_sender_form_parses_to_its_fields(string message, ParsedFields expected) =>
        Assert.Equal(expected, ParsedFields.Parse(message));

    [Theory]
    [InlineData("this is not syslog")]
    [InlineData("")]
    [InlineData("<192>Oct 11 22:14:15 host tag: PRI over 191")]
    [InlineData("<>empty PRI")]
    [InlineData("<1234>four digits")]
    [InlineData("<13")]
    [InlineData("<13>1 2026-01-01T00:00:00Z host app - - [unterminated sd=\"x\"")]
    [InlineData("<13>1 2026-01-01T00:00:00Z host app - -")]
    [InlineData("<13>1 2026-13 host app - - - not a timestamp")]
    [InlineData("<13>1 2026-01-01T00:00:00Z host app - - [id p=\"v\"]no space before MSG")]
    [InlineData("<13>1 2026-01-01T00:00:00Z host app - - [ bad=\"id\"] x")]
    public void What_is_not_syslog_does_not_parse(string message) => Assert.Null(ParsedFields.Parse(message));

    [Fact]
    public void Structured_data_values_are_read_with_their_escapes_undone()
    {
        var sd = "[a@1 q=\"say \\\"hi\\\"\" b=\"back\\\\slash\" c=\"close\\]\" d=\"keep \\n as is\"][b@2]"u8;
        var position = 0;
        Assert.True(StructuredDataReader.TrySkip(sd, ref position));
        Assert.Equal(sd.Length, position);

        var reader = new StructuredDataReader(sd);
        var read = new List<string>();
        while (reader.NextElement(out var id))
        {
            read.Add(Encoding.UTF8.GetString(id));
            while (reader.NextParam(out var name, out var value))
            {
                var unescaped = new byte[value.Length];
                read.Add(Encoding.UTF8.GetString(name) + "=" + Encoding.UTF8.GetString(unescaped, 0, StructuredDataReader.Unescape(value, unescaped)));
            }
        }

        Assert.Equal(["a@1", "q=say \"hi\"", "b=back\\slash", "c=close]", "d=keep \\n as is", "b@2"], read);
    }

    [Theory]
    [InlineData("{\"message\":\"hi\",\"severity\":\"warning\",\"hostname\":\"h\",\"appname\":\"a\",\"facility\":\"local3\"}", "hi", 4, 19)]
    [InlineData(" {\"msg\":\"x\",\"level\":3,\"extra\":{\"nested\":[1,2]}}\n", "x", 3, null)]
    public void A_json_object_gives_its_known_members(string json, string message, int severity, int? facility)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.True(JsonMessageParser.TryParse(bytes, out var header));
        Assert.Equal(MessageFormat.Json, header.Format);
        Assert.Equal(message, Encoding.UTF8.GetString(header.Message.Of(bytes)));
        Assert.Equal(severity, header.Severity);
        Assert.Equal(facility, header.Facility);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":\"\u0001\"}")]
    public void What_is_not_one_json_object_does_not_parse_as_json(string text) =>
        Assert.False(JsonMessageParser.TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Theory]
    [InlineData("emerg", 0)]
    [InlineData("Warning", 4)]
    [InlineData("warn", 4)]
    [InlineData("error", 3)]
    [InlineData("7", 7)]
    public void Severity_keywords_and_aliases_name_their_number(string name, int expected)
    {
        Assert.True(SyslogKeywords.TryParseSeverity(name, out var severity));
        Assert.Equal(expected, severity);
    }

    [Theory]
    [InlineData("loud")]
    [InlineData("8")]
    [InlineData("-1")]
    public void Unknown_severities_are_refused(string name) => Assert.False(SyslogKeywords.TryParseSeverity(name, out _));
}
