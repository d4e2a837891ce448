using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SocketDaemon.Client;

namespace SocketDaemon.Tests.Infrastructure;

/// <summary>A plain socket for writing exactly the bytes a test wants, good or bad.</summary>
public sealed class RawClient : IDisposable
{
    private RawClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<RawClient> ConnectAsync(SocketEndpoint endpoint)
    {
        var socket = endpoint.Kind == SocketEndpointKind.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint.EndPoint).WaitAsync(Wait.Timeout);
        return new RawClient(socket);
    }

    /// <summary>The classic seed frame of <paramref name="text"/>, as sock-client.c writes it.</summary>
    public static byte[] SeedFrame(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        var length = bytes.Length;
        return [.. MemoryMarshal.AsBytes(new ReadOnlySpan<int>(ref length)), .. bytes];
    }

    /// <summary>A seed header announcing <paramref name="length"/>, with no body.</summary>
    public static byte[] SeedHeader(int length) => MemoryMarshal.AsBytes(new ReadOnlySpan<int>(ref length)).ToArray();

    public async Task SendAsync(byte[] bytes) => await Socket.SendAsync(bytes.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Wait.Timeout);

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends one byte per write call.</summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            await Socket.SendAsync(bytes.AsMemory(i, 1)).AsTask().WaitAsync(Wait.Timeout);
            await Task.Delay(1);
        }
    }

    /// <summary>Waits until the daemon closes the connection; returns whether it did in time.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        var buffer = new byte[256];
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? Wait.Timeout);
            while (await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Asserts that the daemon refuses a connection to <paramref name="endpoint"/> at once: closed before a byte is
    /// read, or, on TCP, reset so soon that the connect itself reports it.
    /// </summary>
    public static async Task AssertRefusedAsync(SocketEndpoint endpoint)
    {
        RawClient client;
        try
        {
            client = await ConnectAsync(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return;
        }

        using (client)
        {
            Assert.True(await client.WaitForCloseAsync(), $"a connection to {endpoint} was not refused");
        }
    }

    public void ShutdownSend() => Socket.Shutdown(SocketShutdown.Send);

    public void Dispose() => Socket.Dispose();
}
