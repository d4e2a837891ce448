using System.Buffers;
using System.Text;
using CsCheck;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Syslog;

namespace SocketDaemon.Tests.Pipeline;

/// <summary>A Log step's templated <c>Path</c>: how it reads, what it renders, and that no value leaves the log directory.</summary>
public class LogPathTemplateTests
{
    private const string Allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+@.";

    private static LogPathTemplate Parse(string path)
    {
        Assert.True(LogPathTemplate.TryParse(path, out var template, out var error), error);
        return template!;
    }

    private static string Render(LogPathTemplate template, MessageContext context)
    {
        var buffer = new char[template.MaxLength];
        return new string(buffer, 0, template.Render(context, buffer));
    }

    // A context whose current message has the given hostname and app-name bytes, as a Parse step leaves it.
    private static MessageContext Parsed(byte[]? hostname, byte[]? appName, int? facility = null, int? severity = null, PeerInfo? peer = null)
    {
        var payload = (hostname ?? []).Concat(appName ?? []).ToArray();
        var context = new MessageContext("tcp", 1, peer ?? PeerInfo.Unknown, new NoServices());
        context.SetMessage(new ReadOnlySequence<byte>(payload), DateTimeOffset.UnixEpoch);
        context.Fields.Join(context.Payload);
        context.Fields.Set(new SyslogHeader
        {
            Format = MessageFormat.Rfc5424,
            Facility = facility,
            Severity = severity,
            Hostname = hostname is null ? default : new FieldRange(0, hostname.Length),
            AppName = appName is null ? default : new FieldRange(hostname?.Length ?? 0, appName.Length),
        });
        return context;
    }

    private static MessageContext Syslog(string message, PeerInfo? peer = null)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var context = new MessageContext("dgram", 1, peer ?? PeerInfo.Unknown, new NoServices());
        context.SetMessage(new ReadOnlySequence<byte>(bytes), DateTimeOffset.UnixEpoch);
        var joined = context.Fields.Join(context.Payload);
        Assert.True(SyslogParser.TryParse(joined, out var header));
        context.Fields.Set(header);
        return context;
    }

    [Fact]
    public void Every_placeholder_renders_its_property()
    {
        var template = Parse("{Listener}/{Hostname}/{Facility}.{Severity}/{AppName}-{Uid}-{Comm}.log");
        var context = Syslog("<34>1 2026-12-03T08:00:00Z web1.example sshd 42 - - hello", PeerInfo.FromCredentials(7, 1000, 1000, "sshd"));

        Assert.Equal("dgram/web1.example/auth.crit/sshd-1000-sshd.log", Render(template, context));
    }

    [Fact]
    public void A_property_the_message_does_not_have_is_unknown()
    {
        var template = Parse("{Hostname}/{AppName}-{Facility}-{Severity}-{Uid}-{Comm}.log");
        var unparsed = new MessageContext("tcp", 1, PeerInfo.Unknown, new NoServices());
        unparsed.SetMessage(new ReadOnlySequence<byte>("plain text"u8.ToArray()), DateTimeOffset.UnixEpoch);

        Assert.Equal("unknown/unknown-unknown-unknown-unknown-unknown.log", Render(template, unparsed));
        Assert.Equal("unknown/unknown.log", Render(Parse("{Hostname}/{AppName}.log"), Syslog("<13>1 - - - - - - nil fields")));
        Assert.Equal("unknown/unknown.log", Render(Parse("{Hostname}/{AppName}.log"), Parsed([], [])));
    }

    [Theory]
    [InlineData("../../etc/x", "_._.._etc_x")]
    [InlineData("a/b", "a_b")]
    [InlineData("a\\b", "a_b")]
    [InlineData("..", "_.")]
    [InlineData(".", "_")]
    [InlineData(".hidden", "_hidden")]
    [InlineData("tab\there\0nul\nline", "tab_here_nul_line")]
    [InlineData("späce ok", "sp__ce_ok")]
    [InlineData("app@host+1-2_3.x", "app@host+1-2_3.x")]
    public void Values_from_the_wire_are_made_safe(string value, string expected)
    {
        Assert.Equal($"apps/{expected}.log", Render(Parse("apps/{AppName}.log"), Parsed(null, Encoding.UTF8.GetBytes(value))));
    }

    [Fact]
    public void A_long_value_is_cut()
    {
        var rendered = Render(Parse("{AppName}"), Parsed(null, Encoding.ASCII.GetBytes(new string('a', 500))));

        Assert.Equal(new string('a', LogPathValue.MaxLength), rendered);
    }

    [Fact]
    public void Placeholder_names_are_not_case_sensitive()
    {
        Assert.Equal("x/myapp.log", Render(Parse("x/{appname}.log"), Parsed(null, "myapp"u8.ToArray())));
    }

    [Theory]
    [InlineData("apps/{Program}.log", "'{Program}' is not a property a path can name (one of {AppName}, {Hostname}, {Facility}, {Severity}, {Listener}, {Uid}, {Comm})")]
    [InlineData("apps/{AppName.log", "'apps/{AppName.log' has a '{' that is not part of a placeholder such as {AppName}")]
    [InlineData("apps/AppName}.log", "'apps/AppName}.log' has a '}' that is not part of a placeholder such as {AppName}")]
    [InlineData("{}.log", "'{}' is not a property a path can name (one of {AppName}, {Hostname}, {Facility}, {Severity}, {Listener}, {Uid}, {Comm})")]
    [InlineData("{AppName,Hostname}.log", "'{AppName,Hostname}' is not a property a path can name (one of {AppName}, {Hostname}, {Facility}, {Severity}, {Listener}, {Uid}, {Comm})")]
    public void A_path_that_cannot_be_read_says_why(string path, string expected)
    {
        Assert.False(LogPathTemplate.TryParse(path, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_file_name_that_could_pass_255_bytes_is_refused()
    {
        Assert.False(LogPathTemplate.TryParse("{AppName}{Hostname}{Comm}{Listener}.log", out _, out var error));
        Assert.Contains("longer than 255 bytes", error, StringComparison.Ordinal);
        Assert.True(LogPathTemplate.TryParse("{AppName}/{Hostname}/{Comm}/{Listener}.log", out _, out _));
    }

    [Fact]
    public void A_plain_path_is_not_a_template()
    {
        Assert.False(LogPathTemplate.IsTemplate("messages.log"));
        Assert.False(LogPathTemplate.IsTemplate(null));
        Assert.True(LogPathTemplate.IsTemplate("apps/{AppName}.log"));
    }

    [Fact]
    public void No_generated_value_leaves_the_directory_or_makes_an_invalid_name()
    {
        const string root = "/var/log/socketdaemon";
        var template = Parse("hosts/{Hostname}/{AppName}.log");
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 300]).Sample((hostname, appName) =>
        {
            var rendered = Render(template, Parsed(hostname, appName));
            var full = Path.GetFullPath(rendered, root);
            var parts = rendered.Split('/');

            Assert.StartsWith(root + "/hosts/", full, StringComparison.Ordinal);
            Assert.Equal(Path.Combine(root, rendered), full);
            Assert.Equal(3, parts.Length);
            Assert.All(parts, p => Assert.True(p.Length is > 0 and <= 255 && p is not ("." or "..") && p[0] != '.', p));
            Assert.All(rendered, c => Assert.True(c == '/' || Allowed.Contains(c, StringComparison.Ordinal), $"{(int)c}"));
        });
    }

    [Fact]
    public void Any_text_value_is_made_a_safe_file_name() =>
        Gen.String[Gen.Char, 0, 200].Sample(value =>
        {
            var buffer = new char[LogPathValue.MaxLength];
            var name = new string(buffer, 0, LogPathValue.Write(value.AsSpan(), buffer));

            Assert.InRange(name.Length, 1, LogPathValue.MaxLength);
            Assert.NotEqual('.', name[0]);
            Assert.All(name, c => Assert.Contains(c, Allowed));
            Assert.Equal(Path.Combine("/logs", name), Path.GetFullPath(name, "/logs"));
        });

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
