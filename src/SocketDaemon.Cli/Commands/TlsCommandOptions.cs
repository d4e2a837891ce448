using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SocketDaemon.Client;

namespace SocketDaemon.Cli.Commands;

/// <summary>The options of a <c>tls://</c> endpoint, shared by every command that connects.</summary>
internal sealed class TlsCommandOptions
{
    public Option<string?> Ca { get; } = new("--tls-ca") { Description = "For tls://: a PEM file of the CA the daemon's certificate must chain to. Default: the system's roots.", HelpName = "FILE" };

    public Option<string?> Certificate { get; } = new("--tls-cert") { Description = "For tls://: a PEM client certificate, for a daemon that asks for one.", HelpName = "FILE" };

    public Option<string?> Key { get; } = new("--tls-key") { Description = "For tls://: the client certificate's PEM private key, if not in --tls-cert.", HelpName = "FILE" };

    public Option<string?> ServerName { get; } = new("--tls-server-name") { Description = "For tls://: the name the daemon's certificate must carry. Default: the endpoint's host.", HelpName = "NAME" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Ca);
        command.Options.Add(Certificate);
        command.Options.Add(Key);
        command.Options.Add(ServerName);
    }

    /// <summary>Client options with what the command line gave.</summary>
    /// <exception cref="IOException">The certificate or key cannot be read.</exception>
    public SocketDaemonClientOptions Apply(ParseResult parse, SocketDaemonClientOptions? options = null)
    {
        options ??= new SocketDaemonClientOptions();
        options.TlsCaFile = parse.GetValue(Ca);
        options.TlsServerName = parse.GetValue(ServerName);
        if (parse.GetValue(Certificate) is { } certificate)
        {
            try
            {
                options.TlsClientCertificate = X509Certificate2.CreateFromPemFile(certificate, parse.GetValue(Key));
            }
            catch (CryptographicException ex)
            {
                throw new IOException($"cannot read the client certificate {certificate}: {ex.Message}", ex);
            }
        }

        return options;
    }
}
