using System.Net;
using System.Net.Sockets;
using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.SyslogOutput;

/// <summary>
/// A real rsyslog or syslog-ng run unprivileged as a test collector, with its own config, pid file and port, writing
/// each message it receives as one line of fields: <c>PRI|TIMESTAMP|HOST|APP|PROCID|MSGID|SD|MSG</c>.
/// </summary>
internal sealed class SyslogCollector : IAsyncDisposable
{
    public const string Rsyslogd = "/opt/rsyslog/usr/sbin/rsyslogd";
    public const string SyslogNg = "/usr/sbin/syslog-ng";

    private readonly TempDirectory _directory = new();
    private readonly string _kind;
    private readonly string _input;
    private readonly TestCertificates? _tls;
    private ChildProcess? _process;

    private SyslogCollector(string kind, string input, int port, TestCertificates? tls = null)
    {
        _kind = kind;
        _input = input;
        _tls = tls;
        Port = port;
    }

    public int Port { get; }

    public string Output => _directory.Combine("out.log");

    /// <summary>rsyslog with <paramref name="input"/> (<c>imtcp</c>, <c>imptcp</c>, <c>imudp</c>).</summary>
    public static Task<SyslogCollector> StartRsyslogAsync(string input) => StartAsync("rsyslog", input);

    /// <summary>syslog-ng with a <c>syslog()</c> (octet counting) or <c>network()</c> (LF) source over TCP.</summary>
    public static Task<SyslogCollector> StartSyslogNgAsync(string source) => StartAsync("syslog-ng", source);

    /// <summary>
    /// syslog-ng with a TLS <c>syslog()</c> source: the server certificate of <paramref name="certificates"/>, and a
    /// client certificate from its CA required; the line's last field is the client certificate's CN.
    /// </summary>
    public static async Task<SyslogCollector> StartSyslogNgTlsAsync(TestCertificates certificates)
    {
        var collector = new SyslogCollector("syslog-ng", "syslog", FreePort(udp: false), certificates);
        await collector.StartAsync();
        return collector;
    }

    public static string? Missing(string kind) => kind == "rsyslog"
        ? File.Exists(Rsyslogd) ? null : $"{Rsyslogd} is missing (apt-get download rsyslog && dpkg-deb -x rsyslog_*.deb /opt/rsyslog)"
        : File.Exists(SyslogNg) ? null : $"{SyslogNg} is missing (apt-get install syslog-ng-core)";

    private static async Task<SyslogCollector> StartAsync(string kind, string input)
    {
        var collector = new SyslogCollector(kind, input, FreePort(input is "imudp"));
        await collector.StartAsync();
        return collector;
    }

    /// <summary>The lines written so far.</summary>
    public IReadOnlyList<string> Lines() => File.Exists(Output) ? File.ReadAllLines(Output) : [];

    /// <summary>Waits until <paramref name="count"/> lines are written, and returns them.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int count)
    {
        await Wait.UntilAsync(() => Lines().Count >= count, $"{count} lines from {_kind}");
        return Lines();
    }

    /// <summary>(Re)starts the collector on its port; returns once the port takes connections.</summary>
    public async Task StartAsync()
    {
        var dir = _directory.Path;
        if (_kind == "rsyslog")
        {
            var conf = _directory.Combine("rsyslog.conf");
            await File.WriteAllTextAsync(conf, $$"""
                global(workDirectory="{{dir}}")
                module(load="{{_input}}")
                template(name="fields" type="string" string="%pri%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\n")
                ruleset(name="t") { action(type="omfile" file="{{Output}}" template="fields") }
                input(type="{{_input}}" address="127.0.0.1" port="{{Port}}" ruleset="t")

                """);
            _process = ChildProcess.Start(Rsyslogd, ["-n", "-f", conf, "-i", _directory.Combine("rsyslog.pid"), "-M", "/opt/rsyslog/usr/lib/x86_64-linux-gnu/rsyslog"], workingDirectory: dir);
        }
        else
        {
            var (_, version, _) = await ChildProcess.RunAsync(SyslogNg, ["--version"]);
            var configVersion = System.Text.RegularExpressions.Regex.Match(version, @"Config version: (\d+\.\d+)") is { Success: true } m ? m.Groups[1].Value : "3.35";
            // network() reads RFC 3164 unless told the lines are RFC 5424.
            var flags = _input == "network" ? " flags(syslog-protocol)" : "";
            var transport = _tls is null
                ? "transport(\"tcp\")"
                : $"transport(\"tls\") tls(key-file(\"{_tls.ServerFile}\") cert-file(\"{_tls.ServerFile}\") ca-file(\"{_tls.CaFile}\") peer-verify(required-trusted))";
            var source = $"{_input}(ip(\"127.0.0.1\") port({Port}) {transport}{flags})";
            var tlsField = _tls is null ? "" : "|${.tls.x509_cn}";
            var conf = _directory.Combine("syslog-ng.conf");
            await File.WriteAllTextAsync(conf, $$"""
                @version: {{configVersion}}
                options { stats_freq(0); keep_hostname(yes); };
                source s_test { {{source}}; };
                destination d_test { file("{{Output}}" template("${PRI}|${ISODATE}|${HOST}|${PROGRAM}|${PID}|${MSGID}|${SDATA}|${MESSAGE}{{tlsField}}\n")); };
                log { source(s_test); destination(d_test); flags(flow-control); };

                """);
            _process = ChildProcess.Start(SyslogNg, ["-F", "-f", conf, "--persist-file", _directory.Combine("syslog-ng.persist"), "--pidfile", _directory.Combine("syslog-ng.pid"), "--control", _directory.Combine("syslog-ng.ctl")], workingDirectory: dir);
        }

        if (_input == "imudp")
        {
            await Wait.UntilAsync(() => IsUdpBound(Port) || _process.HasExited, $"{_kind} to bind udp port {Port}");
        }
        else
        {
            await Wait.UntilAsync(() => CanConnect(Port) || _process.HasExited, $"{_kind} to listen on port {Port}");
        }

        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_kind} exited: {_process.StandardOutput}{_process.StandardError}");
        }
    }

    /// <summary>Stops the collector (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(ChildProcess.SIGTERM);
            await process.WaitForExitAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
    }

    private static int FreePort(bool udp)
    {
        using var socket = udp ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsUdpBound(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
