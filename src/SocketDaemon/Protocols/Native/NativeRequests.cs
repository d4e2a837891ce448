using System.Text.Json;
using SocketDaemon.Client.Protocol;
using SocketDaemon.Client.Status;
using SocketDaemon.Pipeline.Handlers;
using SocketDaemon.Status;

namespace SocketDaemon.Protocols.Native;

/// <summary>
/// The native protocol's requests, each answered on its own: a session, status, quit, and the start of a tail (which
/// <see cref="NativeTailStream"/> then serves).
/// </summary>
internal sealed class NativeRequests(DaemonStatusProvider status, DaemonCommands commands, NativeSessions sessions)
{
    public async ValueTask HandleAsync(NativeFrame frame, NativeConnectionState state)
    {
        var connection = state.Connection;
        var output = connection.Output;
        switch (frame.Type)
        {
            case NativeFrameType.Session when state.Version >= NativeProtocol.SessionVersion:
                var sessionRequest = NativeFrameReader.ReadSession(frame.Body, out var sessionId);
                state.Session = sessions.Get(sessionId);
                state.Context.Features.Set(sessions.ProgressOf(state.Session));
                NativeFrameWriter.WriteIdFrame(output, NativeFrameType.Ok, sessionRequest);
                break;

            case NativeFrameType.Status when !connection.Listener.Listener.AllowStatus:
                NativeFrameWriter.WriteError(output, NativeFrameReader.ReadId(frame.Body), NativeErrorCode.Forbidden, $"listener {connection.Listener.Name} does not answer status requests (AllowStatus)");
                break;

            case NativeFrameType.Status:
                var json = JsonSerializer.SerializeToUtf8Bytes(status.GetStatus(), StatusJsonContext.Default.DaemonStatus);
                NativeFrameWriter.WriteStatusReply(output, NativeFrameReader.ReadId(frame.Body), json);
                break;

            case NativeFrameType.Quit:
                var id = NativeFrameReader.ReadId(frame.Body);
                if (commands.IsStopping)
                {
                    NativeFrameWriter.WriteError(output, id, NativeErrorCode.ShuttingDown, "the daemon is already stopping");
                }
                else if (commands.MayQuit(connection.Listener.Name, connection.Peer))
                {
                    // The answer goes out before the stop begins, so the client hears it.
                    NativeFrameWriter.WriteIdFrame(output, NativeFrameType.Ok, id);
                    await output.FlushAsync();
                    commands.TryQuit(connection.Listener.Name, connection.Peer);
                }
                else
                {
                    commands.TryQuit(connection.Listener.Name, connection.Peer);
                    NativeFrameWriter.WriteError(output, id, NativeErrorCode.Forbidden, $"{connection.Peer} may not stop the daemon");
                }

                break;

            case NativeFrameType.Tail when !connection.Listener.Listener.AllowStatus:
                NativeFrameWriter.WriteError(output, NativeFrameReader.ReadTail(frame.Body, out _, out _), NativeErrorCode.Forbidden, $"listener {connection.Listener.Name} does not answer tail requests (AllowStatus)");
                break;

            case NativeFrameType.Tail:
                var tailId = NativeFrameReader.ReadTail(frame.Body, out var listener, out var grep);
                state.Tail = (tailId, listener, grep);
                break;

            default:
                NativeFrameWriter.WriteError(output, 0, NativeErrorCode.Malformed, $"unknown frame type 0x{(byte)frame.Type:x2}");
                await output.FlushAsync();
                throw new NativeProtocolException($"unknown frame type 0x{(byte)frame.Type:x2}");
        }
    }
}
