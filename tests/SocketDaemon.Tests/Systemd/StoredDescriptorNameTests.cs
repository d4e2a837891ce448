using CsCheck;
using SocketDaemon.Framing;
using SocketDaemon.Systemd;

namespace SocketDaemon.Tests.Systemd;

/// <summary>The names the daemon gives what it puts in systemd's store, which are all the next run knows after a crash.</summary>
public class StoredDescriptorNameTests
{
    [Theory]
    [InlineData("socketdaemon.listener.local", "Listener", "local", 0, FramingKind.Auto)]
    [InlineData("socketdaemon.listener.with.dots", "Listener", "with.dots", 0, FramingKind.Auto)]
    [InlineData("socketdaemon.connection.42.native.local", "Connection", "local", 42, FramingKind.Native)]
    [InlineData("socketdaemon.connection.7.seed.tcp.v4", "Connection", "tcp.v4", 7, FramingKind.Seed)]
    [InlineData("socketdaemon.pending.42", "Pending", "", 42, FramingKind.Auto)]
    public void Names_read_back_as_written(string text, string kind, string listener, long id, FramingKind framing)
    {
        var name = StoredDescriptorName.Parse(text);

        Assert.Equal(new StoredDescriptorName(Enum.Parse<StoredDescriptorKind>(kind), listener, id, framing), name);
        Assert.Equal(text, name!.ToString());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("socketdaemon.")]
    [InlineData("socketdaemon.listener.")]
    [InlineData("socketdaemon.pending.x")]
    [InlineData("socketdaemon.pending.0")]
    [InlineData("socketdaemon.connection.1.http.local")]
    [InlineData("socketdaemon.connection.1.1.local")]
    [InlineData("socketdaemon.connection.1.lines.")]
    [InlineData("socketdaemon.connection.-1.lines.local")]
    public void Names_the_daemon_does_not_write_are_not_taken(string text) =>
        Assert.Null(StoredDescriptorName.Parse(text));

    [Theory]
    [InlineData("socketdaemon.listener.local", true)]
    [InlineData("socketdaemon.listener.a:b", false)]
    [InlineData("socketdaemon.listener.tab\there", false)]
    [InlineData("socketdaemon.listener.é", false)]
    public void Only_names_systemd_accepts_are_valid(string text, bool valid) =>
        Assert.Equal(valid, StoredDescriptorName.IsValid(text));

    [Fact]
    public void Any_connection_name_reads_back_and_any_string_parses_without_throwing() =>
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.OneOfConst(FramingKind.Auto, FramingKind.Seed, FramingKind.Lines, FramingKind.Octet, FramingKind.Native), Gen.String[Gen.Char['!', '~'], 1, 40], Gen.String)
            .Sample((id, framing, listener, noise) =>
            {
                var name = StoredDescriptorName.ForConnection(id, framing, listener);
                Assert.Equal(name, StoredDescriptorName.Parse(name.ToString()));
                _ = StoredDescriptorName.Parse(StoredDescriptorName.Prefix + noise);
            }, iter: 500);
}
