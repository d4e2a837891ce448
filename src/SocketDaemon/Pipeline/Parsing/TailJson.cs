using System.Buffers;
using System.Text;
using SocketDaemon.Pipeline.MessageLog;
using SocketDaemon.Syslog;

namespace SocketDaemon.Pipeline.Parsing;

/// <summary>
/// A message as <c>socketctl tail --json</c> shows it: the JSON line of <see cref="MessageJsonFormatter"/>, with the
/// fields read as <c>Format: auto</c> would. Followers see a message before the pipeline runs, so the fields are
/// read here and forgotten again: the pipeline's own <c>Parse</c> step (or its absence) decides what it logs.
/// </summary>
internal static class TailJson
{
    public static string Format(MessageContext context)
    {
        var fields = context.Fields;
        var bytes = fields.Join(context.Payload);
        if (SyslogParser.TryParse(bytes, out var header) || JsonMessageParser.TryParse(bytes, out header))
        {
            fields.Set(header);
        }
        else
        {
            fields.SetText();
        }

        var state = MessageLogState.Of(context);
        var buffer = ArrayPool<byte>.Shared.Rent(MessageJsonFormatter.MaxLength(context, state));
        try
        {
            var length = MessageJsonFormatter.Format(context, state, buffer);
            return Encoding.UTF8.GetString(buffer, 0, length - 1);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            fields.Reset();
        }
    }
}
