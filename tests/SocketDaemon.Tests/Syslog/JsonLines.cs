using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Pipeline;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Syslog;

namespace SocketDaemon.Tests.Syslog;

/// <summary>Runs a message through a <c>Parse</c> step and the JSON line formatter, in memory.</summary>
internal static class JsonLines
{
    private static readonly IServiceProvider Services = new ServiceCollection().BuildServiceProvider();

    public static MessageContext Context(PeerInfo? peer = null) =>
        new("tcp", 7, peer ?? PeerInfo.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 5140)), Services);

    public static string Format(byte[] message, ParseFormat? format, ParseCounters? counters = null, MessageContext? context = null, ReadOnlySequence<byte>? payload = null)
    {
        context ??= Context();
        context.SetMessage(payload ?? new ReadOnlySequence<byte>(message), new DateTimeOffset(2026, 12, 3, 6, 0, 0, 123, 456, TimeSpan.Zero));
        if (format is { } f)
        {
            ParseMiddleware.Parse(context, f, counters ?? new ParseCounters());
        }

        var buffer = new byte[MessageJsonFormatter.MaxLength(context)];
        var length = MessageJsonFormatter.Format(context, buffer);
        Assert.Equal((byte)'\n', buffer[length - 1]);
        Assert.DoesNotContain((byte)'\n', buffer.AsSpan(0, length - 1).ToArray());
        return Encoding.UTF8.GetString(buffer, 0, length - 1);
    }

    public static JsonElement Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    public static string? Get(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()) : null;
}
