using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SocketDaemon.Client.Protocol;

// The ceilings of the scale-out paths on this machine, with nothing of the daemon in the way:
//   nats URL [MESSAGES] [SIZE] [IN_FLIGHT]: JetStream publishes (file store, async, IN_FLIGHT awaiting their acks),
//       once without and once with a Nats-Msg-Id per message, then with the origin headers an edge's Nats step adds
//       as well (the same bytes per message as the edge publishes).
//   tcp [MESSAGES] [SIZE]: the relay's bytes (origin batches of 512, as an edge's Forward step sends them) over one
//       loopback TCP connection to a reader that acknowledges each batch, 8 batches in flight.
// Prints one line per measurement: "name seconds msg/s".
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: ceilings nats URL [MESSAGES] [SIZE] [IN_FLIGHT] | ceilings tcp [MESSAGES] [SIZE]");
    return 2;
}

static int Arg(string[] args, int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static byte[] Payload(int index, int size)
{
    var text = index.ToString("D8", CultureInfo.InvariantCulture) + " " + new string('x', Math.Max(0, size - 9));
    return Encoding.ASCII.GetBytes(text);
}

static void Report(string name, int messages, TimeSpan elapsed) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {elapsed.TotalSeconds:F3} {messages / elapsed.TotalSeconds:F0}"));

if (args[0] == "nats" && args.Length >= 2)
{
    var messages = Arg(args, 2, 200_000);
    var size = Arg(args, 3, 64);
    var inFlight = Arg(args, 4, 4096);
    await using var connection = new NatsConnection(NatsOpts.Default with { Url = args[1], Name = "socketdaemon ceilings" });
    await connection.ConnectAsync();
    var js = new NatsJSContext(connection);
    foreach (var variant in new[] { "jetstream-publish", "jetstream-publish-msgid", "jetstream-publish-origin" })
    {
        var withId = variant != "jetstream-publish";
        var stream = variant.Replace("jetstream-publish", "CEILING", StringComparison.Ordinal).Replace('-', '_').ToUpperInvariant();
        try
        {
            await js.DeleteStreamAsync(stream);
        }
        catch (NatsJSApiException)
        {
            // Not there yet.
        }

        await js.CreateStreamAsync(new StreamConfig(stream, [stream.ToLowerInvariant() + ".>"]) { Storage = StreamConfigStorage.File });
        var subject = stream.ToLowerInvariant() + ".bench";
        var payloads = Enumerable.Range(0, messages).Select(i => Payload(i, size)).ToArray();
        // The edge's ids are its spool's id and the record's number; its headers name the host, listener, receive time
        // and the peer's credentials. Made before the clock starts, so the client's work is only the publish.
        var spool = Guid.NewGuid().ToString("N");
        var ids = withId ? Enumerable.Range(0, messages).Select(i => spool + "-" + i.ToString(CultureInfo.InvariantCulture)).ToArray() : null;
        var received = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var headers = variant == "jetstream-publish-origin"
            ? Enumerable.Range(0, messages).Select(_ => new NatsHeaders
            {
                ["SocketDaemon-Host"] = Environment.MachineName,
                ["SocketDaemon-Listener"] = "local",
                ["SocketDaemon-Received"] = received,
                ["SocketDaemon-Pid"] = "4242",
                ["SocketDaemon-Uid"] = "1000",
                ["SocketDaemon-Gid"] = "1000",
                ["SocketDaemon-Comm"] = "socketctl",
            }).ToArray()
            : null;
        var window = new Queue<Task<PubAckResponse>>(inFlight);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            if (window.Count == inFlight)
            {
                (await window.Dequeue()).EnsureSuccess();
            }

            window.Enqueue(js.PublishAsync(subject, payloads[i], opts: ids is null ? null : new NatsJSPubOpts { MsgId = ids[i] }, headers: headers?[i]).AsTask());
        }

        while (window.Count > 0)
        {
            (await window.Dequeue()).EnsureSuccess();
        }

        Report(variant, messages, clock.Elapsed);
        await js.DeleteStreamAsync(stream);
    }

    return 0;
}

if (args[0] == "tcp")
{
    const int BatchMessages = 512;
    const int InFlight = 8;
    var messages = Arg(args, 1, 200_000);
    var size = Arg(args, 2, 64);
    var origin = new MessageOrigin { Host = Environment.MachineName, Listener = "local", Peer = "pid=4242 uid=1000 gid=1000 comm=socketctl", ReceivedAt = DateTimeOffset.UtcNow, ProcessId = 4242, UserId = 1000, GroupId = 1000, ProcessName = "socketctl" };
    var batches = new List<byte[]>();
    for (var first = 0; first < messages; first += BatchMessages)
    {
        var frame = new ArrayBufferWriter<byte>();
        var batch = NativeFrameWriter.BeginOriginBatch(frame, (ulong)first + 1);
        for (var i = first; i < Math.Min(messages, first + BatchMessages); i++)
        {
            var entry = new ArrayBufferWriter<byte>(256);
            NativeFrameWriter.WriteOriginEntry(entry, origin, new ReadOnlySequence<byte>(Payload(i, size)));
            batch.AddEntry(entry.WrittenSpan);
        }

        batch.Complete();
        batches.Add(frame.WrittenSpan.ToArray());
    }

    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var lengths = batches.Select(b => b.Length).ToArray();
    var reader = Task.Run(async () =>
    {
        using var client = await listener.AcceptTcpClientAsync();
        client.NoDelay = true;
        var stream = client.GetStream();
        var buffer = new byte[1 << 16];
        var ack = new byte[16];
        foreach (var length in lengths)
        {
            var left = length;
            while (left > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(left, buffer.Length)));
                if (read == 0)
                {
                    throw new IOException("closed early");
                }

                left -= read;
            }

            await stream.WriteAsync(ack);
        }
    });

    using var sender = new TcpClient { NoDelay = true };
    await sender.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
    var output = sender.GetStream();
    var acks = new byte[16];
    var clock = Stopwatch.StartNew();
    var unacknowledged = 0;
    foreach (var batch in batches)
    {
        if (unacknowledged == InFlight)
        {
            await output.ReadExactlyAsync(acks);
            unacknowledged--;
        }

        await output.WriteAsync(batch);
        unacknowledged++;
    }

    for (; unacknowledged > 0; unacknowledged--)
    {
        await output.ReadExactlyAsync(acks);
    }

    await reader;
    Report("tcp-relay-bytes", messages, clock.Elapsed);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tcp-relay-bytes-total {batches.Sum(b => (long)b.Length)}"));
    return 0;
}

Console.Error.WriteLine("usage: ceilings nats URL [MESSAGES] [SIZE] [IN_FLIGHT] | ceilings tcp [MESSAGES] [SIZE]");
return 2;
