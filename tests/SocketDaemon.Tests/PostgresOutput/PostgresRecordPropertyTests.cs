using System.Buffers;
using System.Text;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using SocketDaemon.Pipeline;
using SocketDaemon.PostgresOutput;

namespace SocketDaemon.Tests.PostgresOutput;

/// <summary>
/// A message's spool record reads back into its row: whatever bytes the message holds, the text PostgreSQL can store
/// and, when that text is not the bytes, the bytes themselves. Any other bytes read as a record fail cleanly.
/// </summary>
public class PostgresRecordPropertyTests
{
    private static readonly IServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    [Fact]
    public void Any_message_bytes_read_back_as_storable_text_and_the_exact_bytes_when_the_text_is_not_them()
    {
        Gen.Select(Gen.Byte.Array[0, 400], Gen.Bool).Sample((payload, local) =>
        {
            var peer = local ? PeerInfo.FromCredentials(4242, 1000, 100, "tést") : PeerInfo.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5140));
            var context = new MessageContext("lïstener", 1, peer, NoServices);
            var received = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero).AddTicks(1234560);
            context.SetMessage(new ReadOnlySequence<byte>(payload), received);
            var buffer = new byte[PostgresRecord.MaxLength(context)];

            var row = PostgresRecord.Read(7, buffer.AsSpan(0, PostgresRecord.Write(context, buffer)));

            Assert.Equal(7UL, row.Sequence);
            Assert.Equal(received.UtcDateTime, row.Received);
            Assert.Equal("lïstener", row.Listener);
            Assert.Equal(local ? [4242, 1000L, 100L, "tést", null] : new object?[] { null, null, null, null, "127.0.0.1:5140" }, [row.PeerPid, row.PeerUid, row.PeerGid, row.PeerComm, row.PeerAddress]);
            Assert.DoesNotContain('\0', row.Message);
            var exact = System.Text.Unicode.Utf8.IsValid(payload) && !payload.Contains((byte)0);
            if (exact)
            {
                Assert.Equal(Encoding.UTF8.GetString(payload), row.Message);
                Assert.Null(row.Raw);
            }
            else
            {
                Assert.Equal(payload, row.Raw);
            }
        });
    }

    [Fact]
    public void Any_other_bytes_read_as_a_record_give_a_row_or_InvalidDataException()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            try
            {
                PostgresRecord.Read(1, bytes);
            }
            catch (InvalidDataException)
            {
            }
        });
    }

    [Fact]
    public void Structured_data_becomes_the_json_logs_sd_object_with_its_escapes_undone()
    {
        var json = PostgresRecord.StructuredDataJson("[a@1 x=\"q\\\"uote\\]\" y=\"\\\\\"][b z=\"\"]"u8);

        Assert.Equal("{\"a@1\":{\"x\":\"q\\u0022uote]\",\"y\":\"\\\\\"},\"b\":{\"z\":\"\"}}", json);
    }
}
