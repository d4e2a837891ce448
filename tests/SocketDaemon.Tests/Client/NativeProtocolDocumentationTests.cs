using System.Buffers;
using SocketDaemon.Client.Protocol;

namespace SocketDaemon.Tests.Client;

/// <summary>The bytes of the example in docs/protocol.md are the bytes the code writes.</summary>
public class NativeProtocolDocumentationTests
{
    [Fact]
    public void The_documented_batch_example_is_what_the_client_writes()
    {
        var output = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WritePreface(output);
        var batch = NativeFrameWriter.BeginBatch(output, 1);
        batch.Add("hi".AsSpan());
        batch.Add("there".AsSpan());
        batch.Complete();

        Assert.Equal(
            "0053444E5002" + "0000001C01" + "0000000000000001" + "00000002" + "000000026869" + "000000057468657265",
            Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void The_documented_ack_example_is_what_the_daemon_writes()
    {
        var output = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WriteAck(output, 1, 2, []);

        Assert.Equal("0000001181" + "0000000000000001" + "00000002" + "00000000", Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void The_documented_status_request_is_what_the_client_writes()
    {
        var output = new ArrayBufferWriter<byte>();
        NativeFrameWriter.WriteIdFrame(output, NativeFrameType.Status, 2);

        Assert.Equal("0000000902" + "0000000000000002", Convert.ToHexString(output.WrittenSpan));
    }
}
