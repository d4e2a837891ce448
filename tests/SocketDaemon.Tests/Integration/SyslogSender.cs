using SocketDaemon.Tests.Infrastructure;
using SocketDaemon.Tests.SyslogOutput;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// A real rsyslog or syslog-ng run unprivileged as a test sender: it takes messages on its own input (rsyslog
/// <c>imtcp</c> on a port, syslog-ng <c>unix-dgram()</c> on a path) and forwards each to every destination of its
/// configuration, as a relay in front of SocketDaemon would.
/// </summary>
internal sealed class SyslogSender : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _kind;
    private ChildProcess? _process;

    private SyslogSender(string kind) => _kind = kind;

    /// <summary>Where syslog-ng takes messages (a Unix datagram socket), or rsyslog's <c>imtcp</c> port.</summary>
    public string Input { get; private set; } = "";

    /// <summary>
    /// rsyslog taking RFC 5424 on <c>imtcp</c> and forwarding with <c>omfwd</c> to each of <paramref name="actions"/>,
    /// the parameters of one action each (<c>target</c>, <c>port</c>, <c>protocol</c>, framing, template).
    /// </summary>
    public static async Task<SyslogSender> StartRsyslogAsync(params string[] actions)
    {
        var sender = new SyslogSender("rsyslog");
        var dir = sender._directory.Path;
        var port = FreeTcpPort();
        sender.Input = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var conf = sender._directory.Combine("rsyslog.conf");
        await File.WriteAllTextAsync(conf, $$"""
            global(workDirectory="{{dir}}")
            module(load="imtcp")
            input(type="imtcp" address="127.0.0.1" port="{{port}}" ruleset="forward")
            ruleset(name="forward") {
            {{string.Join('\n', actions.Select(a => $"  action(type=\"omfwd\" target=\"127.0.0.1\" {a})"))}}
            }

            """);
        sender._process = ChildProcess.Start(SyslogCollector.Rsyslogd, ["-n", "-f", conf, "-i", sender._directory.Combine("rsyslog.pid"), "-M", "/opt/rsyslog/usr/lib/x86_64-linux-gnu/rsyslog"], workingDirectory: dir);
        await sender.WaitUntilReadyAsync(() => CanConnect(port));
        return sender;
    }

    /// <summary>
    /// syslog-ng taking RFC 5424 on a <c>unix-dgram()</c> source and sending to each of <paramref name="destinations"/>,
    /// one destination driver each (<c>syslog("127.0.0.1" port(…) transport("tcp"))</c>).
    /// </summary>
    public static async Task<SyslogSender> StartSyslogNgAsync(params string[] destinations)
    {
        var sender = new SyslogSender("syslog-ng");
        var dir = sender._directory.Path;
        sender.Input = sender._directory.Combine("in.sock");
        var (_, version, _) = await ChildProcess.RunAsync(SyslogCollector.SyslogNg, ["--version"]);
        var configVersion = System.Text.RegularExpressions.Regex.Match(version, @"Config version: (\d+\.\d+)") is { Success: true } m ? m.Groups[1].Value : "3.35";
        var conf = sender._directory.Combine("syslog-ng.conf");
        await File.WriteAllTextAsync(conf, $$"""
            @version: {{configVersion}}
            options { stats_freq(0); keep_hostname(yes); };
            source s_in { unix-dgram("{{sender.Input}}" flags(syslog-protocol)); };
            {{string.Join('\n', destinations.Select((d, i) => $"destination d_{i} {{ {d}; }};"))}}
            log { source(s_in); {{string.Join(' ', destinations.Select((_, i) => $"destination(d_{i});"))}} };

            """);
        sender._process = ChildProcess.Start(SyslogCollector.SyslogNg, ["-F", "-f", conf, "--persist-file", sender._directory.Combine("syslog-ng.persist"), "--pidfile", sender._directory.Combine("syslog-ng.pid"), "--control", sender._directory.Combine("syslog-ng.ctl")], workingDirectory: dir);
        await sender.WaitUntilReadyAsync(() => File.Exists(sender.Input));
        return sender;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(ChildProcess.SIGTERM);
            await process.WaitForExitAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _directory.Dispose();
    }

    private async Task WaitUntilReadyAsync(Func<bool> ready)
    {
        await Wait.UntilAsync(() => ready() || _process!.HasExited, $"{_kind} to take its input");
        if (_process!.HasExited)
        {
            throw new InvalidOperationException($"{_kind} exited: {_process.StandardOutput}{_process.StandardError}");
        }
    }

    private static int FreeTcpPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
