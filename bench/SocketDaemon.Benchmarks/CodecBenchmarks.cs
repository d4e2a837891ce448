using System.Buffers;
using BenchmarkDotNet.Attributes;
using SocketDaemon.Client.Framing;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Framing;

namespace SocketDaemon.Benchmarks;

/// <summary>
/// The daemon's frame readers over a 64 KiB buffer of 64-byte messages (about 1,000 frames per operation),
/// as one segment or as 4 KiB segments. The parse path should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class FrameReaderBenchmarks
{
    private FrameReader _reader = null!;
    private ReadOnlySequence<byte> _input;

    [Params("lines", "seed", "octet")]
    public string Framing { get; set; } = "lines";

    [Params(false, true)]
    public bool MultiSegment { get; set; }

    public int Frames { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = Buffers.Frames(Framing, out var count);
        Frames = count;
        _input = Buffers.Sequence(data, MultiSegment);
        _reader = FrameReader.Create(
            Framing switch { "lines" => FramingKind.Lines, "seed" => FramingKind.Seed, _ => FramingKind.Octet },
            65536);
    }

    [Benchmark(Description = "TryRead a 64 KiB buffer")]
    public long Parse()
    {
        var input = _input;
        long bytes = 0;
        while (_reader.TryRead(ref input, out var message))
        {
            bytes += message.Length;
        }

        return bytes;
    }
}

/// <summary>The client's frame writers: about 1,000 messages of 64 bytes into a reused buffer per operation.</summary>
[MemoryDiagnoser]
public class FrameWriterBenchmarks
{
    private const int Count = 1000;
    private readonly ArrayBufferWriter<byte> _output = new(128 * 1024);
    private byte[][] _messages = [];

    [Params("lines", "seed", "octet", "native")]
    public string Framing { get; set; } = "lines";

    [GlobalSetup]
    public void Setup() => _messages = Enumerable.Range(0, Count).Select(Buffers.Message).ToArray();

    [Benchmark(Description = "Write 1,000 x 64 B")]
    public int Write()
    {
        _output.ResetWrittenCount();
        switch (Framing)
        {
            case "lines":
                foreach (var m in _messages)
                {
                    LineFrameWriter.Write(m, _output);
                }

                break;
            case "seed":
                foreach (var m in _messages)
                {
                    SeedFrameWriter.Write(m, _output);
                }

                break;
            case "octet":
                foreach (var m in _messages)
                {
                    OctetFrameWriter.Write(m, _output);
                }

                break;
            default:
                var batch = NativeFrameWriter.BeginBatch(_output, 7);
                foreach (var m in _messages)
                {
                    batch.Add(m);
                }

                batch.Complete();
                break;
        }

        return _output.WrittenCount;
    }
}

/// <summary>The native protocol's reader: one 64 KiB batch frame of 64-byte messages, framed and split into messages.</summary>
[MemoryDiagnoser]
public class NativeFrameReaderBenchmarks
{
    private static readonly Action<StrongBox, ReadOnlySequence<byte>> OnMessage = static (box, m) => box.Value += m.Length;
    private readonly StrongBox _box = new();
    private ReadOnlySequence<byte> _input;

    [Params(false, true)]
    public bool MultiSegment { get; set; }

    [GlobalSetup]
    public void Setup() => _input = Buffers.Sequence(Buffers.Frames("native", out _), MultiSegment);

    [Benchmark(Description = "TryReadFrame + ReadBatch, 64 KiB")]
    public long Parse()
    {
        var input = _input;
        _box.Value = 0;
        while (NativeFrameReader.TryReadFrame(ref input, 1 << 20, out var frame))
        {
            NativeFrameReader.ReadBatch(frame.Body, _box, OnMessage);
        }

        return _box.Value;
    }

    public sealed class StrongBox
    {
        public long Value { get; set; }
    }
}

/// <summary>Detection of each framing from a connection's first bytes.</summary>
[MemoryDiagnoser]
public class FramingDetectorBenchmarks
{
    private ReadOnlySequence<byte> _prefix;

    [Params("lines", "seed", "octet", "native", "http")]
    public string Input { get; set; } = "lines";

    [GlobalSetup]
    public void Setup()
    {
        var data = Input switch
        {
            "lines" => "<13>Nov 25 12:00:00 host app: hello"u8.ToArray(),
            "seed" => Buffers.Frames("seed", out _)[..64],
            "octet" => Buffers.Frames("octet", out _)[..64],
            "native" => [.. NativeProtocol.Magic, NativeProtocol.Version],
            _ => "GET /status HTTP/1.1\r\n"u8.ToArray(),
        };
        _prefix = new ReadOnlySequence<byte>(data);
    }

    [Benchmark(Description = "Detect")]
    public FramingKind? Detect() => FramingDetector.Detect(_prefix, 65536, isFinal: false);
}
