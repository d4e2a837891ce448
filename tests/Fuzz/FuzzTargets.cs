using System.Buffers;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;
using SocketDaemon.Protocols.Http;
using SocketDaemon.Proxy;
using SocketDaemon.Syslog;

namespace SocketDaemon.Fuzz;

/// <summary>
/// One fuzz target per decoder of untrusted bytes. Each feeds the input to the decoder the way a connection does
/// (split in two at a point the first byte chooses, as two reads of a pipe would) and lets through only the
/// decoder's own error: any other exception, or a message over the limit, is a finding.
/// </summary>
public static class FuzzTargets
{
    private const int Max = 64;

    /// <summary>The targets by name, as <c>socketdaemon-fuzz TARGET</c> takes them.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["seed"] = bytes => Frames(new SeedFrameReader(Max), bytes),
        ["lines"] = bytes => Frames(new LineFrameReader(Max), bytes),
        ["octet"] = bytes => Frames(new OctetFrameReader(Max), bytes),
        ["native"] = Native,
        ["http"] = Http,
        ["detect"] = Detect,
        ["proxy"] = Proxy,
        ["nul"] = bytes => Frames(new NulFrameReader(Max), bytes),
        ["syslog"] = Syslog,
        ["jsonmessage"] = JsonMessage,
    };

    // The parser must give ranges inside the message, a PRI in range, and structured data its reader can walk.
    private static void Syslog(byte[] bytes)
    {
        if (!SyslogParser.TryParse(bytes, out var header))
        {
            return;
        }

        CheckFields(header, bytes.Length);
        Check(header.Facility is null or (>= 0 and < SyslogKeywords.FacilityCount), $"facility {header.Facility}");
        Check(header.Severity is null or (>= 0 and < SyslogKeywords.SeverityCount), $"severity {header.Severity}");
        if (header.StructuredData.IsPresent)
        {
            var reader = new StructuredDataReader(header.StructuredData.Of(bytes));
            var elements = 0;
            while (reader.NextElement(out var id))
            {
                elements++;
                Check(!id.IsEmpty, "an empty SD-ID");
                while (reader.NextParam(out var name, out var value))
                {
                    Check(!name.IsEmpty, "an empty PARAM-NAME");
                    Check(StructuredDataReader.Unescape(value, new byte[value.Length]) <= value.Length, "an unescaped value longer than its escaped form");
                }
            }

            Check(elements > 0, "structured data the grammar accepted and the reader found no element in");
        }
    }

    private static void JsonMessage(byte[] bytes)
    {
        if (JsonMessageParser.TryParse(bytes, out var header))
        {
            CheckFields(header, bytes.Length);
        }
    }

    private static void CheckFields(in SyslogHeader header, int length)
    {
        foreach (var field in (FieldRange[])[header.Timestamp, header.Hostname, header.AppName, header.ProcId, header.MsgId, header.StructuredData, header.Message])
        {
            Check(!field.IsPresent || (field.Start >= 0 && field.Start + field.Length <= length), $"a field {field} outside the {length} message bytes");
        }
    }

    private static void Frames(FrameReader reader, byte[] bytes)
    {
        foreach (var policy in (OversizePolicy[])[OversizePolicy.Close, OversizePolicy.Drop, OversizePolicy.Truncate])
        {
            try
            {
                var input = Split(bytes);
                var state = default(OversizeState);
                FrameResult result;
                while ((result = reader.Read(ref input, policy, ref state, out var message)) != FrameResult.Incomplete)
                {
                    Check(message.Length <= Max, $"a message over MaxMessageBytes ({policy} {result} {message.Length})");
                    Check(result != FrameResult.Dropped || policy == OversizePolicy.Drop, "a frame dropped under another policy");
                }

                if (!input.IsEmpty)
                {
                    Check(reader.ReadFinal(input, policy, ref state, out var last) == FrameResult.Dropped || last.Length <= Max, "a last message over MaxMessageBytes");
                }
            }
            catch (FramingException)
            {
            }
        }
    }

    private static void Native(byte[] bytes)
    {
        var input = Split(bytes);
        try
        {
            if (!NativeFrameReader.TryReadPreface(ref input, out _))
            {
                return;
            }

            while (NativeFrameReader.TryReadFrame(ref input, 4096, out var frame))
            {
                Body(frame.Type, frame.Body);
            }
        }
        catch (NativeProtocolException)
        {
        }

        // Every body reader over the raw bytes too: they must check every length against the body.
        foreach (var type in Enum.GetValues<NativeFrameType>())
        {
            try
            {
                Body(type, Split(bytes));
            }
            catch (NativeProtocolException)
            {
            }
        }
    }

    private static void Body(NativeFrameType type, ReadOnlySequence<byte> body)
    {
        switch (type)
        {
            case NativeFrameType.Batch:
                _ = NativeFrameReader.ReadBatch(body, 0, static (_, message) => Check(message.Length <= 4096, "a batch message past its frame"));
                break;
            case NativeFrameType.Ack:
                _ = NativeFrameReader.ReadAck(body, out _, out _);
                break;
            case NativeFrameType.Error:
                _ = NativeFrameReader.ReadError(body, out _, out _);
                break;
            case NativeFrameType.Tail:
                _ = NativeFrameReader.ReadTail(body, out _, out _);
                break;
            case NativeFrameType.Session:
                _ = NativeFrameReader.ReadSession(body, out _);
                break;
            case NativeFrameType.OriginBatch:
                _ = NativeFrameReader.ReadOriginBatch(body, 0, static (_, origin, message) =>
                {
                    Check(message.Length <= 4096, "an origin batch message past its frame");
                    Check(origin.IsEmpty || MessageOrigin.Read(origin).Listener is not null, "an origin without a listener");
                });
                break;
            default:
                _ = NativeFrameReader.ReadId(body);
                break;
        }
    }

    private static void Http(byte[] bytes)
    {
        try
        {
            if (HttpRequestHead.TryParse(Split(bytes), out var head, out _))
            {
                Check(head is not null && head.Path.StartsWith('/'), "a parsed head without a path");
            }
        }
        catch (FormatException)
        {
        }
    }

    private static void Proxy(byte[] bytes)
    {
        var input = Split(bytes);
        try
        {
            if (ProxyHeaderDecoder.TryDecode(input, out var header, out var consumed))
            {
                var length = input.Slice(0, consumed).Length;
                Check(length <= Math.Max(ProxyHeaderDecoder.MaxV1Bytes, 16 + ProxyHeaderDecoder.MaxV2AddressBytes), $"a header of {length} bytes, over the limit");
                Check(header.Version is 1 or 2, $"a header of version {header.Version}");
            }
            else
            {
                // Undecided must mean a header could still follow: never more bytes than the longest header.
                Check(input.Length < 16 + ProxyHeaderDecoder.MaxV2AddressBytes, $"undecided after {input.Length} bytes");
            }
        }
        catch (ProxyHeaderException)
        {
        }
    }

    private static void Detect(byte[] bytes)
    {
        _ = FramingDetector.Detect(Split(bytes), Max, isFinal: false);
        _ = FramingDetector.Detect(Split(bytes), Max, isFinal: true);
    }

    // Two segments, cut where the first byte says: a decoder must not care where a read ended.
    private static ReadOnlySequence<byte> Split(byte[] bytes)
    {
        if (bytes.Length < 2)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var cut = 1 + (bytes[0] % (bytes.Length - 1));
        var first = new BufferSegment(bytes.AsMemory(0, cut), 0);
        var second = first.Append(bytes.AsMemory(cut));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"fuzz finding: {finding}");
        }
    }
}
