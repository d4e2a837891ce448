using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocketDaemon.Client;
using SocketDaemon.Client.Framing;

namespace SocketDaemon.Bench;

/// <summary>What each connection sends: pre-encoded frames (raw framings) or the message strings (native).</summary>
public sealed class Payloads
{
    public required byte[][] Frames { get; init; }

    public required string[][] Messages { get; init; }
}

/// <summary>Builds the messages and drives a server with them.</summary>
public static class Load
{
    /// <summary>Messages per native batch: each SendManyAsync call is one batch, timed from send to acknowledgement.</summary>
    public const int NativeBatchMessages = 512;

    /// <summary>Batches awaiting acknowledgement at once on one native connection (the client's default).</summary>
    public const int NativeInFlight = 8;

    private const int SendChunk = 256 * 1024;

    public static Payloads Prepare(Scenario s)
    {
        var frames = new byte[s.Connections][];
        var messages = new string[s.Connections][];
        for (var c = 0; c < s.Connections; c++)
        {
            var count = s.Messages / s.Connections + (c < s.Messages % s.Connections ? 1 : 0);
            var list = new string[count];
            for (var i = 0; i < count; i++)
            {
                list[i] = s.Framing == "syslog-json" ? Rfc5424Message(c, i, s.Size) : Message(c, i, s.Size);
            }

            if (s.Framing == "native")
            {
                messages[c] = list;
                frames[c] = [];
                continue;
            }

            var output = new ArrayBufferWriter<byte>(count * (s.Size + 12));
            foreach (var m in list)
            {
                switch (s.Framing)
                {
                    case "lines":
                        LineFrameWriter.Write(m.AsSpan(), output);
                        break;
                    case "seed":
                        SeedFrameWriter.Write(m.AsSpan(), output);
                        break;
                    default:
                        OctetFrameWriter.Write(m.AsSpan(), output);
                        break;
                }
            }

            frames[c] = output.WrittenSpan.ToArray();
            messages[c] = [];
        }

        return new Payloads { Frames = frames, Messages = messages };
    }

    /// <summary>A printable ASCII message of exactly <paramref name="size"/> bytes that names its connection and index.</summary>
    /// <summary>
    /// An RFC 5424 message as logger --rfc5424 writes one (a timestamp, host, app, procid, msgid, structured data),
    /// with <see cref="Message"/> of <paramref name="size"/> bytes as its MSG.
    /// </summary>
    public static string Rfc5424Message(int connection, int index, int size) =>
        $"<165>1 2026-12-03T06:03:08.401295+00:00 bench.example.com benchapp {4000 + connection} ID47 [timeQuality tzKnown=\"1\" isSynced=\"0\"][bench@32473 conn=\"{connection}\" seq=\"{index}\"] {Message(connection, index, size)}";

    public static string Message(int connection, int index, int size)
    {
        var head = $"c{connection} m{index:D8} ";
        if (head.Length >= size)
        {
            return head[..size];
        }

        return string.Create(size, head, static (span, h) =>
        {
            h.AsSpan().CopyTo(span);
            for (var i = h.Length; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });
    }

    /// <summary>Sends every connection's frames at once and closes; returns when all is written.</summary>
    public static async Task SendRawAsync(EndPoint endpoint, Payloads payloads, CancellationToken cancellationToken)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var _ in payloads.Frames)
            {
                var socket = endpoint is UnixDomainSocketEndPoint
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(endpoint, cancellationToken);
            }

            await Task.WhenAll(sockets.Select((socket, c) => Task.Run(
                async () =>
                {
                    var data = payloads.Frames[c].AsMemory();
                    for (var offset = 0; offset < data.Length;)
                    {
                        var n = Math.Min(SendChunk, data.Length - offset);
                        offset += await socket.SendAsync(data.Slice(offset, n), SocketFlags.None, cancellationToken);
                    }

                    socket.Shutdown(SocketShutdown.Send);
                },
                cancellationToken)));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// Sends with <see cref="SocketDaemonClient"/> over the native protocol: each connection has
    /// <see cref="NativeInFlight"/> lanes, each sending one batch of <see cref="NativeBatchMessages"/> at a time;
    /// returns the acknowledgement latency of every batch in milliseconds.
    /// </summary>
    public static async Task<double[]> SendNativeAsync(string endpoint, Payloads payloads, CancellationToken cancellationToken)
    {
        var clients = new List<SocketDaemonClient>();
        var latencies = new List<double>[payloads.Messages.Length];
        try
        {
            var options = new SocketDaemonClientOptions
            {
                Framing = MessageFraming.Native,
                BatchMessages = NativeBatchMessages,
                BatchBytes = 16 * 1024 * 1024,
                MaxInFlightBatches = 1,
                RequestTimeout = TimeSpan.FromSeconds(120),
            };
            foreach (var _ in payloads.Messages)
            {
                clients.Add(await SocketDaemonClient.ConnectAsync(endpoint, options, cancellationToken));
            }

            await Task.WhenAll(clients.Select((client, c) => Task.Run(
                async () =>
                {
                    var messages = payloads.Messages[c];
                    var batches = (messages.Length + NativeBatchMessages - 1) / NativeBatchMessages;
                    var next = -1;
                    var mine = latencies[c] = new List<double>(batches);
                    await Task.WhenAll(Enumerable.Range(0, NativeInFlight).Select(_ => Task.Run(
                        async () =>
                        {
                            int b;
                            while ((b = Interlocked.Increment(ref next)) < batches)
                            {
                                var segment = new ArraySegment<string>(
                                    messages, b * NativeBatchMessages, Math.Min(NativeBatchMessages, messages.Length - (b * NativeBatchMessages)));
                                var started = Stopwatch.GetTimestamp();
                                await client.SendManyAsync(segment, cancellationToken);
                                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                                lock (mine)
                                {
                                    mine.Add(ms);
                                }
                            }
                        },
                        cancellationToken)));
                },
                cancellationToken)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        return latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
    }
}
