using SocketDaemon.Tests.Infrastructure;

namespace SocketDaemon.Tests.Integration;

/// <summary>
/// What an idle connection costs: it waits for its next bytes with a zero-byte receive, so it holds no receive buffer
/// (issue 8, "Scale": 10,000 idle connections in little memory). A frame under way keeps the buffer its start is in.
/// </summary>
public class IdleConnectionTests
{
    [Fact]
    public async Task Idle_connections_hold_no_receive_buffer_and_one_inside_a_frame_holds_one()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var buffers = daemon.Listeners["unix"].ReceiveBuffers;
        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var client = await RawClient.ConnectAsync(daemon.Unix);
                clients.Add(client);
                await client.SendAsync($"idle {i}\n");

                // One at a time: a Unix listener's backlog is 5.
                await Wait.UntilAsync(() => daemon.Listeners["unix"].OpenConnections == clients.Count, "the daemon to accept the connection");
            }

            await daemon.Log.WaitForAsync(20);
            await Wait.UntilAsync(() => buffers.Rented == 0, "the idle connections to give back their receive buffers");

            // Half a line: the connection waits for the rest in the buffer that holds its start.
            await clients[0].SendAsync("half a li");
            await Wait.UntilAsync(() => buffers.Rented == 1, "the connection inside a line to hold one buffer");

            await clients[0].SendAsync("ne\n");
            await daemon.Log.WaitForTextAsync("half a line");
            await Wait.UntilAsync(() => buffers.Rented == 0, "the finished line to give its buffer back");
            Assert.Equal(20, daemon.Listeners["unix"].OpenConnections);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
