using System.Net.Sockets;
using SocketDaemon.Listeners;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>The socket file is the daemon's to make, guard and remove; nobody else's file is ever touched.</summary>
public class SocketFileTests
{
    private static Dictionary<string, string?> ListenOn(string path, string? mode = null)
    {
        var settings = new Dictionary<string, string?> { ["SocketDaemon:Listeners:unix:Endpoint"] = "unix:" + path };
        if (mode is not null)
        {
            settings["SocketDaemon:Listeners:unix:Mode"] = mode;
        }

        return settings;
    }

    [Fact]
    public async Task A_stale_socket_file_left_by_a_crash_is_replaced()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("stale.sock");
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET removes the file of a socket it bound when the socket is disposed; a crash does not.
            // Moving the file away first leaves it behind, as a crash would.
            crashed.Bind(new UnixDomainSocketEndPoint(directory.Combine("bound.sock")));
            crashed.Listen();
            File.Move(directory.Combine("bound.sock"), path);
        }

        Assert.True(File.Exists(path), "the socket file outlives its socket, as after a crash");

        await using var daemon = await TestDaemon.StartAsync(ListenOn(path), defaultListeners: false);
        await using (var client = await TestDaemon.ConnectAsync(daemon.Listeners["unix"].Endpoint))
        {
            await client.SendAsync("after the stale file");
        }

        await daemon.Log.WaitForTextAsync("after the stale file");
    }

    [Fact]
    public async Task A_socket_another_process_listens_on_stops_start_up()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("live.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen();

        var error = await Assert.ThrowsAsync<ListenerBindException>(() => TestDaemon.StartAsync(ListenOn(path), defaultListeners: false));

        Assert.Equal($"SocketDaemon:Listeners:unix:Endpoint: {path} is in use by another process (pid={Environment.ProcessId} uid={error.Message.Split("uid=")[1]}", error.Message);
        Assert.Contains("is another socketdaemon running?", error.Message, StringComparison.Ordinal);
        using var stillThere = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await stillThere.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(Wait.Timeout);
    }

    [Fact]
    public async Task A_regular_file_at_the_path_stops_start_up_and_is_left_alone()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("notes.txt");
        await File.WriteAllTextAsync(path, "precious");

        var error = await Assert.ThrowsAsync<ListenerBindException>(() => TestDaemon.StartAsync(ListenOn(path), defaultListeners: false));

        Assert.Equal($"SocketDaemon:Listeners:unix:Endpoint: {path} exists and is not a socket; remove it or choose another path", error.Message);
        Assert.Equal("precious", await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData(null, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite)]
    [InlineData("0600", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("666", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    public async Task The_socket_file_gets_its_configured_mode(string? mode, UnixFileMode expected)
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("mode.sock");

        await using var daemon = await TestDaemon.StartAsync(ListenOn(path, mode), defaultListeners: false);

        Assert.Equal(expected, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task The_socket_file_is_removed_at_stop()
    {
        await using var daemon = await TestDaemon.StartAsync();
        Assert.True(File.Exists(daemon.SocketPath));

        await daemon.StopAsync();

        Assert.False(File.Exists(daemon.SocketPath));
    }

    [Fact]
    public async Task A_missing_directory_for_the_socket_is_created()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("run/socketdaemon/d.sock");

        await using var daemon = await TestDaemon.StartAsync(ListenOn(path), defaultListeners: false);

        Assert.True(File.Exists(path));
    }
}
